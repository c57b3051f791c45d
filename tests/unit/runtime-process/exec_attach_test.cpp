// exec_sync, streaming exec and attach in the process runtime: commands run in the
// container's working directory and environment; attach follows the log and writes stdin.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <sstream>

#include "process_test_support.h"

namespace ukube::runtime::process {
namespace {

using namespace std::chrono_literals;
using testing::DriverHarness;
using testing::eventually;
using testing::pod_config;
using testing::shell_container;

// What a stream session delivered, safe to read from the test's thread.
struct Received {
  std::mutex mutex;
  std::string out, err;
  std::optional<int> exit_code;
  StreamCallbacks callbacks() {
    return StreamCallbacks{[this](std::string_view d) {
                             std::lock_guard lock(mutex);
                             out.append(d);
                           },
                           [this](std::string_view d) {
                             std::lock_guard lock(mutex);
                             err.append(d);
                           },
                           [this](int code) {
                             std::lock_guard lock(mutex);
                             exit_code = code;
                           }};
  }
  bool stdout_has(const std::string& text) {
    std::lock_guard lock(mutex);
    return out.find(text) != std::string::npos;
  }
  std::optional<int> exit() {
    std::lock_guard lock(mutex);
    return exit_code;
  }
};

class ProcessExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    driver_ = harness_.make_driver();
    pod_ = pod_config("exec", harness_.logs_dir);
    sandbox_ = driver_->run_pod_sandbox(pod_);
  }
  void TearDown() override { driver_->remove_pod_sandbox(sandbox_); }
  std::string start(ContainerConfig config) {
    auto id = driver_->create_container(sandbox_, config, pod_);
    driver_->start_container(id);
    return id;
  }

  DriverHarness harness_;
  std::unique_ptr<ProcessDriver> driver_;
  PodSandboxConfig pod_;
  std::string sandbox_;
};

TEST_F(ProcessExecTest, ExecSyncRunsInTheContainersCwdAndEnv) {
  auto config = shell_container("c", "while :; do sleep 0.1; done");
  config.working_dir = harness_.dir.path().string();
  config.envs = {{"FOO", "bar"}};
  auto id = start(config);
  auto result = driver_->exec_sync(id, {"sh", "-c", "pwd; echo $FOO; echo oops >&2; exit 3"}, 10s);
  EXPECT_EQ(result.stdout_, harness_.dir.path().string() + "\nbar\n");
  EXPECT_EQ(result.stderr_, "oops\n");
  EXPECT_EQ(result.exit_code, 3);
}

TEST_F(ProcessExecTest, ExecSyncTimeoutKillsAndThrowsDeadlineExceeded) {
  auto id = start(shell_container("c", "while :; do sleep 0.1; done"));
  try {
    driver_->exec_sync(id, {"sleep", "60"}, 1s);
    FAIL() << "the exec outlived its timeout";
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::DeadlineExceeded);
  }
  try {
    driver_->exec_sync(id, {"no-such-command-here"}, 1s);
    FAIL();
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::NotFound);
  }
}

TEST_F(ProcessExecTest, ExecNeedsARunningContainer) {
  auto id = start(shell_container("c", "exit 0"));
  ASSERT_TRUE(eventually([&] { return driver_->container_status(id).state == ContainerState::Exited; }));
  try {
    driver_->exec_sync(id, {"true"}, 1s);
    FAIL();
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::FailedPrecondition);
  }
}

TEST_F(ProcessExecTest, StreamingExecWithPipes) {
  auto id = start(shell_container("c", "while :; do sleep 0.1; done"));
  Received received;
  StreamRequest request{id, {"sh", "-c", "cat; echo done >&2; exit 4"}, true, true, true, false};
  auto session = driver_->exec(request, received.callbacks());
  session->write_stdin("hello\n");
  EXPECT_TRUE(eventually([&] { return received.stdout_has("hello\n"); }));
  session->close_stdin();
  ASSERT_TRUE(eventually([&] { return received.exit().has_value(); }));
  EXPECT_EQ(*received.exit(), 4);
  std::lock_guard lock(received.mutex);
  EXPECT_EQ(received.out, "hello\n");
  EXPECT_EQ(received.err, "done\n");
}

TEST_F(ProcessExecTest, StreamingExecWithATerminal) {
  auto id = start(shell_container("c", "while :; do sleep 0.1; done"));
  Received received;
  StreamRequest request{id, {"sh", "-c", "tty; exit 0"}, false, true, true, true};
  auto session = driver_->exec(request, received.callbacks());
  session->resize(120, 40);
  ASSERT_TRUE(eventually([&] { return received.exit().has_value(); }));
  EXPECT_TRUE(received.stdout_has("/dev/pts/"));
}

