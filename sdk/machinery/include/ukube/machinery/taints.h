#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"
#include "ukube/node_selection.h"

// Taints and tolerations as upstream's core/v1 ToleratesTaint and component-helpers'
// TolerationsTolerateTaint / FindMatchingUntoleratedTaint match them. Parse once (a
// scheduler when a pod or node enters its cache, a controller per object), then match
// the parsed values as often as needed; the JSON overloads are for one-off callers.
namespace ukube::machinery {

UKUBE_MACHINERY_API TaintEffect parse_taint_effect(std::string_view effect);  // "": All
UKUBE_MACHINERY_API const char* to_string(TaintEffect effect);                // All: ""
UKUBE_MACHINERY_API Taint parse_taint(const boost::json::object& taint);
UKUBE_MACHINERY_API Toleration parse_toleration(const boost::json::object& toleration);
// The objects of a taints / tolerations array (spec.taints, spec.tolerations); null: none.
UKUBE_MACHINERY_API std::vector<Taint> parse_taints(const boost::json::array* taints);
UKUBE_MACHINERY_API std::vector<Toleration> parse_tolerations(const boost::json::array* tolerations);
// "key=value:Effect", "key:Effect", "key=value:", "key", as upstream's Taint.ToString().
UKUBE_MACHINERY_API std::string to_string(const Taint& taint);

// The effect must be the toleration's (an empty one: any); a key must be the taint's (an
// empty one: any); Exists takes any value, Equal (or no operator) the taint's.
// Inline: the scheduler calls this per taint per node per cycle.
inline bool tolerates(const Toleration& toleration, const Taint& taint) {
  if (toleration.effect != TaintEffect::All && toleration.effect != taint.effect) return false;
  if (!toleration.key.empty() && toleration.key != taint.key) return false;
  switch (toleration.op) {
    case TolerationOp::Equal: return toleration.value == taint.value;
    case TolerationOp::Exists: return true;
    case TolerationOp::Unsupported: return false;
  }
  return false;
}

// Whether any of the tolerations tolerates the taint.
inline bool tolerates(std::span<const Toleration> tolerations, const Taint& taint) {
  for (const auto& t : tolerations)
    if (tolerates(t, taint)) return true;
  return false;
}

// The first taint that `include` selects and no toleration tolerates; null when there is
// none. `include(const Taint&)` is a template argument so a hot caller's filter inlines.
template <class Filter>
const Taint* find_untolerated_taint(std::span<const Taint> taints, std::span<const Toleration> tolerations,
                                    Filter&& include) {
  for (const auto& taint : taints)
    if (include(taint) && !tolerates(tolerations, taint)) return &taint;
  return nullptr;
}
inline const Taint* find_untolerated_taint(std::span<const Taint> taints,
                                           std::span<const Toleration> tolerations) {
  return find_untolerated_taint(taints, tolerations, [](const Taint&) { return true; });
}

// The filter upstream's scheduler and DaemonSet controller use: taints that keep pods
// off a node (NoSchedule, NoExecute), not the PreferNoSchedule ones that only score.
inline bool keeps_pods_off(const Taint& taint) {
  return taint.effect == TaintEffect::NoSchedule || taint.effect == TaintEffect::NoExecute;
}

// JSON-level forms, for callers holding objects.
UKUBE_MACHINERY_API bool tolerates(const boost::json::object& toleration, const boost::json::object& taint);
UKUBE_MACHINERY_API bool tolerates(const boost::json::array* tolerations, const boost::json::object& taint);

}  // namespace ukube::machinery
