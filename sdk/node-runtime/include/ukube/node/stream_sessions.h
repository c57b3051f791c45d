#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "ukube/node/exec_target.h"
#include "ukube/runtime/driver.h"

// kubectl exec -it and kubectl attach for the process runtime. Each session has one thread
// that reads and calls the callbacks; destroying the session ends it and joins that thread,
// so no callback runs afterwards.
namespace ukube::runtime::node {

// Runs request.cmd in the target's cwd and environment, with pipes, or a terminal
// (a pseudo-terminal from posix_openpt) when request.tty.
std::unique_ptr<StreamSession> start_exec_session(const ExecTarget& target, const StreamRequest& request,
                                                  StreamCallbacks callbacks);

struct AttachTarget {
  std::filesystem::path container_dir;  // where exit.json and the stdin FIFO are
  std::filesystem::path log_path;       // the container's CRI log, followed from its end
  pid_t monitor_pid = 0;                // told (SIGUSR1) when stdin closes and stdin_once
  bool stdin_once = false;
  bool tty = false;  // the container runs on a terminal its monitor holds
};

// Follows the container's output as the monitor writes it to the log (new output only, as
// `kubectl attach` shows) and writes stdin to the container's FIFO. on_exit gets the
// container's exit code once it has exited. Throws RuntimeError FailedPrecondition when
// stdin is asked for and the container has none.
std::unique_ptr<StreamSession> start_attach_session(const AttachTarget& target, const StreamRequest& request,
                                                    StreamCallbacks callbacks);

}  // namespace ukube::runtime::node
