#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"

// How many pods a PodDisruptionBudget expects and how many of them must stay healthy
// (upstream's getExpectedPodCount): an integer minAvailable counts the selected pods; a
// percentage, or maxUnavailable, is taken of the replicas their controllers want.
namespace ukube::controllers::disruption {

// The controller a pod's controller reference leads to, and the replicas it wants. For a
// ReplicaSet of a Deployment that is the Deployment.
struct ControllerScale {
  std::string uid;
  int64_t replicas = 0;
};
// Looks up the controller `ref` (an ownerReference) names in namespace `ns`; nullopt when
// it is not one whose scale is known, or is gone.
using ScaleFinder =
    std::function<std::optional<ControllerScale>(const boost::json::object& ref, const std::string& ns)>;

// A selected pod whose controller cannot be found: the budget's numbers cannot be known.
class NoControllersError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ExpectedPods {
  int64_t expected = 0;
  int64_t desired_healthy = 0;
  // Selected pods that no controller owns: they count toward no scale (a warning says so).
  std::vector<std::string> unmanaged;
};

// Throws NoControllersError, or std::invalid_argument for an IntOrString that does not parse.
ExpectedPods expected_pods(const boost::json::object& budget, const std::vector<ObjectPtr>& pods,
                           const ScaleFinder& find);

}  // namespace ukube::controllers::disruption
