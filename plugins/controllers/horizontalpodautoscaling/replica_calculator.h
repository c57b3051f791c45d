#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/machinery/time.h"

// upstream's replica calculator (pkg/controller/podautoscaler/replica_calculator.go): from
// the pods a target's selector picks and their usage, the replica count that brings the
// average back to the target. Pure: the caller lists the pods and reads the metrics.
namespace ukube::controllers::hpa {

using machinery::Clock;

// One pod's usage of one resource, in milli-units, as the metrics API reported it.
struct PodMetric {
  int64_t milli = 0;
  Clock::time_point timestamp;
  std::chrono::seconds window{0};
};
using PodMetrics = std::map<std::string, PodMetric>;  // by pod name

struct CalculatorSettings {
  double tolerance = 0.1;                               // --horizontal-pod-autoscaler-tolerance
  std::chrono::seconds cpu_initialization_period{300};  // ...-cpu-initialization-period
  std::chrono::seconds delay_of_initial_readiness{30};  // ...-initial-readiness-delay
};

// A failure to compute, with upstream's message (it becomes an event and a condition).
class CalculationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReplicaEstimate {
  int32_t replicas = 0;
  int32_t utilization = 0;    // percent of the requests (utilization targets only)
  int64_t average_milli = 0;  // the raw average usage of the pods that count
};

// What one calculation reads: the selected pods and their metrics.
struct CalculatorInput {
  int32_t current_replicas = 0;
  std::string resource;   // "cpu", "memory"
  std::string container;  // a ContainerResource metric's container; empty: the whole pod
  const std::vector<const boost::json::object*>* pods = nullptr;
  PodMetrics metrics;
  Clock::time_point now;
};

// Throws CalculationError.
ReplicaEstimate utilization_replicas(CalculatorInput in, int32_t target_utilization,
                                     const CalculatorSettings& s);
ReplicaEstimate average_value_replicas(CalculatorInput in, int64_t target_milli, const CalculatorSettings& s);

// Each pod's request of `resource` (milli), summed over its containers and restartable init
// containers (or only `container`). Throws CalculationError when a container lacks one.
std::map<std::string, int64_t> pod_requests(const std::vector<const boost::json::object*>& pods,
                                            const std::string& resource, const std::string& container);

}  // namespace ukube::controllers::hpa
