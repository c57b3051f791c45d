// What the fake's containers do, on a manual clock: delayed starts, exits, stops and kills at
// exactly the configured times, logs, stats, exec, attach and events.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>

#include "fake_exec.h"
#include "fake_test_support.h"

namespace ukube::runtime::fake::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

FakeRuntimeConfig behaviour_config() {
  FakeRuntimeConfig config;
  auto& images = *config.mutable_images();
  images["slow-start"].set_start_delay_ms(500);
  images["job"].set_exit_after_ms(1000);
  images["job"].set_exit_code(2);
  images["job-ok"].set_exit_after_ms(10);
  images["stubborn"].set_ignores_sigterm(true);
  images["chatty"].add_log_lines("hello");
  images["chatty"].add_log_lines("world");
  images["busy"].set_cpu_nanocores(250'000'000);  // a quarter of a core
  images["busy"].set_memory_bytes(64 << 20);
  images["probe"].set_exec_output("ok\n");
  images["probe"].set_exec_exit_code(1);
  images["broken"].set_pull_fails(true);
  return config;
}

RuntimeError::Code code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const RuntimeError& e) {
    return e.code();
  }
  ADD_FAILURE() << "no RuntimeError";
  return RuntimeError::Code::Internal;
}

TEST(FakeBehaviour, StartDelayPassesOnTheSchedulerBeforeRunning) {
  FakeOnManualClock fake(behaviour_config());
  const std::string id = fake.create("web", "slow-start:1.0");
  const int64_t started = fake.clock->now();
  fake.driver->start_container(id);
  EXPECT_EQ(fake.status(id).state, ContainerState::Created);
  EXPECT_EQ(code_of([&] { fake.driver->start_container(id); }), RuntimeError::Code::FailedPrecondition)
      << "already starting";
  fake.clock->advance(milliseconds(499));
  EXPECT_EQ(fake.status(id).state, ContainerState::Created);
  fake.clock->advance(milliseconds(1));
  const ContainerStatus running = fake.status(id);
  EXPECT_EQ(running.state, ContainerState::Running);
  EXPECT_EQ(running.started_at, started + 500 * kMs);
}

TEST(FakeBehaviour, ExitsByItselfAfterItsTimeWithItsCode) {
  FakeOnManualClock fake(behaviour_config());
  const std::string failing = fake.create("batch", "job", "failing");
  const std::string passing = fake.create("batch", "job-ok", "passing");
  const int64_t t0 = fake.clock->now();
  fake.driver->start_container(failing);
  fake.driver->start_container(passing);
  fake.clock->advance(milliseconds(999));
  EXPECT_EQ(fake.status(failing).state, ContainerState::Running);
  const ContainerStatus ok = fake.status(passing);
  EXPECT_EQ(ok.state, ContainerState::Exited);
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.reason, "Completed");
  EXPECT_EQ(ok.finished_at, t0 + 10 * kMs);
  fake.clock->advance(milliseconds(1));
  const ContainerStatus failed = fake.status(failing);
  EXPECT_EQ(failed.state, ContainerState::Exited);
  EXPECT_EQ(failed.exit_code, 2);
  EXPECT_EQ(failed.reason, "Error");
  EXPECT_EQ(failed.finished_at, t0 + 1000 * kMs);
  EXPECT_EQ(code_of([&] { fake.driver->start_container(failing); }), RuntimeError::Code::FailedPrecondition)
      << "a container runs once";
}

TEST(FakeBehaviour, StopWithATimeoutIsACleanExit) {
  FakeOnManualClock fake(behaviour_config());
  const std::string id = fake.create("web", "nginx");
  fake.driver->start_container(id);
  fake.clock->advance(seconds(3));
  fake.driver->stop_container(id, seconds(30));
  const ContainerStatus stopped = fake.status(id);
  EXPECT_EQ(stopped.state, ContainerState::Exited);
  EXPECT_EQ(stopped.exit_code, kCleanStopExitCode);
  EXPECT_EQ(stopped.reason, "Completed");
  EXPECT_EQ(stopped.finished_at, fake.clock->now());
}

TEST(FakeBehaviour, StopWithZeroTimeoutKillsWith137) {
  FakeOnManualClock fake(behaviour_config());
  const std::string id = fake.create("web", "nginx");
  fake.driver->start_container(id);
  fake.driver->stop_container(id, seconds(0));
  EXPECT_EQ(fake.status(id).exit_code, kKilledExitCode);
  EXPECT_EQ(fake.status(id).reason, "Error");
}

