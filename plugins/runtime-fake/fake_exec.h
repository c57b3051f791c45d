#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime-fake/config.pb.h"

// What an exec in a fake container does. Nothing runs, so a command means nothing to the
// fake, except two scripted forms that tests (the runtime conformance suite, kubelet probe
// tests) use to ask for a specific outcome:
//
//   ukube-fake-exec print <text> <exit code>   writes <text> to stdout, exits with the code
//   ukube-fake-exec sleep <seconds>            takes that long, then exits 0
//
// Any other command answers with the image's exec_output and exec_exit_code.
namespace ukube::runtime::fake {

inline constexpr const char* kScriptedExec = "ukube-fake-exec";

struct ExecOutcome {
  std::string stdout_;
  int32_t exit_code = 0;
  int64_t duration_ns = 0;  // how long the command "runs"
};

// Throws RuntimeError InvalidArgument for a malformed scripted command.
ExecOutcome exec_outcome(const std::vector<std::string>& cmd, const ImageBehaviour& image);

}  // namespace ukube::runtime::fake
