// The process runtime's driver beyond the conformance suite: exit codes and reasons,
// stop escalation, events from exits, images resolved to host executables, rlimits and the
// one-node rule.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "process_test_support.h"
#include "runtime-process/config.pb.h"
#include "runtime-process/image_resolver.h"
#include "runtime-process/process_runtime_plugin.h"
#include "ukube/node/monitor_launcher.h"
#include "ukube/node/proc_info.h"
#include "ukube/node/records.h"

namespace ukube::runtime::process {
namespace {

using namespace std::chrono_literals;
using testing::DriverHarness;
using testing::eventually;
using testing::log_lines;
using testing::pod_config;
using testing::shell_container;

class ProcessDriverTest : public ::testing::Test {
 protected:
  void SetUp() override { driver_ = harness_.make_driver(); }
  void TearDown() override {
    for (const auto& sandbox : driver_->list_pod_sandboxes()) driver_->remove_pod_sandbox(sandbox.id);
  }

  std::string run(const std::string& name, const std::string& script, ContainerConfig* with = nullptr) {
    if (sandbox_.empty()) sandbox_ = driver_->run_pod_sandbox(pod_config("pod", harness_.logs_dir));
    ContainerConfig config = with ? *with : shell_container(name, script);
    std::string id = driver_->create_container(sandbox_, config, pod_config("pod", harness_.logs_dir));
    driver_->start_container(id);
    return id;
  }
  bool exited(const std::string& id) { return driver_->container_status(id).state == ContainerState::Exited; }

