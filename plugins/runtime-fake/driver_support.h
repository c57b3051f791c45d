#pragma once

#include <string>

#include "ukube/runtime/driver.h"

// What the fake driver's files share: the errors for missing records and the List filters.
namespace ukube::runtime::fake {

inline RuntimeError sandbox_not_found(const std::string& id) {
  return RuntimeError(RuntimeError::Code::NotFound, "pod sandbox \"" + id + "\" not found");
}

inline bool labels_match(const Labels& labels, const Labels& selector) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

inline bool sandbox_matches(const PodSandboxStatus& s, const PodSandboxFilter& f) {
  return (f.id.empty() || s.id == f.id) && (!f.state || s.state == *f.state) &&
         labels_match(s.labels, f.label_selector);
}

inline bool container_matches(const ContainerStatus& c, const ContainerFilter& f) {
  return (f.id.empty() || c.id == f.id) &&
         (f.pod_sandbox_id.empty() || c.pod_sandbox_id == f.pod_sandbox_id) &&
         (!f.state || c.state == *f.state) && labels_match(c.labels, f.label_selector);
}

}  // namespace ukube::runtime::fake