TEST(FakeBehaviour, IgnoringSigtermIsKilledExactlyWhenTheTimeoutPasses) {
  FakeOnManualClock fake(behaviour_config());
  const std::string id = fake.create("web", "stubborn");
  fake.driver->start_container(id);
  const int64_t t0 = fake.clock->now();
  ASSERT_EQ(fake.clock->pending(), 0u);

  auto stop = std::async(std::launch::async, [&] { fake.driver->stop_container(id, seconds(5)); });
  ASSERT_TRUE(fake.clock->wait_for_pending(1)) << "stop scheduled no kill";
  fake.clock->advance(milliseconds(4999));
  EXPECT_EQ(stop.wait_for(seconds(0)), std::future_status::timeout) << "stop returned before the kill";
  EXPECT_EQ(fake.status(id).state, ContainerState::Running);
  fake.clock->advance(milliseconds(1));
  ASSERT_EQ(stop.wait_for(seconds(10)), std::future_status::ready);
  const ContainerStatus killed = fake.status(id);
  EXPECT_EQ(killed.state, ContainerState::Exited);
  EXPECT_EQ(killed.exit_code, kKilledExitCode);
  EXPECT_EQ(killed.reason, "Error");
  EXPECT_EQ(killed.finished_at, t0 + 5000 * kMs);
}

TEST(FakeBehaviour, StoppingAContainerStillStartingKillsIt) {
  FakeOnManualClock fake(behaviour_config());
  const std::string id = fake.create("web", "slow-start");
  fake.driver->start_container(id);
  fake.driver->stop_container(id, seconds(30));
  EXPECT_EQ(fake.status(id).state, ContainerState::Exited);
  EXPECT_EQ(fake.status(id).exit_code, kKilledExitCode);
  fake.clock->advance(seconds(1));  // the start delay's task finds it stopped
  EXPECT_EQ(fake.status(id).state, ContainerState::Exited);
  EXPECT_EQ(fake.status(id).started_at, 0);
}

TEST(FakeBehaviour, LogLinesAreWrittenAtStartAndOtherwiseNoFileAtAll) {
  FakeOnManualClock fake(behaviour_config());
  const std::string chatty = fake.create("web", "chatty", "chatty");
  const std::string quiet = fake.create("web", "nginx", "quiet");
  fake.driver->start_container(chatty);
  fake.driver->start_container(quiet);
  const ContainerStatus status = fake.status(chatty);
  std::ifstream in(status.log_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"2023-11-14T22:13:20.000000000Z stdout F hello",
                                             "2023-11-14T22:13:20.000000000Z stdout F world"}));
  EXPECT_FALSE(std::filesystem::exists(fake.status(quiet).log_path));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(fake.status(quiet).log_path).parent_path()));
}

TEST(FakeBehaviour, StatsReportConfiguredUsageAndCpuGrowsWithTime) {
  FakeOnManualClock fake(behaviour_config());
  const std::string busy = fake.create("web", "busy", "busy");
  const std::string idle = fake.create("web", "nginx", "idle");
  fake.driver->start_container(busy);
  ContainerFilter by_id;
  by_id.id = busy;
  EXPECT_EQ(fake.driver->list_container_stats(by_id).at(0).cpu_usage_core_nanoseconds, 0u);
  fake.clock->advance(seconds(2));
  const auto stats = fake.driver->list_container_stats(by_id);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].cpu_usage_core_nanoseconds, 500'000'000u) << "a quarter core for two seconds";
  EXPECT_EQ(stats[0].memory_working_set_bytes, 64u << 20);
  EXPECT_EQ(stats[0].timestamp, fake.clock->now());
  EXPECT_EQ(fake.driver->list_container_stats({}).size(), 1u) << idle << " is not running: no stats";
}

