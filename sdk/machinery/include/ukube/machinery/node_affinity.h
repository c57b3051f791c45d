#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/labels.h"
#include "ukube/machinery/export.h"
#include "ukube/node_selection.h"

// Node selectors as upstream's component-helpers (scheduling/corev1/nodeaffinity) match
// them: a pod's nodeSelector and its required node affinity terms against a node's
// labels and name. Terms are parsed once (ukube/node_selection.h) and matched per node
// without touching JSON; RequiredNodeAffinity is the form for callers holding objects.
namespace ukube::machinery {

// A core/v1 NodeSelectorTerm. Null when it has no requirement (it selects nothing) or
// one does not parse: an unknown operator, values that do not fit the operator (upstream's
// NewRequirement rules), a field requirement other than In / NotIn of one value. Such a
// term matches nothing while the other terms still count, as upstream's lazy selector.
UKUBE_MACHINERY_API std::optional<NodeSelectorTerm> parse_node_selector_term(const boost::json::object& term,
                                                                             std::string* error = nullptr);
// The terms of a core/v1 NodeSelector ({nodeSelectorTerms: [...]}) that parse.
UKUBE_MACHINERY_API std::vector<NodeSelectorTerm> parse_node_selector(const boost::json::object& selector);

// Every expression holds for the labels and every field requirement for the node's
// fields (metadata.name is the only one; a node without a name has no fields to check).
UKUBE_MACHINERY_API bool matches(const NodeSelectorTerm& term, const Labels& node_labels,
                                 std::string_view node_name);
// Any of the terms (ORed); no terms: nothing matches.
UKUBE_MACHINERY_API bool matches_any(std::span<const NodeSelectorTerm> terms, const Labels& node_labels,
                                     std::string_view node_name);
// A pod's nodeSelector: every key present with exactly that value.
UKUBE_MACHINERY_API bool matches_node_selector(const Labels& node_selector, const Labels& node_labels);

// A pod's nodeSelector and required node affinity, parsed once, as upstream's
// GetRequiredNodeAffinity: both must hold; without required affinity only the selector.
struct UKUBE_MACHINERY_API RequiredNodeAffinity {
  Labels node_selector;
  bool has_required = false;  // requiredDuringSchedulingIgnoredDuringExecution present
  std::vector<NodeSelectorTerm> required;

  // From a pod spec (or a pod template's spec).
  static RequiredNodeAffinity from_pod_spec(const boost::json::object& pod_spec);
  bool matches(const Labels& node_labels, std::string_view node_name) const;
  bool matches(const boost::json::object& node) const;
};

}  // namespace ukube::machinery
