#include "fake_exec.h"

#include <algorithm>
#include <charconv>

#include "ukube/runtime/driver.h"

namespace ukube::runtime::fake {
namespace {

int64_t parse_scripted_number(const std::string& text, const std::vector<std::string>& cmd) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    std::string joined;
    for (const auto& arg : cmd) joined += (joined.empty() ? "" : " ") + arg;
    throw RuntimeError(RuntimeError::Code::InvalidArgument,
                       "scripted exec \"" + joined + "\": \"" + text + "\" is not a non-negative integer");
  }
  return value;
}

}  // namespace

ExecOutcome exec_outcome(const std::vector<std::string>& cmd, const ImageBehaviour& image) {
  if (cmd.size() == 4 && cmd[0] == kScriptedExec && cmd[1] == "print")
    return {cmd[2], static_cast<int32_t>(parse_scripted_number(cmd[3], cmd)), 0};
  if (cmd.size() == 3 && cmd[0] == kScriptedExec && cmd[1] == "sleep")
    return {"", 0, std::min<int64_t>(parse_scripted_number(cmd[2], cmd), 1'000'000'000) * 1'000'000'000};
  if (!cmd.empty() && cmd[0] == kScriptedExec)
    throw RuntimeError(RuntimeError::Code::InvalidArgument,
                       std::string("scripted exec: expected \"") + kScriptedExec +
                           " print <text> <exit code>\" or \"" + kScriptedExec + " sleep <seconds>\"");
  return {image.exec_output(), image.exec_exit_code(), 0};
}

}  // namespace ukube::runtime::fake