  DriverHarness harness_;
  std::unique_ptr<ProcessDriver> driver_;
  std::string sandbox_;
};

TEST_F(ProcessDriverTest, ExitCodesAndReasons) {
  auto ok = run("ok", "exit 0");
  auto failed = run("failed", "exit 7");
  auto killed = run("killed", "kill -9 $$");
  ASSERT_TRUE(eventually([&] { return exited(ok) && exited(failed) && exited(killed); }));
  auto status = driver_->container_status(ok);
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(status.reason, "Completed");
  EXPECT_GT(status.finished_at, 0);
  EXPECT_GE(status.finished_at, status.started_at);
  status = driver_->container_status(failed);
  EXPECT_EQ(status.exit_code, 7);
  EXPECT_EQ(status.reason, "Error");
  status = driver_->container_status(killed);
  EXPECT_EQ(status.exit_code, 128 + 9);
  EXPECT_EQ(status.reason, "Error");
}

TEST_F(ProcessDriverTest, StopEscalatesToSigkillWhenSigtermIsIgnored) {
  auto id = run("stubborn", "trap '' TERM; echo ready; while :; do sleep 0.1; done");
  auto log = driver_->container_status(id).log_path;
  ASSERT_TRUE(eventually([&] { return !log_lines(log).empty(); })) << "the trap is set once it printed";
  driver_->stop_container(id, 1s);
  auto status = driver_->container_status(id);
  EXPECT_EQ(status.state, ContainerState::Exited);
  EXPECT_EQ(status.exit_code, 128 + 9);
  driver_->stop_container(id, 1s);  // idempotent
  driver_->stop_container(std::string(64, 'a'), 1s);
}

TEST_F(ProcessDriverTest, StopKillsTheWholeProcessGroup) {
  auto id = run("parent", "sleep 300 & echo $! ; wait");
  auto log = driver_->container_status(id).log_path;
  ASSERT_TRUE(eventually([&] { return !log_lines(log).empty(); }));
  auto line = log_lines(log).front();
  pid_t child = std::stoi(line.substr(line.rfind(' ') + 1));
  driver_->stop_container(id, 5s);
  EXPECT_TRUE(eventually([&] {
    auto stat = read_proc_stat(child);
    return !stat || stat->state == 'Z';
  })) << "the container's background child went with it";
}

TEST_F(ProcessDriverTest, ExitsArePushedAsStoppedEvents) {
  std::mutex mutex;
  std::vector<ContainerEvent> events;
  auto subscription = driver_->subscribe([&](const ContainerEvent& e) {
    std::lock_guard lock(mutex);
    events.push_back(e);
  });
  auto id = run("short", "exit 0");
  auto has = [&](ContainerEventType type) {
    std::lock_guard lock(mutex);
    for (const auto& e : events)
      if (e.container_id == id && e.type == type) return true;
    return false;
  };
  EXPECT_TRUE(eventually([&] { return has(ContainerEventType::Stopped); }));
  EXPECT_TRUE(has(ContainerEventType::Created));
  EXPECT_TRUE(has(ContainerEventType::Started));
  driver_->remove_container(id);
  EXPECT_TRUE(eventually([&] { return has(ContainerEventType::Deleted); }));
  driver_->unsubscribe(subscription);
  std::lock_guard lock(mutex);
  for (const auto& e : events) EXPECT_EQ(e.pod_sandbox_id, sandbox_);
}

TEST_F(ProcessDriverTest, ContainerOutputGoesToTheCriLog) {
  auto id = run("talk", "echo out; echo err >&2; printf no-newline");
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  auto status = driver_->container_status(id);
  EXPECT_EQ(status.log_path, (harness_.logs_dir / "pod" / "talk" / "0.log").string());
  auto lines = log_lines(status.log_path);
  ASSERT_EQ(lines.size(), 3u);
  std::set<std::string> texts;
  for (const auto& line : lines) texts.insert(line.substr(31));
  EXPECT_TRUE(texts.count("stdout F out"));
  EXPECT_TRUE(texts.count("stderr F err"));
  EXPECT_TRUE(texts.count("stdout F no-newline"));
}

TEST_F(ProcessDriverTest, LogRotatesBySizeFromConfig) {
  harness_.settings.log_max_size_bytes = 200;
  harness_.settings.log_max_files = 2;
  driver_ = harness_.make_driver();
  auto id = run("chatty", "i=0; while [ $i -lt 20 ]; do echo line-$i; i=$((i+1)); done");
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  auto log = driver_->container_status(id).log_path;
  EXPECT_TRUE(std::filesystem::exists(log + ".1"));
  EXPECT_FALSE(std::filesystem::exists(log + ".2"));
  EXPECT_LE(std::filesystem::file_size(log), 200u);
  auto lines = log_lines(log);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("line-19"), std::string::npos);
}

TEST_F(ProcessDriverTest, RlimitNofileIsApplied) {
  harness_.settings.rlimit_nofile = 1000;
  driver_ = harness_.make_driver();
  auto id = run("limits", "ulimit -n");
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  auto lines = log_lines(driver_->container_status(id).log_path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(31), "stdout F 1000");
}

TEST_F(ProcessDriverTest, CommandRunsInWorkingDirWithEnv) {
  auto config = shell_container("env", "pwd; echo $GREETING; echo $HOSTNAME");
  config.working_dir = harness_.dir.path().string();
  config.envs = {{"GREETING", "hello"}};
  auto id = run("env", "", &config);
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  auto lines = log_lines(driver_->container_status(id).log_path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].substr(31), "stdout F " + harness_.dir.path().string());
  EXPECT_EQ(lines[1].substr(31), "stdout F hello");
  EXPECT_EQ(lines[2].substr(31), "stdout F pod");
}

TEST_F(ProcessDriverTest, StartFailureIsReportedAndRecorded) {
  auto config = shell_container("nowhere", "exit 0");
  config.working_dir = (harness_.dir.path() / "does-not-exist").string();
  sandbox_ = driver_->run_pod_sandbox(pod_config("pod", harness_.logs_dir));
  auto id = driver_->create_container(sandbox_, config, pod_config("pod", harness_.logs_dir));
  try {
    driver_->start_container(id);
    FAIL() << "started in a missing folder";
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::FailedPrecondition);
    EXPECT_NE(std::string(e.what()).find("does-not-exist"), std::string::npos) << e.what();
  }
  auto status = driver_->container_status(id);
  EXPECT_EQ(status.state, ContainerState::Exited);
  EXPECT_EQ(status.reason, "StartError");
}

