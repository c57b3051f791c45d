#pragma once

#include <string>
#include <utility>
#include <vector>

// The result of every scheduling extension point: a code and the reasons behind it.
// Success carries no reasons, so the common path allocates nothing.
namespace ukube::scheduler {

enum class Code {
  Success,
  Error,          // something broke; the pod is retried with back-off
  Unschedulable,  // this node does not fit now; preemption may help
  // This node can never fit the pod as it is; preemption is pointless here.
  UnschedulableAndUnresolvable,
  Wait,  // Permit only: hold the pod until allowed, rejected or timed out
  Skip,  // PreFilter / PreScore: the plugin has nothing to do for this pod
};

const char* to_string(Code code);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string reason) : code_(code) { reasons_.push_back(std::move(reason)); }
  Status(Code code, std::vector<std::string> reasons) : code_(code), reasons_(std::move(reasons)) {}

  static Status success() { return {}; }
  static Status error(std::string reason) { return {Code::Error, std::move(reason)}; }
  static Status unschedulable(std::string reason) { return {Code::Unschedulable, std::move(reason)}; }
  static Status unresolvable(std::string reason) {
    return {Code::UnschedulableAndUnresolvable, std::move(reason)};
  }
  static Status skip() { return Status(Code::Skip); }
  static Status wait() { return Status(Code::Wait); }

  Code code() const { return code_; }
  bool ok() const { return code_ == Code::Success; }
  bool is_skip() const { return code_ == Code::Skip; }
  bool is_wait() const { return code_ == Code::Wait; }
  bool is_rejected() const {
    return code_ == Code::Unschedulable || code_ == Code::UnschedulableAndUnresolvable;
  }
  const std::vector<std::string>& reasons() const { return reasons_; }
  // Reasons joined with ", ", as upstream prints a status.
  std::string message() const {
    std::string out;
    for (const auto& r : reasons_) out += (out.empty() ? "" : ", ") + r;
    return out;
  }

  // The plugin that produced a rejection, filled in by the framework.
  const std::string& plugin() const { return plugin_; }
  Status& with_plugin(std::string name) {
    plugin_ = std::move(name);
    return *this;
  }

 private:
  explicit Status(Code code) : code_(code) {}
  Code code_ = Code::Success;
  std::vector<std::string> reasons_;
  std::string plugin_;
};

inline const char* to_string(Code code) {
  switch (code) {
    case Code::Success: return "Success";
    case Code::Error: return "Error";
    case Code::Unschedulable: return "Unschedulable";
    case Code::UnschedulableAndUnresolvable: return "UnschedulableAndUnresolvable";
    case Code::Wait: return "Wait";
    case Code::Skip: return "Skip";
  }
  return "Unknown";
}

}  // namespace ukube::scheduler
