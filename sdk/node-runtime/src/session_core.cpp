#include "ukube/node/session_core.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ukube::runtime::node::streaming {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

bool write_all_without_sigpipe(int fd, std::string_view data) {
  sigset_t pipe_only, previous;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  bool ok = true;
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      if (errno == EPIPE) {
        timespec zero{0, 0};
        ::sigtimedwait(&pipe_only, nullptr, &zero);
      }
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return ok;
}

void throw_session_error(const std::string& what) {
  throw RuntimeError(RuntimeError::Code::Internal, "runtime: " + what + ": " + std::strerror(errno));
}

SessionCore::SessionCore() : stop_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (stop_fd < 0) throw_session_error("cannot create a session's eventfd");
}

SessionCore::~SessionCore() {
  close_fd(stop_fd);
}

void SessionCore::emit(bool to_stderr, std::string_view data) {
  if (abandoned || data.empty()) return;
  auto& callback = to_stderr ? callbacks.on_stderr : callbacks.on_stdout;
  if (callback) callback(data);
}

void SessionCore::emit_exit(int code) {
  if (!abandoned && callbacks.on_exit) callbacks.on_exit(code);
}

void SessionCore::request_stop() {
  stopping = true;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_fd, &one, sizeof one);
}

void finish_session_thread(std::thread& thread, SessionCore& core) {
  core.request_stop();
  if (!thread.joinable()) return;
  if (thread.get_id() == std::this_thread::get_id()) {
    core.abandoned = true;
    thread.detach();
  } else {
    thread.join();
  }
}

}  // namespace ukube::runtime::node::streaming
