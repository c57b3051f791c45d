#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <thread>

#include "ukube/runtime/driver.h"

// What exec and attach sessions (exec_session.cpp, attach_session.cpp) share: the state a
// session's thread keeps with the session object, and how the thread ends.
namespace ukube::runtime::node::streaming {

void close_fd(int& fd);

// Writes all of `data`; false when the reader is gone. SIGPIPE, which would end the whole
// daemon, is blocked for this thread during the write and a pending one is consumed.
bool write_all_without_sigpipe(int fd, std::string_view data);

// RuntimeError Internal: "runtime: <what>: <errno's text>".
[[noreturn]] void throw_session_error(const std::string& what);

// What a session's thread shares with the session object. Held by both, so a session
// destroyed from inside one of its own callbacks can let its thread finish on its own.
struct SessionCore {
  SessionCore();
  ~SessionCore();

  void emit(bool to_stderr, std::string_view data);
  void emit_exit(int code);
  // Wakes the thread (stop_fd) to end the session.
  void request_stop();

  StreamCallbacks callbacks;
  int stop_fd = -1;  // an eventfd
  std::atomic<bool> stopping{false};
  // Set when the session was destroyed from its own thread: no callback may follow.
  std::atomic<bool> abandoned{false};
};

// Ends a session's thread: joins it, or lets it go when called on that very thread.
void finish_session_thread(std::thread& thread, SessionCore& core);

}  // namespace ukube::runtime::node::streaming
