// exec_sync, exec, attach and port forwarding. Nothing runs in a fake container: an exec's
// outcome comes from fake_exec.h, its duration passes on the shared scheduler, an attach
// only learns when the container exits, and no port has a listener.
#include <future>

#include "fake_driver.h"
#include "fake_exec.h"

namespace ukube::runtime::fake {

// A session's callbacks. Callbacks run under `mutex`, one at a time; the session's
// destructor takes it too, so once it returns no callback runs again.
struct FakeDriver::StreamState {
  std::mutex mutex;
  bool finished = false;  // on_exit ran, or the session was destroyed
  StreamCallbacks callbacks;

  void emit_exit(const std::string& output, int exit_code) {
    std::lock_guard lock(mutex);
    if (finished) return;
    finished = true;
    if (!output.empty() && callbacks.on_stdout) callbacks.on_stdout(output);
    if (callbacks.on_exit) callbacks.on_exit(exit_code);
  }
};

namespace {

class FakeStreamSession final : public StreamSession {
 public:
  explicit FakeStreamSession(std::shared_ptr<FakeDriver::StreamState> state) : state_(std::move(state)) {}
  ~FakeStreamSession() override {
    std::lock_guard lock(state_->mutex);
    state_->finished = true;
  }
  // A fake process reads nothing and has no terminal.
  void write_stdin(std::string_view) override {}
  void close_stdin() override {}
  void resize(uint16_t, uint16_t) override {}

 private:
  std::shared_ptr<FakeDriver::StreamState> state_;
};

}  // namespace

ExecSyncResult FakeDriver::exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                                     std::chrono::seconds timeout) {
  ExecOutcome outcome;
  {
    std::lock_guard lock(mutex_);
    Container& container = container_or_throw_locked(container_id);
    if (container.status.state != ContainerState::Running)
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "container \"" + container_id + "\" is not running: cannot exec in it");
    outcome = exec_outcome(cmd, *container.behaviour);
  }
  const int64_t timeout_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  const bool times_out = timeout_ns > 0 && outcome.duration_ns > timeout_ns;  // 0: no timeout, as the CRI
  const int64_t wait_ns = times_out ? timeout_ns : outcome.duration_ns;
  if (wait_ns > 0) {
    // The command's time passes on the scheduler, like every other fake duration.
    auto done = std::make_shared<std::promise<void>>();
    auto elapsed = done->get_future();
    if (!shared_.scheduler->after(wait_ns, [done] { done->set_value(); }))
      throw RuntimeError(RuntimeError::Code::Unavailable, "the fake runtime is shutting down");
    try {
      elapsed.get();
    } catch (const std::future_error&) {  // the scheduler shut down and dropped the wake-up
      throw RuntimeError(RuntimeError::Code::Unavailable, "the fake runtime is shutting down");
    }
  }
  if (times_out)
    throw RuntimeError(RuntimeError::Code::DeadlineExceeded, "command timed out after " +
                                                                 std::to_string(timeout.count()) +
                                                                 "s in container \"" + container_id + "\"");
  return {outcome.stdout_, "", outcome.exit_code};
}

std::unique_ptr<StreamSession> FakeDriver::exec(const StreamRequest& request, StreamCallbacks callbacks) {
  ExecOutcome outcome;
  {
    std::lock_guard lock(mutex_);
    Container& container = container_or_throw_locked(request.container_id);
    if (container.status.state != ContainerState::Running)
      throw RuntimeError(RuntimeError::Code::FailedPrecondition,
                         "container \"" + request.container_id + "\" is not running: cannot exec in it");
    outcome = exec_outcome(request.cmd, *container.behaviour);
  }
  auto state = std::make_shared<StreamState>();
  state->callbacks = std::move(callbacks);
  if (!request.stdout_) outcome.stdout_.clear();
  const bool scheduled = shared_.scheduler->after(
      outcome.duration_ns, [state, outcome] { state->emit_exit(outcome.stdout_, outcome.exit_code); });
  if (!scheduled) throw RuntimeError(RuntimeError::Code::Unavailable, "the fake runtime is shutting down");
  return std::make_unique<FakeStreamSession>(std::move(state));
}

std::unique_ptr<StreamSession> FakeDriver::attach(const StreamRequest& request, StreamCallbacks callbacks) {
  auto state = std::make_shared<StreamState>();
  state->callbacks = std::move(callbacks);
  std::lock_guard lock(mutex_);
  Container& container = container_or_throw_locked(request.container_id);
  if (container.status.state == ContainerState::Exited) {
    shared_.scheduler->soon([state, code = container.status.exit_code] { state->emit_exit("", code); });
  } else {
    container.attached.push_back(state);
  }
  return std::make_unique<FakeStreamSession>(std::move(state));
}

int FakeDriver::port_forward(const std::string& sandbox_id, uint16_t port) {
  PodSandboxStatus sandbox = pod_sandbox_status(sandbox_id);
  throw RuntimeError(RuntimeError::Code::Unavailable,
                     "runtime-fake only simulates pod " + sandbox.metadata.namespace_ + "/" +
                         sandbox.metadata.name + ": nothing runs in it, so nothing listens on its port " +
                         std::to_string(port) + " (port forwarding needs runtime-process or runtime-runc)");
}

void FakeDriver::notify_attached_locked(Container& container) {
  for (const auto& weak : container.attached) {
    if (auto state = weak.lock())
      shared_.scheduler->soon([state, code = container.status.exit_code] { state->emit_exit("", code); });
  }
  container.attached.clear();
}

}  // namespace ukube::runtime::fake
