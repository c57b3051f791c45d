#pragma once

#include <cstdint>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// policy/v1 PodDisruptionBudgets as both the eviction subresource and the disruption
// controller read and write them.
namespace ukube::machinery {

inline constexpr const char* kDisruptionAllowedCondition = "DisruptionAllowed";
inline constexpr const char* kSufficientPodsReason = "SufficientPods";
inline constexpr const char* kInsufficientPodsReason = "InsufficientPods";
inline constexpr const char* kSyncFailedReason = "SyncFailed";

// Whether the budget covers the pod: same namespace and its selector matches the pod's
// labels. An empty selector covers every pod of the namespace (policy/v1), a missing or
// broken one none.
UKUBE_MACHINERY_API bool budget_covers(const boost::json::object& budget, const boost::json::object& pod);

// Sets the DisruptionAllowed condition of `budget` from its status.disruptionsAllowed
// and observedGeneration (upstream's UpdateDisruptionAllowedCondition): True/SufficientPods
// when disruptions are allowed, else False/InsufficientPods. Returns whether the
// conditions changed.
UKUBE_MACHINERY_API bool update_disruption_allowed_condition(boost::json::object& budget,
                                                             std::string_view now);

// The DisruptionTarget condition (True) a pod is given before a disruption deletes it:
// `reason` says who (EvictionByEvictionAPI, DeletionByTaintManager, DeletionByPodGC).
UKUBE_MACHINERY_API boost::json::object disruption_target_condition(std::string_view reason,
                                                                    std::string_view message,
                                                                    std::string_view now);

}  // namespace ukube::machinery
