#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "schema/builder.h"

// autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscaler: one resource in two versions,
// stored as v2 (upstream's storage version) and converted for v1 clients (kubectl
// autoscale before 1.32 writes v1).
namespace ukube::builtin {

// The CPU utilization an autoscaler targets when it names no metric (upstream's
// DefaultCPUUtilization).
inline constexpr int64_t kDefaultHpaCpuUtilization = 80;

std::shared_ptr<const schema::Schema> hpa_v1_schema();
std::shared_ptr<const schema::Schema> hpa_v2_schema();

// Rewrites an HPA of either version as `version` ("v1" or "v2"), apiVersion included; an
// HPA already at `version` is left as it is. As upstream, what v1 cannot say (metrics other
// than CPU utilization, their current values, conditions, behavior) travels in annotations
// of the v1 object and comes back from them.
void convert_hpa(boost::json::object& hpa, const std::string& version);

// v2's defaults: minReplicas 1, CPU at 80% when no metric is named, and a behavior's unset
// rules filled from upstream's scale-up and scale-down rules.
void default_hpa_v2(boost::json::object& hpa);

}  // namespace ukube::builtin
