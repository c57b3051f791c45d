#pragma once

#include <optional>
#include <vector>

#include "ukube/client.h"
#include "ukube/machinery/policy_rule.h"

namespace ukube::rbac {

bool has_aggregation_rule(const boost::json::object& cluster_role);

// The rules a ClusterRole with an aggregationRule holds: for each selector in order, the
// rules of the other cluster roles it matches (by name), each rule once. Nullopt when
// the role aggregates nothing.
std::optional<std::vector<PolicyRule>> aggregated_rules(const boost::json::object& cluster_role,
                                                        const std::vector<ObjectPtr>& cluster_roles);

}  // namespace ukube::rbac
