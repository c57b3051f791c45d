// Key functions of the runtime driver interfaces: their vtables and RTTI live once, in
// libukube-core, so a RuntimeError thrown in a driver's library is caught in the kubelet's.
#include "ukube/runtime/driver.h"
#include "ukube/runtime/filters.h"

namespace ukube::runtime {

RuntimeError::RuntimeError(Code code, const std::string& message)
    : std::runtime_error(message), code_(code) {}
RuntimeError::~RuntimeError() = default;
StreamSession::~StreamSession() = default;
RuntimeDriver::~RuntimeDriver() = default;
RuntimeProvider::~RuntimeProvider() = default;

}  // namespace ukube::runtime

namespace ukube::runtime {

bool labels_match(const Labels& labels, const Labels& selector) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

bool matches(const PodSandboxStatus& s, const PodSandboxFilter& f) {
  return (f.id.empty() || s.id == f.id) && (!f.state || s.state == *f.state) &&
         labels_match(s.labels, f.label_selector);
}

bool matches(const ContainerStatus& c, const ContainerFilter& f) {
  return (f.id.empty() || c.id == f.id) &&
         (f.pod_sandbox_id.empty() || c.pod_sandbox_id == f.pod_sandbox_id) &&
         (!f.state || c.state == *f.state) && labels_match(c.labels, f.label_selector);
}

std::string_view to_string(ContainerState state) {
  switch (state) {
    case ContainerState::Created: return "Created";
    case ContainerState::Running: return "Running";
    case ContainerState::Exited: return "Exited";
    case ContainerState::Unknown: break;
  }
  return "Unknown";
}

}  // namespace ukube::runtime
