// Runtime conformance: what containers do — exits and their logs, stops that need a kill,
// exec, port forwarding, pushed events, images and stats.
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>

#include "runtime_conformance_support.h"

namespace ukube::runtime::conformance {
namespace {

using support::create_and_start;
using support::create_container;
using support::error_code;
using support::eventually;
using support::free_port;
using support::RunningSandbox;
using support::wait_for_state;

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Collects the events of the containers it is told about, for a test to wait on.
class EventRecorder {
 public:
  ContainerEventHandler handler() {
    return [this](const ContainerEvent& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
      changed_.notify_all();
    };
  }
  // Waits (bounded) until `container_id` has had an event of `type`.
  bool wait_for(const std::string& container_id, ContainerEventType type) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, support::kPatience, [&] { return index_of(container_id, type) >= 0; });
  }
  std::vector<ContainerEventType> types_of(const std::string& container_id) {
    std::lock_guard lock(mutex_);
    std::vector<ContainerEventType> types;
    for (const auto& e : events_)
      if (e.container_id == container_id) types.push_back(e.type);
    return types;
  }
  std::vector<ContainerEvent> events_of(const std::string& container_id) {
    std::lock_guard lock(mutex_);
    std::vector<ContainerEvent> out;
    for (const auto& e : events_)
      if (e.container_id == container_id) out.push_back(e);
    return out;
  }

 private:
  int index_of(const std::string& container_id, ContainerEventType type) const {
    for (size_t i = 0; i < events_.size(); ++i)
      if (events_[i].container_id == container_id && events_[i].type == type) return static_cast<int>(i);
    return -1;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ContainerEvent> events_;
};

// What an exec or attach session delivered, for a test to wait on.
class StreamOutcome {
 public:
  StreamCallbacks callbacks() {
    StreamCallbacks cb;
    cb.on_stdout = [this](std::string_view data) {
      std::lock_guard lock(mutex_);
      stdout_.append(data);
    };
    cb.on_stderr = [](std::string_view) {};
    cb.on_exit = [this](int code) {
      std::lock_guard lock(mutex_);
      ++exits_;
      exit_code_ = code;
      changed_.notify_all();
    };
    return cb;
  }
  bool wait_for_exit() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, support::kPatience, [&] { return exits_ > 0; });
  }
  int exits() {
    std::lock_guard lock(mutex_);
    return exits_;
  }
  int exit_code() {
    std::lock_guard lock(mutex_);
    return exit_code_;
  }
  std::string stdout_text() {
    std::lock_guard lock(mutex_);
    return stdout_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string stdout_;
  int exits_ = 0;
  int exit_code_ = -1;
};

}  // namespace

TEST_P(RuntimeConformance, PrintsAndExitsWithItsCodeAndCriLog) {
  const PodSandboxConfig config = sandbox_config("job");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::vector<std::string> lines = {"first line", "second: with spaces", "third"};
  struct Case {
    std::string name;
    int exit_code;
    std::string reason;
  };
  for (const Case& c : {Case{"succeeds", 0, "Completed"}, Case{"fails", 3, "Error"}}) {
    SCOPED_TRACE(c.name);
    const std::string id = create_container(
        driver(), pod, container_config(recipes().prints_and_exits(lines, c.exit_code), c.name, pod.config));
    driver().start_container(id);
    const ContainerStatus exited = wait_for_state(driver(), id, ContainerState::Exited);
    EXPECT_EQ(exited.exit_code, c.exit_code);
    EXPECT_EQ(exited.reason, c.reason);
    EXPECT_GT(exited.started_at, 0);
    EXPECT_GE(exited.finished_at, exited.started_at);
    if (!GetParam().runs_processes) continue;

    // <RFC 3339 with nanoseconds> stdout F <line>, one record per line written.
    static const std::regex kRecord(
        R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}(Z|[+-]\d\d:\d\d) stdout F (.*)$)");
    std::vector<std::string> logged;
    eventually([&] { return read_lines(exited.log_path).size() >= lines.size(); });
    for (const auto& record : read_lines(exited.log_path)) {
      std::smatch match;
      ASSERT_TRUE(std::regex_match(record, match, kRecord)) << "not a CRI log record: " << record;
      logged.push_back(match[2]);
    }
    EXPECT_EQ(logged, lines);
  }
}

TEST_P(RuntimeConformance, StopWithTimeoutKillsAContainerIgnoringSigterm) {
  const PodSandboxConfig config = sandbox_config("stubborn");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().ignores_sigterm(), "stubborn", pod.config));

  driver().stop_container(id, std::chrono::seconds(1));
  const ContainerStatus exited = driver().container_status(id);
  EXPECT_EQ(exited.state, ContainerState::Exited) << "stop returns only once the container has exited";
  EXPECT_GT(exited.finished_at, 0);
  if (GetParam().runs_processes) {
    EXPECT_EQ(exited.exit_code, 137) << "killed by SIGKILL";
  }
}

