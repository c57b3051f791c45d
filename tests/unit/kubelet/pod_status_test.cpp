#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kubelet/pod_status.h"
#include "ukube/machinery/json.h"

namespace ukube::kubelet {
namespace {
namespace json = boost::json;

constexpr int64_t kSecond = 1'000'000'000;

json::object pod_with(const std::string& spec_json) {
  json::object pod = json::parse(R"({"metadata": {"name": "p", "namespace": "d", "uid": "u"},
                                     "status": {"conditions": [{"type": "PodScheduled", "status": "True",
                                                                "lastTransitionTime": "2026-01-01T00:00:00Z"}]}})")
                         .as_object();
  pod["spec"] = json::parse(spec_json);
  return pod;
}

runtime::ContainerStatus container(const std::string& name, runtime::ContainerState state,
                                   uint32_t attempt = 0, int exit_code = 0) {
  runtime::ContainerStatus c;
  c.id = name + "-" + std::to_string(attempt);
  c.metadata = {name, attempt};
  c.state = state;
  c.created_at = 1 * kSecond;
  c.started_at = 2 * kSecond;
  if (state == runtime::ContainerState::Exited) c.finished_at = 3 * kSecond;
  c.exit_code = exit_code;
  c.image_ref = "sha256:abc";
  return c;
}

PodRuntime ready_sandbox() {
  PodRuntime rt;
  runtime::PodSandboxStatus sb;
  sb.id = "sb";
  sb.state = runtime::SandboxState::Ready;
  sb.ip = "10.42.0.7";
  rt.sandboxes.push_back(sb);
  return rt;
}

json::object status_of(const json::object& pod, const PodRuntime& rt,
                       std::map<std::string, WaitingReason> waiting = {},
                       std::map<std::string, ContainerHealth> health = {}) {
  return compute_pod_status({&pod, &rt, std::move(waiting), std::move(health), "fake", "192.0.2.1",
                             "2026-05-01T10:00:00Z", std::nullopt});
}

const json::object& condition(const json::object& status, const std::string& type) {
  for (const auto& c : status.at("conditions").as_array())
    if (c.as_object().at("type").as_string() == type) return c.as_object();
  throw std::runtime_error("no condition " + type);
}

TEST(PodStatus, RunningContainersMakeARunningReadyPod) {
  json::object pod = pod_with(R"({"containers": [{"name": "a", "image": "img"}]})");
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("a", runtime::ContainerState::Running));
  json::object s = status_of(pod, rt);
  EXPECT_EQ(s.at("phase"), "Running");
  EXPECT_EQ(s.at("podIP"), "10.42.0.7");
  EXPECT_EQ(s.at("hostIP"), "192.0.2.1");
  EXPECT_EQ(s.at("qosClass"), "BestEffort");
  EXPECT_EQ(condition(s, "Ready").at("status"), "True");
  EXPECT_EQ(condition(s, "ContainersReady").at("status"), "True");
  EXPECT_EQ(condition(s, "Initialized").at("status"), "True");
  EXPECT_EQ(condition(s, "PodReadyToStartContainers").at("status"), "True");
  // Conditions the kubelet does not own stay as they were.
  EXPECT_EQ(condition(s, "PodScheduled").at("lastTransitionTime"), "2026-01-01T00:00:00Z");
  const auto& cs = s.at("containerStatuses").as_array()[0].as_object();
  EXPECT_EQ(cs.at("containerID"), "fake://a-0");
  EXPECT_EQ(cs.at("imageID"), "sha256:abc");
  EXPECT_EQ(cs.at("ready"), true);
  EXPECT_EQ(cs.at("started"), true);
  EXPECT_TRUE(machinery::object_at(cs, {"state", "running"}));
}

TEST(PodStatus, AContainerNotYetCreatedKeepsThePodPending) {
  json::object pod =
      pod_with(R"({"containers": [{"name": "a", "image": "img"}, {"name": "b", "image": "img"}]})");
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("a", runtime::ContainerState::Running));
  json::object s = status_of(pod, rt);
  EXPECT_EQ(s.at("phase"), "Pending");
  EXPECT_EQ(condition(s, "Ready").at("status"), "False");
  EXPECT_EQ(condition(s, "Ready").at("reason"), "ContainersNotReady");
  EXPECT_EQ(condition(s, "Ready").at("message"), "containers with unready status: [b]");
  EXPECT_EQ(machinery::string_at(s.at("containerStatuses").as_array()[1].as_object(),
                                 {"state", "waiting", "reason"}),
            "ContainerCreating");
}

TEST(PodStatus, CrashLoopShowsTheLastExitAndRestartCount) {
  json::object pod = pod_with(R"({"containers": [{"name": "a", "image": "img"}]})");
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("a", runtime::ContainerState::Exited, 0, 1));
  rt.containers.push_back(container("a", runtime::ContainerState::Exited, 1, 2));
  json::object s =
      status_of(pod, rt, {{"a", {"CrashLoopBackOff", "back-off 10s restarting failed container=a"}}});
  const auto& cs = s.at("containerStatuses").as_array()[0].as_object();
  EXPECT_EQ(machinery::string_at(cs, {"state", "waiting", "reason"}), "CrashLoopBackOff");
  EXPECT_EQ(machinery::int_at(cs, {"lastState", "terminated", "exitCode"}), 2);
  EXPECT_EQ(machinery::string_at(cs, {"lastState", "terminated", "reason"}), "Error");
  EXPECT_EQ(cs.at("restartCount"), 1);
  EXPECT_EQ(s.at("phase"), "Running");  // it ran, and restartPolicy Always restarts it
}