TEST_F(ProcessExecTest, DestroyingAnExecSessionKillsItsProcess) {
  auto id = start(shell_container("c", "while :; do sleep 0.1; done"));
  Received received;
  StreamRequest request{id, {"sh", "-c", "echo started; exec sleep 60"}, false, true, true, false};
  auto session = driver_->exec(request, received.callbacks());
  ASSERT_TRUE(eventually([&] { return received.stdout_has("started"); }));
  session.reset();  // returns once the process is gone and on_exit ran
  ASSERT_TRUE(received.exit().has_value());
  EXPECT_EQ(*received.exit(), 128 + SIGKILL);
}

TEST_F(ProcessExecTest, AttachFollowsOutputAndWritesStdin) {
  auto config = shell_container("c", "while read line; do echo got $line; done; echo bye >&2; exit 5");
  config.stdin_ = true;
  config.stdin_once = true;
  auto id = start(config);
  Received received;
  StreamRequest request{id, {}, true, true, true, false};
  auto session = driver_->attach(request, received.callbacks());
  session->write_stdin("one\n");
  EXPECT_TRUE(eventually([&] { return received.stdout_has("got one\n"); }));
  session->close_stdin();  // stdin_once: the container reads end-of-file
  ASSERT_TRUE(eventually([&] { return received.exit().has_value(); }));
  EXPECT_EQ(*received.exit(), 5);
  std::lock_guard lock(received.mutex);
  EXPECT_EQ(received.err, "bye\n");
}

TEST_F(ProcessExecTest, AttachToAContainerOnATerminal) {
  auto config =
      shell_container("c", "[ -t 0 ] && echo on-a-tty; read line; echo \"got $line\"; stty size; exit 3");
  config.stdin_ = true;
  config.tty = true;
  auto id = start(config);
  auto log = driver_->container_status(id).log_path;
  ASSERT_TRUE(eventually([&] { return !testing::log_lines(log).empty(); }));
  Received received;
  StreamRequest request{id, {}, true, true, true, true};
  auto session = driver_->attach(request, received.callbacks());
  session->resize(100, 30);
  session->write_stdin("hello\n");
  ASSERT_TRUE(eventually([&] { return received.exit().has_value(); }));
  EXPECT_EQ(*received.exit(), 3);
  EXPECT_TRUE(received.stdout_has("got hello")) << received.out;
  EXPECT_TRUE(received.stdout_has("30 100")) << received.out;
  auto lines = testing::log_lines(log);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("stdout F on-a-tty"), std::string::npos) << lines[0];
}

TEST_F(ProcessExecTest, AttachFollowsTheLogAcrossRotations) {
  harness_.settings.log_max_size_bytes = 300;
  harness_.settings.log_max_files = 3;
  driver_ = harness_.make_driver();
  auto config = shell_container("c", "read go; i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done");
  config.stdin_ = true;
  auto id = start(config);
  Received received;
  StreamRequest request{id, {}, true, true, true, false};
  auto session = driver_->attach(request, received.callbacks());
  session->write_stdin("go\n");  // the output starts once the session follows the log
  ASSERT_TRUE(eventually([&] { return received.exit().has_value(); }));
  // Rotation deletes the oldest files, so a reader the container outran by more than the
  // kept files loses lines (as `kubectl logs -f` does); it never repeats or reorders them,
  // and it reaches the end.
  std::lock_guard lock(received.mutex);
  std::istringstream lines(received.out);
  int previous = -1;
  for (std::string line; std::getline(lines, line);) {
    ASSERT_EQ(line.rfind("line-", 0), 0u) << line;
    int number = std::stoi(line.substr(5));
    EXPECT_GT(number, previous) << received.out;
    previous = number;
  }
  EXPECT_EQ(received.out.rfind("line-0\n", 0), 0u) << "the first line, written before any rotation";
  EXPECT_EQ(previous, 199);
}

TEST_F(ProcessExecTest, ManyLinesReachTheLogInOrder) {
  auto id = start(shell_container("c", "i=0; while [ $i -lt 5000 ]; do echo line-$i; i=$((i+1)); done"));
  ASSERT_TRUE(eventually([&] { return driver_->container_status(id).state == ContainerState::Exited; }));
  auto lines = testing::log_lines(driver_->container_status(id).log_path);
  ASSERT_EQ(lines.size(), 5000u);
  for (int i = 0; i < 5000; i += 499) EXPECT_EQ(lines[i].substr(31), "stdout F line-" + std::to_string(i));
}

TEST_F(ProcessExecTest, AttachStdinNeedsAContainerWithStdin) {
  auto id = start(shell_container("c", "while :; do sleep 0.1; done"));
  Received received;
  StreamRequest request{id, {}, true, true, true, false};
  try {
    driver_->attach(request, received.callbacks());
    FAIL();
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::FailedPrecondition);
  }
}

}  // namespace
}  // namespace ukube::runtime::process
