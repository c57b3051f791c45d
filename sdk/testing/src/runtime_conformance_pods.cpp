// Runtime conformance: the lifecycle of sandboxes and containers, their listing and the
// CRI's idempotent stop and remove.
#include <algorithm>

#include "runtime_conformance_support.h"

namespace ukube::runtime::conformance {
namespace {

using support::create_and_start;
using support::create_container;
using support::error_code;
using support::RunningSandbox;
using support::wait_for_state;

std::vector<std::string> sandbox_ids(const std::vector<PodSandboxStatus>& sandboxes) {
  std::vector<std::string> ids;
  for (const auto& s : sandboxes) ids.push_back(s.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> container_ids(const std::vector<ContainerStatus>& containers) {
  std::vector<std::string> ids;
  for (const auto& c : containers) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> sorted(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST_P(RuntimeConformance, VersionAndRuntimeReady) {
  const VersionInfo version = driver().version();
  EXPECT_FALSE(version.runtime_name.empty());
  EXPECT_FALSE(version.runtime_version.empty());
  EXPECT_EQ(version.runtime_api_version, "v1");

  const RuntimeStatus status = driver().status();
  auto ready = std::find_if(status.conditions.begin(), status.conditions.end(),
                            [](const RuntimeCondition& c) { return c.type == "RuntimeReady"; });
  ASSERT_NE(ready, status.conditions.end()) << "no RuntimeReady condition";
  EXPECT_TRUE(ready->status) << ready->reason << ": " << ready->message;
}

TEST_P(RuntimeConformance, SandboxRunStatusStopRemove) {
  const PodSandboxConfig config = sandbox_config("web");
  const std::string id = driver().run_pod_sandbox(config);
  ASSERT_FALSE(id.empty());

  PodSandboxStatus status = driver().pod_sandbox_status(id);
  EXPECT_EQ(status.id, id);
  EXPECT_EQ(status.metadata.name, config.metadata.name);
  EXPECT_EQ(status.metadata.namespace_, config.metadata.namespace_);
  EXPECT_EQ(status.metadata.uid, config.metadata.uid);
  EXPECT_EQ(status.metadata.attempt, config.metadata.attempt);
  EXPECT_EQ(status.state, SandboxState::Ready);
  EXPECT_GT(status.created_at, 0);
  EXPECT_EQ(status.labels, config.labels) << "labels come back unchanged";
  EXPECT_EQ(status.annotations, config.annotations) << "annotations come back unchanged";

  driver().stop_pod_sandbox(id);
  EXPECT_EQ(driver().pod_sandbox_status(id).state, SandboxState::NotReady);
  driver().stop_pod_sandbox(id);  // again: idempotent
  EXPECT_EQ(driver().pod_sandbox_status(id).state, SandboxState::NotReady);

  driver().remove_pod_sandbox(id);
  EXPECT_EQ(error_code([&] { driver().pod_sandbox_status(id); }), RuntimeError::Code::NotFound);
  PodSandboxFilter by_id;
  by_id.id = id;
  EXPECT_TRUE(driver().list_pod_sandboxes(by_id).empty());
  driver().remove_pod_sandbox(id);  // again: idempotent
}

TEST_P(RuntimeConformance, UnknownIdsAreNotFoundForStatusButNotErrorsForStopAndRemove) {
  const std::string unknown = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  EXPECT_EQ(error_code([&] { driver().pod_sandbox_status(unknown); }), RuntimeError::Code::NotFound);
  EXPECT_EQ(error_code([&] { driver().container_status(unknown); }), RuntimeError::Code::NotFound);
  EXPECT_NO_THROW(driver().stop_pod_sandbox(unknown));
  EXPECT_NO_THROW(driver().remove_pod_sandbox(unknown));
  EXPECT_NO_THROW(driver().stop_container(unknown, std::chrono::seconds(1)));
  EXPECT_NO_THROW(driver().remove_container(unknown));
}

TEST_P(RuntimeConformance, ListSandboxesFiltersByIdStateAndLabels) {
  PodSandboxConfig a_config = sandbox_config("list-a");
  a_config.labels["tier"] = "front";
  PodSandboxConfig b_config = sandbox_config("list-b");
  b_config.labels["tier"] = "back";
  const std::string a = driver().run_pod_sandbox(a_config);
  const std::string b = driver().run_pod_sandbox(b_config);
  driver().stop_pod_sandbox(b);

  PodSandboxFilter by_id;
  by_id.id = a;
  EXPECT_EQ(sandbox_ids(driver().list_pod_sandboxes(by_id)), std::vector<std::string>{a});

  PodSandboxFilter mine;  // both, and nothing of other tests
  mine.label_selector = {{label::kPodNamespace, "conformance"}, {"tier", "front"}};
  EXPECT_EQ(sandbox_ids(driver().list_pod_sandboxes(mine)), std::vector<std::string>{a});
  mine.label_selector["tier"] = "back";
  EXPECT_EQ(sandbox_ids(driver().list_pod_sandboxes(mine)), std::vector<std::string>{b});
  mine.label_selector["tier"] = "middle";
  EXPECT_TRUE(driver().list_pod_sandboxes(mine).empty());

  PodSandboxFilter ready;
  ready.state = SandboxState::Ready;
  auto ready_ids = sandbox_ids(driver().list_pod_sandboxes(ready));
  EXPECT_TRUE(std::binary_search(ready_ids.begin(), ready_ids.end(), a));
  EXPECT_FALSE(std::binary_search(ready_ids.begin(), ready_ids.end(), b));
  PodSandboxFilter not_ready;
  not_ready.state = SandboxState::NotReady;
  auto not_ready_ids = sandbox_ids(driver().list_pod_sandboxes(not_ready));
  EXPECT_FALSE(std::binary_search(not_ready_ids.begin(), not_ready_ids.end(), a));
  EXPECT_TRUE(std::binary_search(not_ready_ids.begin(), not_ready_ids.end(), b));

  by_id.state = SandboxState::NotReady;  // id and state together: both must hold
  EXPECT_TRUE(driver().list_pod_sandboxes(by_id).empty());
}

TEST_P(RuntimeConformance, ContainerCreateStartStopRemove) {
  const PodSandboxConfig sandbox = sandbox_config("lifecycle");
  const std::string sandbox_id = driver().run_pod_sandbox(sandbox);
  const RunningSandbox pod{sandbox, sandbox_id};
  ContainerConfig config = container_config(recipes().runs_until_stopped(), "app", pod.config);
  config.metadata.attempt = 2;
  config.labels["extra"] = "label";
  config.annotations["note"] = "kept: as given";

  const std::string id = create_container(driver(), pod, config);
  ASSERT_FALSE(id.empty());
  ContainerStatus created = driver().container_status(id);
  EXPECT_EQ(created.id, id);
  EXPECT_EQ(created.pod_sandbox_id, sandbox_id);
  EXPECT_EQ(created.state, ContainerState::Created);
  EXPECT_EQ(created.metadata.name, "app");
  EXPECT_EQ(created.metadata.attempt, 2u);
  EXPECT_GT(created.created_at, 0);
  EXPECT_EQ(created.started_at, 0);
  EXPECT_EQ(created.finished_at, 0);
  EXPECT_EQ(created.image, config.image);
  EXPECT_FALSE(created.image_ref.empty()) << "what runs: the image's id or digest";
  EXPECT_EQ(created.labels, config.labels);
  EXPECT_EQ(created.annotations, config.annotations);
  EXPECT_EQ(created.log_path, (std::filesystem::path(pod.config.log_directory) / config.log_path).string());
  EXPECT_TRUE(std::filesystem::path(created.log_path).is_absolute());

  driver().start_container(id);
  const ContainerStatus running = wait_for_state(driver(), id, ContainerState::Running);
  EXPECT_GE(running.started_at, running.created_at);
  EXPECT_GT(running.started_at, 0);
  EXPECT_EQ(running.finished_at, 0);

  driver().stop_container(id, std::chrono::seconds(10));
  const ContainerStatus exited = driver().container_status(id);
  EXPECT_EQ(exited.state, ContainerState::Exited) << "stop returns once the container has exited";
  EXPECT_GE(exited.finished_at, exited.started_at);
  EXPECT_EQ(exited.started_at, running.started_at);
  driver().stop_container(id, std::chrono::seconds(10));  // again: idempotent
  EXPECT_EQ(driver().container_status(id).exit_code, exited.exit_code);

  driver().remove_container(id);
  EXPECT_EQ(error_code([&] { driver().container_status(id); }), RuntimeError::Code::NotFound);
  ContainerFilter in_pod;
  in_pod.pod_sandbox_id = sandbox_id;
  EXPECT_TRUE(driver().list_containers(in_pod).empty());
  driver().remove_container(id);  // again: idempotent
}

TEST_P(RuntimeConformance, ListContainersFiltersByIdSandboxStateAndLabels) {
  const PodSandboxConfig first_config = sandbox_config("filter-one");
  const PodSandboxConfig second_config = sandbox_config("filter-two");
  const RunningSandbox first{first_config, driver().run_pod_sandbox(first_config)};
  const RunningSandbox second{second_config, driver().run_pod_sandbox(second_config)};

  ContainerConfig running_config = container_config(recipes().runs_until_stopped(), "running", first.config);
  running_config.labels["role"] = "server";
  const std::string running = create_and_start(driver(), first, running_config);
  const std::string waiting = create_container(
      driver(), first, container_config(recipes().runs_until_stopped(), "waiting", first.config));
  ContainerConfig other_config = container_config(recipes().runs_until_stopped(), "other", second.config);
  other_config.labels["role"] = "server";
  const std::string other = create_container(driver(), second, other_config);

  ContainerFilter by_id;
  by_id.id = waiting;
  EXPECT_EQ(container_ids(driver().list_containers(by_id)), std::vector<std::string>{waiting});

  ContainerFilter by_sandbox;
  by_sandbox.pod_sandbox_id = first.id;
  EXPECT_EQ(container_ids(driver().list_containers(by_sandbox)), sorted({running, waiting}));
  by_sandbox.state = ContainerState::Running;
  EXPECT_EQ(container_ids(driver().list_containers(by_sandbox)), std::vector<std::string>{running});
  by_sandbox.state = ContainerState::Created;
  EXPECT_EQ(container_ids(driver().list_containers(by_sandbox)), std::vector<std::string>{waiting});

  ContainerFilter servers;
  servers.label_selector = {{"role", "server"}, {label::kPodNamespace, "conformance"}};
  EXPECT_EQ(container_ids(driver().list_containers(servers)), sorted({running, other}));
  servers.label_selector[label::kPodUid] = second.config.metadata.uid;
  EXPECT_EQ(container_ids(driver().list_containers(servers)), std::vector<std::string>{other});

  ContainerFilter created;
  created.state = ContainerState::Created;
  auto created_ids = container_ids(driver().list_containers(created));
  EXPECT_TRUE(std::binary_search(created_ids.begin(), created_ids.end(), waiting));
  EXPECT_TRUE(std::binary_search(created_ids.begin(), created_ids.end(), other));
  EXPECT_FALSE(std::binary_search(created_ids.begin(), created_ids.end(), running));
}

TEST_P(RuntimeConformance, StopPodSandboxStopsItsContainersAndRemoveRemovesThem) {
  const PodSandboxConfig config = sandbox_config("stopping");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string app =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));
  const std::string sidecar =
      create_and_start(driver(), pod, container_config(recipes().ignores_sigterm(), "sidecar", pod.config));

  driver().stop_pod_sandbox(pod.id);
  EXPECT_EQ(driver().pod_sandbox_status(pod.id).state, SandboxState::NotReady);
  EXPECT_EQ(driver().container_status(app).state, ContainerState::Exited);
  EXPECT_EQ(driver().container_status(sidecar).state, ContainerState::Exited);

  driver().remove_pod_sandbox(pod.id);
  EXPECT_EQ(error_code([&] { driver().container_status(app); }), RuntimeError::Code::NotFound);
  EXPECT_EQ(error_code([&] { driver().container_status(sidecar); }), RuntimeError::Code::NotFound);
  ContainerFilter in_pod;
  in_pod.pod_sandbox_id = pod.id;
  EXPECT_TRUE(driver().list_containers(in_pod).empty());
}

TEST_P(RuntimeConformance, RemovePodSandboxRemovesRunningContainers) {
  const PodSandboxConfig config = sandbox_config("removing");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string app =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));

  driver().remove_pod_sandbox(pod.id);  // without a stop first: the driver stops what runs
  EXPECT_EQ(error_code([&] { driver().container_status(app); }), RuntimeError::Code::NotFound);
  EXPECT_EQ(error_code([&] { driver().pod_sandbox_status(pod.id); }), RuntimeError::Code::NotFound);
}

}  // namespace ukube::runtime::conformance
