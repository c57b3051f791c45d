#pragma once

#include <span>
#include <string_view>

#include "ukube/machinery/labels.h"
#include "ukube/scheduler/node_info.h"
#include "ukube/scheduler/pod_info.h"

// Selector and toleration semantics shared by the in-tree plugins.
namespace ukube::scheduler {

using machinery::matches;  // a Requirement or a LabelSelector against Labels
// A node selector term: every expression against the labels, every field against the
// node's name (metadata.name is the only field). An empty term matches nothing.
bool matches(const NodeSelectorTerm& term, const Labels& labels, std::string_view node_name);
// nodeSelector and required node affinity together, as the NodeAffinity filter reads them.
bool matches_required_node_affinity(const PodInfo& pod, const NodeInfo& node);

bool tolerates(const Toleration& toleration, const Taint& taint);
bool tolerates(std::span<const Toleration> tolerations, const Taint& taint);
// The first taint with one of the effects NoSchedule / NoExecute that no toleration
// covers; null when all are tolerated.
const Taint* untolerated_hard_taint(std::span<const Toleration> tolerations, const NodeInfo& node);

// The namespaces an affinity term selects, given the pod that declares it.
bool term_selects_namespace(const PodAffinityTerm& term, std::string_view owner_ns, std::string_view ns,
                            const Labels* ns_labels);
// Whether `other` is a pod the term (declared by a pod in `owner_ns`) refers to.
bool term_matches_pod(const PodAffinityTerm& term, std::string_view owner_ns, const PodInfo& other,
                      const Labels* other_ns_labels);

const char* to_string(TaintEffect effect);

}  // namespace ukube::scheduler