TEST(PodStatus, PhasesOfFinishedPodsFollowTheRestartPolicy) {
  PodRuntime ok = ready_sandbox();
  ok.containers.push_back(container("a", runtime::ContainerState::Exited, 0, 0));
  PodRuntime failed = ready_sandbox();
  failed.containers.push_back(container("a", runtime::ContainerState::Exited, 0, 3));
  auto phase = [](const std::string& policy, const PodRuntime& rt) {
    json::object pod = pod_with(R"({"restartPolicy": ")" + policy + R"(", "containers": [{"name": "a"}]})");
    return std::string(status_of(pod, rt).at("phase").as_string());
  };
  EXPECT_EQ(phase("Never", ok), "Succeeded");
  EXPECT_EQ(phase("OnFailure", ok), "Succeeded");
  EXPECT_EQ(phase("Never", failed), "Failed");
  EXPECT_EQ(phase("OnFailure", failed), "Running");
  EXPECT_EQ(phase("Always", ok), "Running");
  json::object done = pod_with(R"({"restartPolicy": "Never", "containers": [{"name": "a"}]})");
  json::object s = status_of(done, ok);
  EXPECT_EQ(condition(s, "Ready").at("reason"), "PodCompleted");
  EXPECT_EQ(condition(s, "PodReadyToStartContainers").at("status"), "False");
}

TEST(PodStatus, InitContainersRunFirstAndAFailureWithNeverFailsThePod) {
  const std::string spec =
      R"({"restartPolicy": "Never", "initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "a"}]})";
  json::object pod = pod_with(spec);
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("i1", runtime::ContainerState::Exited, 0, 0));
  rt.containers.push_back(container("i2", runtime::ContainerState::Running));
  json::object s = status_of(pod, rt);
  EXPECT_EQ(s.at("phase"), "Pending");
  EXPECT_EQ(condition(s, "Initialized").at("message"), "containers with incomplete status: [i2]");
  EXPECT_EQ(machinery::string_at(s.at("containerStatuses").as_array()[0].as_object(),
                                 {"state", "waiting", "reason"}),
            "PodInitializing");
  rt.containers.back() = container("i2", runtime::ContainerState::Exited, 0, 1);
  EXPECT_EQ(status_of(pod, rt).at("phase"), "Failed");
}

TEST(PodStatus, ASidecarCountsOnceStartedAndMustBeReady) {
  json::object pod = pod_with(
      R"({"initContainers": [{"name": "side", "restartPolicy": "Always"}], "containers": [{"name": "a"}]})");
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("side", runtime::ContainerState::Running));
  rt.containers.push_back(container("a", runtime::ContainerState::Running));
  json::object s = status_of(pod, rt);
  EXPECT_EQ(s.at("phase"), "Running");
  EXPECT_EQ(condition(s, "Initialized").at("status"), "True");
  EXPECT_EQ(condition(s, "Ready").at("status"), "True");
}

TEST(PodStatus, ProbesDecideStartedAndReady) {
  json::object pod = pod_with(R"({"containers": [{"name": "a"}]})");
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("a", runtime::ContainerState::Running));
  json::object unready = status_of(pod, rt, {}, {{"a", {true, false}}});
  EXPECT_EQ(unready.at("phase"), "Running");
  EXPECT_EQ(condition(unready, "Ready").at("status"), "False");
  EXPECT_EQ(unready.at("containerStatuses").as_array()[0].as_object().at("started"), true);
  json::object starting = status_of(pod, rt, {}, {{"a", {false, true}}});
  EXPECT_EQ(starting.at("containerStatuses").as_array()[0].as_object().at("started"), false);
  EXPECT_EQ(starting.at("containerStatuses").as_array()[0].as_object().at("ready"), false);
}

TEST(PodStatus, PhaseNeverLeavesATerminalOne) {
  json::object pod = pod_with(R"({"containers": [{"name": "a"}]})");
  pod["status"].as_object()["phase"] = "Failed";
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("a", runtime::ContainerState::Running));
  EXPECT_EQ(status_of(pod, rt).at("phase"), "Failed");
}

TEST(PodStatus, AFailureTheKubeletDecidedEndsThePodWithItsReason) {
  json::object pod = pod_with(R"({"containers": [{"name": "a"}]})");
  PodRuntime rt = ready_sandbox();
  rt.containers.push_back(container("a", runtime::ContainerState::Exited, 0, 137));
  PodStatusInputs in{&pod, &rt, {}, {}, "fake", "192.0.2.1", "2026-05-01T10:00:00Z", std::nullopt};
  in.failure = PodFailure{"Evicted", "The node was low on resource: memory.", true};
  json::object status = compute_pod_status(in);
  EXPECT_EQ(status.at("phase"), "Failed");
  EXPECT_EQ(status.at("reason"), "Evicted");
  EXPECT_EQ(status.at("message"), "The node was low on resource: memory.");
  EXPECT_EQ(condition(status, "DisruptionTarget").at("status"), "True");
  EXPECT_EQ(condition(status, "DisruptionTarget").at("reason"), "TerminationByKubelet");

  in.failure =
      PodFailure{"DeadlineExceeded", "Pod was active on the node longer than the specified deadline", false};
  status = compute_pod_status(in);
  EXPECT_EQ(status.at("reason"), "DeadlineExceeded");
  EXPECT_THROW(condition(status, "DisruptionTarget"), std::runtime_error);
}

}  // namespace
}  // namespace ukube::kubelet