TEST(FakeBehaviour, ExecAnswersWithTheImagesOutputAndScriptedSleepsTakeTheirTime) {
  FakeOnManualClock fake(behaviour_config());
  const std::string id = fake.create("web", "probe");
  EXPECT_EQ(code_of([&] { fake.driver->exec_sync(id, {"true"}, seconds(1)); }),
            RuntimeError::Code::FailedPrecondition)
      << "not running yet";
  fake.driver->start_container(id);
  const ExecSyncResult result = fake.driver->exec_sync(id, {"cat", "/ready"}, seconds(1));
  EXPECT_EQ(result.stdout_, "ok\n");
  EXPECT_EQ(result.exit_code, 1);

  auto sleeper = std::async(std::launch::async, [&] {
    return fake.driver->exec_sync(id, {kScriptedExec, "sleep", "2"}, seconds(5));
  });
  ASSERT_TRUE(fake.clock->wait_for_pending(1));
  fake.clock->advance(seconds(2));
  ASSERT_EQ(sleeper.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(sleeper.get().exit_code, 0);

  auto too_slow = std::async(std::launch::async, [&] {
    return code_of([&] { fake.driver->exec_sync(id, {kScriptedExec, "sleep", "60"}, seconds(5)); });
  });
  ASSERT_TRUE(fake.clock->wait_for_pending(1));
  fake.clock->advance(seconds(5));
  ASSERT_EQ(too_slow.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(too_slow.get(), RuntimeError::Code::DeadlineExceeded);
}

struct StreamLog {
  std::vector<std::string> calls;
  StreamCallbacks callbacks() {
    StreamCallbacks cb;
    cb.on_stdout = [this](std::string_view data) { calls.push_back("stdout:" + std::string(data)); };
    cb.on_exit = [this](int code) { calls.push_back("exit:" + std::to_string(code)); };
    return cb;
  }
};

TEST(FakeBehaviour, ExecAndAttachSessionsCallBackOnTheScheduler) {
  FakeOnManualClock fake(behaviour_config());
  const std::string id = fake.create("web", "probe");
  fake.driver->start_container(id);

  StreamLog exec_log;
  StreamRequest request;
  request.container_id = id;
  request.cmd = {kScriptedExec, "print", "hi", "4"};
  auto exec = fake.driver->exec(request, exec_log.callbacks());
  EXPECT_TRUE(exec_log.calls.empty()) << "callbacks come from the driver's thread, later";
  fake.clock->run_due();
  EXPECT_EQ(exec_log.calls, (std::vector<std::string>{"stdout:hi", "exit:4"}));

  StreamLog dropped_log;
  fake.driver->exec(request, dropped_log.callbacks()).reset();  // destroyed at once
  fake.clock->run_due();
  EXPECT_TRUE(dropped_log.calls.empty()) << "no callback after the session is destroyed";

  StreamLog attach_log;
  auto attach = fake.driver->attach(request, attach_log.callbacks());
  fake.clock->run_due();
  EXPECT_TRUE(attach_log.calls.empty()) << "the container still runs";
  fake.driver->stop_container(id, seconds(0));
  fake.clock->run_due();
  EXPECT_EQ(attach_log.calls, (std::vector<std::string>{"exit:137"}));
  fake.driver->remove_container(id);
  fake.clock->run_due();
  EXPECT_EQ(attach_log.calls.size(), 1u) << "on_exit exactly once";
}

TEST(FakeBehaviour, EventsWaitForTheSchedulerAndNeedASubscriber) {
  FakeOnManualClock fake(behaviour_config());
  const std::string unheard = fake.create("web", "nginx", "unheard");
  EXPECT_EQ(fake.clock->pending(), 0u) << "no subscriber: no work queued";

  std::vector<std::pair<std::string, ContainerEventType>> seen;
  const uint64_t subscription =
      fake.driver->subscribe([&](const ContainerEvent& e) { seen.emplace_back(e.container_id, e.type); });
  const std::string id = fake.create("web", "job-ok", "heard");
  fake.driver->start_container(id);
  EXPECT_TRUE(seen.empty());
  fake.clock->advance(milliseconds(10));
  EXPECT_EQ(seen,
            (std::vector<std::pair<std::string, ContainerEventType>>{{id, ContainerEventType::Created},
                                                                     {id, ContainerEventType::Started},
                                                                     {id, ContainerEventType::Stopped}}));
  fake.driver->remove_container(id);
  fake.driver->unsubscribe(subscription);
  fake.clock->run_due();
  EXPECT_EQ(seen.size(), 3u) << "queued before unsubscribe, delivered after it: dropped";
  (void)unheard;
}

TEST(FakeBehaviour, PullFailuresReadLikeErrImagePull) {
  FakeOnManualClock fake(behaviour_config());
  try {
    fake.driver->pull_image("broken:1.0");
    ADD_FAILURE() << "the pull succeeded";
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::Unavailable);
    EXPECT_EQ(std::string(e.what()).rfind("failed to pull image \"broken:1.0\": ", 0), 0u) << e.what();
  }
  const std::string id = fake.driver->pull_image("nginx");
  const auto image = fake.driver->image_status("nginx:latest");
  ASSERT_TRUE(image);
  EXPECT_EQ(image->id, id);
  EXPECT_EQ(image->repo_tags, std::vector<std::string>{"nginx:latest"});
  EXPECT_TRUE(fake.driver->image_status(id)) << "found by id too";
}

TEST(FakeBehaviour, NamesAreReservedAndStoppedSandboxesTakeNoContainers) {
  FakeOnManualClock fake(behaviour_config());
  const std::string sandbox = fake.run_sandbox("web");
  EXPECT_EQ(code_of([&] { fake.run_sandbox("web"); }), RuntimeError::Code::AlreadyExists);
  const std::string app = fake.create("web", "nginx", "app");
  EXPECT_EQ(code_of([&] { fake.create("web", "nginx", "app"); }), RuntimeError::Code::AlreadyExists);
  fake.driver->stop_pod_sandbox(sandbox);
  EXPECT_EQ(fake.status(app).state, ContainerState::Created) << "never started: nothing to stop";
  EXPECT_EQ(code_of([&] { fake.driver->start_container(app); }), RuntimeError::Code::FailedPrecondition);
  EXPECT_EQ(code_of([&] { fake.create("web", "nginx", "late"); }), RuntimeError::Code::FailedPrecondition);
  fake.driver->remove_pod_sandbox(sandbox);
  EXPECT_NO_THROW(fake.run_sandbox("web")) << "the name is free again";
}

}  // namespace
}  // namespace ukube::runtime::fake::testing
