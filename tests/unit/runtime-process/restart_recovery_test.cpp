// Containers outlive the daemon (DESIGN.md §6): a driver destroyed while containers run
// and a new one on the same state folder see the same world, including exits that happened
// while no driver was there.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "process_test_support.h"
#include "ukube/node/records.h"

namespace ukube::runtime::process {
namespace {

using namespace std::chrono_literals;
using testing::DriverHarness;
using testing::eventually;
using testing::pod_config;
using testing::shell_container;

TEST(ProcessRestartRecovery, ANewDriverFindsRunningAndExitedContainers) {
  DriverHarness harness;
  auto release = harness.dir.path() / "release";
  std::string sandbox, keeps_running, exits_meanwhile;
  StartRecord monitor;
  {
    auto first = harness.make_driver();
    sandbox = first->run_pod_sandbox(pod_config("survivor", harness.logs_dir));
    auto pod = pod_config("survivor", harness.logs_dir);
    keeps_running =
        first->create_container(sandbox, shell_container("loop", "while :; do sleep 0.1; done"), pod);
    first->start_container(keeps_running);
    exits_meanwhile = first->create_container(
        sandbox,
        shell_container("waiter", "while [ ! -e '" + release.string() + "' ]; do sleep 0.05; done; exit 42"),
        pod);
    first->start_container(exits_meanwhile);
    monitor = *read_start_record(harness.state_dir / "containers" / keeps_running);
  }  // the daemon goes away; its containers must not

  // The monitor is not the daemon's child, nor in its session or process group, so nothing
  // that ends the daemon reaches it; the container leads a session of its own.
  EXPECT_NE(::getsid(monitor.monitor_pid), ::getsid(0));
  EXPECT_NE(::getpgid(monitor.monitor_pid), ::getpgid(0));
  EXPECT_EQ(::getsid(monitor.pid), monitor.pid);

  std::ofstream(release).put('x');  // the second container exits while no driver runs
  auto exit_dir = harness.state_dir / "containers" / exits_meanwhile;
  ASSERT_TRUE(eventually([&] { return read_exit_record(exit_dir).has_value(); }));

  auto second = harness.make_driver();
  auto sandboxes = second->list_pod_sandboxes();
  ASSERT_EQ(sandboxes.size(), 1u);
  EXPECT_EQ(sandboxes[0].id, sandbox);
  EXPECT_EQ(sandboxes[0].metadata.name, "survivor");
  auto containers = second->list_containers({"", sandbox, std::nullopt, {}});
  ASSERT_EQ(containers.size(), 2u);
  auto running = second->container_status(keeps_running);
  EXPECT_EQ(running.state, ContainerState::Running);
  EXPECT_EQ(running.metadata.name, "loop");
  EXPECT_EQ(running.labels.at(label::kContainerName), "loop");
  auto exited = second->container_status(exits_meanwhile);
  EXPECT_EQ(exited.state, ContainerState::Exited);
  EXPECT_EQ(exited.exit_code, 42);
  EXPECT_EQ(exited.reason, "Error");

  // The new driver controls what the old one started, and hears about its exits.
  std::atomic<bool> stopped_event{false};
  second->subscribe([&](const ContainerEvent& e) {
    if (e.container_id == keeps_running && e.type == ContainerEventType::Stopped) stopped_event = true;
  });
  second->stop_container(keeps_running, 5s);
  auto stopped = second->container_status(keeps_running);
  EXPECT_EQ(stopped.state, ContainerState::Exited);
  EXPECT_EQ(stopped.exit_code, 128 + SIGTERM);
  EXPECT_TRUE(eventually([&] { return stopped_event.load(); }));
  second->remove_pod_sandbox(sandbox);
}

TEST(ProcessRestartRecovery, ContainersSurviveAKill9OfTheDaemon) {
  DriverHarness harness;
  int ids[2];
  ASSERT_EQ(::pipe(ids), 0);
  // The "daemon": a child process with a driver of its own, killed with SIGKILL once its
  // container runs. It never returns into the test framework.
  pid_t daemon = ::fork();
  ASSERT_GE(daemon, 0);
  if (daemon == 0) {
    ::close(ids[0]);
    std::string id;
    try {
      auto driver = harness.make_driver();
      auto pod = pod_config("daemon", harness.logs_dir);
      auto sandbox = driver->run_pod_sandbox(pod);
      id = driver->create_container(sandbox, shell_container("c", "while :; do sleep 0.1; done"), pod);
      driver->start_container(id);
    } catch (...) {
      id = "failed";
    }
    [[maybe_unused]] auto n = ::write(ids[1], id.data(), id.size());
    ::close(ids[1]);
    for (;;) ::pause();
  }
  ::close(ids[1]);
  char buffer[128] = {};
  auto n = ::read(ids[0], buffer, sizeof buffer - 1);  // the child's pipe end closes if it dies
  ::close(ids[0]);
  ::kill(daemon, SIGKILL);
  ::waitpid(daemon, nullptr, 0);
  std::string id(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  ASSERT_EQ(id.size(), 64u) << "the daemon process could not start its container: " << id;

  auto driver = harness.make_driver();
  auto status = driver->container_status(id);
  EXPECT_EQ(status.state, ContainerState::Running) << "the container died with the daemon";
  driver->stop_container(id, std::chrono::seconds(5));
  EXPECT_EQ(driver->container_status(id).exit_code, 128 + SIGTERM);
  driver->remove_pod_sandbox(status.pod_sandbox_id);
}

TEST(ProcessRestartRecovery, AContainerKilledWhileNoDriverRunsReportsItsSignal) {
  DriverHarness harness;
  std::string sandbox, id;
  {
    auto first = harness.make_driver();
    auto pod = pod_config("victim", harness.logs_dir);
    sandbox = first->run_pod_sandbox(pod);
    id = first->create_container(sandbox, shell_container("c", "while :; do sleep 0.1; done"), pod);
    first->start_container(id);
  }
  auto start = read_start_record(harness.state_dir / "containers" / id);
  ASSERT_TRUE(start);
  ::kill(-start->pid, SIGKILL);
  auto second = harness.make_driver();
  ASSERT_TRUE(eventually([&] { return second->container_status(id).state == ContainerState::Exited; }));
  EXPECT_EQ(second->container_status(id).exit_code, 128 + SIGKILL);
  second->remove_pod_sandbox(sandbox);
}

TEST(ProcessRestartRecovery, AMonitorKilledWithItsContainerIsReportedAsLost) {
  DriverHarness harness;
  auto driver = harness.make_driver();
  auto pod = pod_config("lost", harness.logs_dir);
  auto sandbox = driver->run_pod_sandbox(pod);
  auto id = driver->create_container(sandbox, shell_container("c", "while :; do sleep 0.1; done"), pod);
  driver->start_container(id);
  auto start = *read_start_record(harness.state_dir / "containers" / id);
  ::kill(start.monitor_pid, SIGKILL);
  ::kill(-start.pid, SIGKILL);
  ASSERT_TRUE(eventually([&] { return driver->container_status(id).state == ContainerState::Exited; }));
  auto status = driver->container_status(id);
  EXPECT_EQ(status.exit_code, 255);
  EXPECT_NE(status.message.find("monitor"), std::string::npos) << status.message;
  driver->remove_pod_sandbox(sandbox);
}

}  // namespace
}  // namespace ukube::runtime::process