TEST_F(ProcessDriverTest, ImagesResolveToHostExecutables) {
  auto id = driver_->pull_image("registry.example:5000/tools/sleep:1.0");
  EXPECT_EQ(id.rfind("sha256:", 0), 0u);
  EXPECT_EQ(driver_->pull_image("sleep"), id) << "same executable, same image";
  auto image = driver_->image_status("sleep");
  ASSERT_TRUE(image);
  EXPECT_EQ(image->id, id);
  EXPECT_EQ(image->repo_tags.size(), 2u);
  EXPECT_GT(image->size, 0u);
  ASSERT_EQ(driver_->list_images().size(), 1u);
  driver_->remove_image("sleep");
  EXPECT_TRUE(driver_->image_status(id)) << "still tagged registry.example:5000/tools/sleep:1.0";
  driver_->remove_image(id);
  EXPECT_TRUE(driver_->list_images().empty());
  driver_->remove_image(id);  // idempotent

  try {
    driver_->pull_image("no-such-program-anywhere:1.0");
    FAIL();
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::NotFound);
    EXPECT_NE(std::string(e.what()).find("images:"), std::string::npos) << e.what();
  }
}

TEST_F(ProcessDriverTest, ConfiguredImageRunsItsExecutableWithArgs) {
  harness_.settings.images["example.com/echo"] = "/bin/echo";
  driver_ = harness_.make_driver();
  ContainerConfig config;
  config.metadata.name = "echo";
  config.image = "example.com/echo:v2";
  config.args = {"from", "entrypoint"};
  config.log_path = "echo/0.log";
  auto id = run("echo", "", &config);
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  auto lines = log_lines(driver_->container_status(id).log_path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(31), "stdout F from entrypoint");
  EXPECT_EQ(driver_->container_status(id).image_ref, image_id_for_path("/bin/echo"));
}

TEST_F(ProcessDriverTest, SandboxesAreHostNetworkRecords) {
  auto id = driver_->run_pod_sandbox(pod_config("web", harness_.logs_dir));
  auto status = driver_->pod_sandbox_status(id);
  EXPECT_EQ(status.state, SandboxState::Ready);
  EXPECT_EQ(status.ip, "127.0.0.1");
  EXPECT_TRUE(status.host_network);
  EXPECT_EQ(status.metadata.name, "web");
  auto container = run("c", "while :; do sleep 0.1; done");
  driver_->stop_pod_sandbox(sandbox_);
  EXPECT_EQ(driver_->pod_sandbox_status(sandbox_).state, SandboxState::NotReady);
  EXPECT_EQ(driver_->container_status(container).state, ContainerState::Exited);
  EXPECT_EQ(driver_->list_pod_sandboxes({"", SandboxState::Ready, {}}).size(), 1u);
  driver_->remove_pod_sandbox(sandbox_);
  EXPECT_THROW(driver_->container_status(container), RuntimeError);
  EXPECT_THROW(driver_->pod_sandbox_status(sandbox_), RuntimeError);
}

TEST_F(ProcessDriverTest, SignalsToTheMonitorAreForwardedToTheContainer) {
  auto id = run("forwarded", "while :; do sleep 0.1; done");
  auto start = read_start_record(harness_.state_dir / "containers" / id);
  ASSERT_TRUE(start);
  ::kill(start->monitor_pid, SIGTERM);  // as a shutdown that signals every process would
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  EXPECT_EQ(driver_->container_status(id).exit_code, 128 + SIGTERM);
}

