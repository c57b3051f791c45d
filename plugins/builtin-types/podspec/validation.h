#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/field_errors.h"

// Upstream's PodSpec validation for the mistakes people make: missing or duplicate
// container names, missing images, bad ports, unknown policies, dangling volume mounts.
namespace ukube::builtin {

void validate_pod_spec(Errors& e, const FieldPath& p, const boost::json::object& spec);

// A workload's pod template at `p` (spec.template): present, a valid PodSpec, labels that
// the selector matches, and a restart policy from `restart_policies` (empty: any).
struct TemplateRules {
  const boost::json::object* selector = nullptr;  // metav1.LabelSelector; null: not checked
  std::vector<std::string> restart_policies;
  bool forbid_active_deadline = false;  // long-running workloads (upstream's wording names ReplicaSet)
};
void validate_pod_template(Errors& e, const FieldPath& p, const boost::json::object* pod_template,
                           const TemplateRules& rules);

// Pod updates may change only images, activeDeadlineSeconds, tolerations (additions),
// scheduling gates (removals) and binding a pod to a node.
void validate_pod_spec_update(Errors& e, const boost::json::object& spec,
                              const boost::json::object& old_spec);

}  // namespace ukube::builtin