TEST_P(RuntimeConformance, StopWithZeroTimeoutKillsAtOnce) {
  const PodSandboxConfig config = sandbox_config("killed");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().ignores_sigterm(), "stubborn", pod.config));

  driver().stop_container(id, std::chrono::seconds(0));
  const ContainerStatus exited = driver().container_status(id);
  EXPECT_EQ(exited.state, ContainerState::Exited);
  if (GetParam().runs_processes) {
    EXPECT_EQ(exited.exit_code, 137) << "killed by SIGKILL";
  }
}

TEST_P(RuntimeConformance, ExecSyncReturnsOutputAndExitCode) {
  const PodSandboxConfig config = sandbox_config("exec");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));

  const ExecSyncResult ok =
      driver().exec_sync(id, recipes().exec_prints_and_exits("hello", 0), std::chrono::seconds(10));
  EXPECT_EQ(ok.stdout_, "hello");
  EXPECT_EQ(ok.exit_code, 0);
  const ExecSyncResult failed =
      driver().exec_sync(id, recipes().exec_prints_and_exits("not ready", 7), std::chrono::seconds(10));
  EXPECT_EQ(failed.stdout_, "not ready");
  EXPECT_EQ(failed.exit_code, 7) << "a failing command is a result, not an error";
}

TEST_P(RuntimeConformance, ExecSyncPastItsTimeoutIsDeadlineExceeded) {
  const PodSandboxConfig config = sandbox_config("exec-timeout");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));

  EXPECT_EQ(error_code([&] { driver().exec_sync(id, recipes().exec_sleeps(), std::chrono::seconds(1)); }),
            RuntimeError::Code::DeadlineExceeded);
  EXPECT_EQ(driver().container_status(id).state, ContainerState::Running)
      << "a timed-out exec leaves it running";
}

TEST_P(RuntimeConformance, ExecSyncInAStoppedContainerFails) {
  const PodSandboxConfig config = sandbox_config("exec-stopped");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));
  driver().stop_container(id, std::chrono::seconds(10));

  EXPECT_THROW(driver().exec_sync(id, recipes().exec_prints_and_exits("x", 0), std::chrono::seconds(5)),
               RuntimeError);
}

TEST_P(RuntimeConformance, ExecSessionStreamsOutputThenItsExitOnce) {
  const PodSandboxConfig config = sandbox_config("exec-session");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));

  StreamOutcome outcome;
  StreamRequest request;
  request.container_id = id;
  request.cmd = recipes().exec_prints_and_exits("streamed", 5);
  auto session = driver().exec(request, outcome.callbacks());
  ASSERT_TRUE(session);
  ASSERT_TRUE(outcome.wait_for_exit()) << "no on_exit";
  EXPECT_EQ(outcome.exit_code(), 5);
  EXPECT_EQ(outcome.stdout_text(), "streamed");
  session.reset();
  EXPECT_EQ(outcome.exits(), 1) << "on_exit exactly once";
}

TEST_P(RuntimeConformance, AttachLearnsTheContainersExit) {
  const PodSandboxConfig config = sandbox_config("attach");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));

  StreamOutcome outcome;
  StreamRequest request;
  request.container_id = id;
  auto session = driver().attach(request, outcome.callbacks());
  ASSERT_TRUE(session);
  driver().stop_container(id, std::chrono::seconds(0));
  ASSERT_TRUE(outcome.wait_for_exit()) << "no on_exit after the container exited";
  EXPECT_EQ(outcome.exit_code(), driver().container_status(id).exit_code);
  session.reset();
  EXPECT_EQ(outcome.exits(), 1) << "on_exit exactly once";
}