TEST_F(ProcessDriverTest, AHandlerMayUnsubscribeItself) {
  std::atomic<int> calls{0};
  uint64_t subscription = 0;
  std::mutex mutex;
  std::unique_lock hold(mutex);  // the handler waits until `subscription` is set
  subscription = driver_->subscribe([&](const ContainerEvent&) {
    std::lock_guard lock(mutex);
    ++calls;
    driver_->unsubscribe(subscription);  // on the event thread: must not wait for itself
  });
  hold.unlock();
  auto id = run("once", "exit 0");
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  ASSERT_TRUE(eventually([&] { return calls.load() == 1; }));
  driver_->remove_container(id);
  // Once a later container's Deleted event is delivered, the unsubscribed handler has
  // missed every event since its first one.
  auto witness = std::make_shared<std::atomic<bool>>(false);
  driver_->subscribe([witness](const ContainerEvent& e) {
    if (e.type == ContainerEventType::Deleted) *witness = true;
  });
  auto other = run("other", "exit 0");
  driver_->remove_container(other);
  EXPECT_TRUE(eventually([&] { return witness->load(); }));
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(ProcessDriverTest, StatsReportCpuAndMemoryOfTheProcess) {
  auto id = run("busy", "while :; do :; done");
  ContainerFilter by_id;
  by_id.id = id;
  ASSERT_TRUE(eventually([&] {
    auto stats = driver_->list_container_stats(by_id);
    return stats.size() == 1 && stats[0].cpu_usage_core_nanoseconds > 0 &&
           stats[0].memory_working_set_bytes > 0;
  })) << "no CPU time or memory reported for a busy process";
  driver_->stop_container(id, 0s);
}

TEST_F(ProcessDriverTest, ACommandNotOnPathFailsTheCreate) {
  sandbox_ = driver_->run_pod_sandbox(pod_config("pod", harness_.logs_dir));
  auto config = shell_container("missing", "");
  config.command = {"no-such-command-anywhere"};
  try {
    driver_->create_container(sandbox_, config, pod_config("pod", harness_.logs_dir));
    FAIL() << "created a container that cannot run";
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::NotFound);
    EXPECT_NE(std::string(e.what()).find("PATH"), std::string::npos) << e.what();
  }
  config.command = {"sh", "-c", "exit 9"};  // found on the default PATH
  auto id = driver_->create_container(sandbox_, config, pod_config("pod", harness_.logs_dir));
  driver_->start_container(id);
  ASSERT_TRUE(eventually([&] { return exited(id); }));
  EXPECT_EQ(driver_->container_status(id).exit_code, 9);
}

TEST(ProcessImageNames, ShortNameDropsRegistryTagAndDigest) {
  EXPECT_EQ(image_short_name("busybox"), "busybox");
  EXPECT_EQ(image_short_name("busybox:1.36"), "busybox");
  EXPECT_EQ(image_short_name("registry:5000/ns/busybox:1.36@sha256:abc"), "busybox");
  EXPECT_EQ(image_repository("registry:5000/ns/busybox:1.36"), "registry:5000/ns/busybox");
  EXPECT_EQ(image_repository("registry:5000/busybox"), "registry:5000/busybox");
}

TEST(ProcessRuntimeSettings, DefaultsAndErrors) {
  ProcessRuntimeConfig config;
  config.set_monitor_path(UKUBE_CONTAINER_MONITOR_PATH);
  auto settings = settings_from(config);
  EXPECT_EQ(settings.node_ip, "127.0.0.1");
  EXPECT_EQ(settings.log_max_size_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(settings.log_max_files, 5u);
  EXPECT_EQ(settings.rlimit_nofile, 1048576u);
  config.set_node_ip("not-an-ip");
  EXPECT_THROW(settings_from(config), std::invalid_argument);
  config.set_node_ip("10.0.0.1");
  (*config.mutable_images())["x"] = "relative/path";
  EXPECT_THROW(settings_from(config), std::invalid_argument);
  config.mutable_images()->clear();
  config.set_monitor_path("/nonexistent/monitor");
  EXPECT_THROW(settings_from(config), std::invalid_argument);
}

TEST(ProcessRuntimeSettings, MonitorIsFoundBesideTheCode) {
  // The test binary and the monitor are both in bin/.
  EXPECT_EQ(std::filesystem::canonical(find_default_monitor()),
            std::filesystem::canonical(UKUBE_CONTAINER_MONITOR_PATH));
}

}  // namespace
}  // namespace ukube::runtime::process
