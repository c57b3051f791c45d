#pragma once

#include <span>
#include <string_view>

#include "ukube/machinery/labels.h"
#include "ukube/machinery/node_affinity.h"
#include "ukube/machinery/taints.h"
#include "ukube/scheduler/node_info.h"
#include "ukube/scheduler/pod_info.h"

// Selector and toleration semantics shared by the in-tree plugins. Taint and node
// selector matching is sdk/machinery's (upstream's component-helpers), on the values
// parsed once into PodInfo / NodeInfo.
namespace ukube::scheduler {

using machinery::matches;    // a Requirement, LabelSelector or NodeSelectorTerm
using machinery::tolerates;  // one toleration or any of several, against a taint

// nodeSelector and required node affinity together, as the NodeAffinity filter reads them.
inline bool matches_required_node_affinity(const PodInfo& pod, const NodeInfo& node) {
  if (!machinery::matches_node_selector(pod.node_selector, node.labels)) return false;
  return !pod.node_affinity.has_required ||
         machinery::matches_any(pod.node_affinity.required, node.labels, node.name);
}

// The first taint with one of the effects NoSchedule / NoExecute that no toleration
// covers; null when all are tolerated.
inline const Taint* untolerated_hard_taint(std::span<const Toleration> tolerations, const NodeInfo& node) {
  return machinery::find_untolerated_taint(node.taints, tolerations, machinery::keeps_pods_off);
}

// The namespaces an affinity term selects, given the pod that declares it.
bool term_selects_namespace(const PodAffinityTerm& term, std::string_view owner_ns, std::string_view ns,
                            const Labels* ns_labels);
// Whether `other` is a pod the term (declared by a pod in `owner_ns`) refers to.
bool term_matches_pod(const PodAffinityTerm& term, std::string_view owner_ns, const PodInfo& other,
                      const Labels* other_ns_labels);

}  // namespace ukube::scheduler
