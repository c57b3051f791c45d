#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ukube/node/exec_target.h"
#include "ukube/runtime/types.h"

namespace ukube::runtime::node {

// Output kept per stream; the rest is read and dropped (probes need a few KiB).
inline constexpr size_t kMaxExecOutputBytes = 16 * 1024 * 1024;

// Runs `cmd` in the target's cwd and environment and collects its output. A zero timeout
// waits as long as it takes (the CRI's convention); otherwise the command's process group
// is killed when the timeout passes and RuntimeError DeadlineExceeded is thrown.
ExecSyncResult run_exec_sync(const ExecTarget& target, const std::vector<std::string>& cmd,
                             std::chrono::seconds timeout);

}  // namespace ukube::runtime::node