// What a server answers a plain GET on the connected socket `fd` (at most 64 KiB).
std::string http_get(int fd) {
  timeval patience{static_cast<time_t>(support::kPatience.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    return {};
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while (answer.size() < 64 * 1024 && (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
    answer.append(buffer, n);
  return answer;
}

TEST_P(RuntimeConformance, PortForwardConnectsToAServerInTheSandbox) {
  EXPECT_EQ(error_code([&] { ::close(driver().port_forward("no-such-sandbox", 80)); }),
            RuntimeError::Code::NotFound);
  const PodSandboxConfig config = sandbox_config("forward");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const uint16_t port = free_port();
  if (!recipes().serves_http) {
    EXPECT_THROW(::close(driver().port_forward(pod.id, port)), RuntimeError) << "nothing listens in its pods";
    return;
  }
  create_and_start(driver(), pod, container_config(recipes().serves_http(port), "web", pod.config));
  int fd = -1;
  ASSERT_TRUE(eventually([&] {
    try {
      fd = driver().port_forward(pod.id, port);
      return true;
    } catch (const RuntimeError&) {
      return false;
    }
  })) << "nothing accepted connections on port "
      << port << " of the sandbox";
  EXPECT_EQ(http_get(fd).substr(0, 7), "HTTP/1.");
  ::close(fd);

  // Nothing listens on another port: refused, in the words kubectl shows.
  const uint16_t closed = free_port();
  try {
    ::close(driver().port_forward(pod.id, closed));
    ADD_FAILURE() << "connected to port " << closed << ", where nothing listens";
  } catch (const RuntimeError& e) {
    EXPECT_EQ(e.code(), RuntimeError::Code::Unavailable);
    EXPECT_NE(std::string(e.what()).find("failed to connect to localhost:" + std::to_string(closed) +
                                         ", IPv4: dial tcp4 127.0.0.1:" + std::to_string(closed) +
                                         ": connect: connection refused"),
              std::string::npos)
        << e.what();
  }
  driver().stop_pod_sandbox(pod.id);
  EXPECT_EQ(error_code([&] { ::close(driver().port_forward(pod.id, port)); }),
            RuntimeError::Code::FailedPrecondition);
}

TEST_P(RuntimeConformance, EventsArePushedForEachTransitionUntilUnsubscribed) {
  const PodSandboxConfig config = sandbox_config("events");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  EventRecorder recorder;
  EventRecorder witness;  // stays subscribed, to know when later events have been delivered
  const uint64_t subscription = driver().subscribe(recorder.handler());
  const uint64_t witness_subscription = driver().subscribe(witness.handler());

  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));
  driver().stop_container(id, std::chrono::seconds(10));
  driver().remove_container(id);
  ASSERT_TRUE(recorder.wait_for(id, ContainerEventType::Deleted)) << "no Deleted event";
  EXPECT_EQ(recorder.types_of(id),
            (std::vector<ContainerEventType>{ContainerEventType::Created, ContainerEventType::Started,
                                             ContainerEventType::Stopped, ContainerEventType::Deleted}));
  for (const auto& event : recorder.events_of(id)) {
    EXPECT_EQ(event.pod_sandbox_id, pod.id);
    EXPECT_GT(event.created_at, 0);
  }

  driver().unsubscribe(subscription);
  const std::string later =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "later", pod.config));
  driver().remove_container(later);
  ASSERT_TRUE(witness.wait_for(later, ContainerEventType::Deleted));
  EXPECT_TRUE(recorder.types_of(later).empty()) << "events delivered after unsubscribe";
  driver().unsubscribe(witness_subscription);
}

TEST_P(RuntimeConformance, PulledImagesAreListedUntilRemoved) {
  const std::string image = recipes().pullable_image();
  const std::string unpullable = recipes().unpullable_image();
  const std::string id = driver().pull_image(image);
  ASSERT_FALSE(id.empty());
  const auto images = driver().list_images();
  EXPECT_TRUE(std::any_of(images.begin(), images.end(), [&](const Image& i) { return i.id == id; }))
      << image << " is not listed after its pull";
  const auto status = driver().image_status(image);
  ASSERT_TRUE(status) << image << " has no status after its pull";
  EXPECT_EQ(status->id, id);
  EXPECT_EQ(driver().pull_image(image), id) << "pulling again gives the same image";

  EXPECT_THROW(driver().pull_image(unpullable), RuntimeError);
  EXPECT_FALSE(driver().image_status(unpullable));

  driver().remove_image(image);
  EXPECT_FALSE(driver().image_status(image));
  EXPECT_NO_THROW(driver().remove_image(image)) << "removing an absent image is not an error";
}

TEST_P(RuntimeConformance, StatsListARunningContainer) {
  const PodSandboxConfig config = sandbox_config("stats");
  const RunningSandbox pod{config, driver().run_pod_sandbox(config)};
  const std::string id =
      create_and_start(driver(), pod, container_config(recipes().runs_until_stopped(), "app", pod.config));

  ContainerFilter by_id;
  by_id.id = id;
  const auto stats = driver().list_container_stats(by_id);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].id, id);
  EXPECT_EQ(stats[0].pod_sandbox_id, pod.id);
  EXPECT_GT(stats[0].timestamp, 0);
  const auto all = driver().list_container_stats({});
  EXPECT_TRUE(std::any_of(all.begin(), all.end(), [&](const ContainerStats& s) { return s.id == id; }));
}

}  // namespace ukube::runtime::conformance
