#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "ukube/machinery/service_endpoints.h"

// core/v1 Endpoints subsets in their canonical layout (upstream's RepackSubsets): every
// address once per set of ports it serves, the ports that share the same addresses in one
// subset, ready addresses in `addresses` and the others in `notReadyAddresses`, everything
// sorted, so two computations of the same endpoints compare equal.
namespace ukube::controllers::endpoints {

// What upstream caps an Endpoints object at, and the annotation that says it did.
inline constexpr size_t kMaxCapacity = 1000;
inline constexpr const char* kOverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";
inline constexpr const char* kTruncated = "truncated";

class SubsetsBuilder {
 public:
  // Files `address` (an EndpointAddress: ip, hostname, nodeName, targetRef) under `port`;
  // nullopt files it with no port (a headless Service without ports). An address filed
  // twice for one port counts as not ready if either filing says so.
  void add(const boost::json::object& address, bool ready,
           const std::optional<machinery::EndpointPort>& port);
  // The subsets, canonically grouped and sorted.
  boost::json::array build() const;

 private:
  // An address is known by its IP and its target's uid, as upstream dedupes them.
  using AddressKey = std::pair<std::string, std::string>;
  using Readiness = std::map<AddressKey, bool>;
  std::map<AddressKey, boost::json::object> addresses_;
  std::map<std::optional<machinery::EndpointPort>, Readiness> by_port_;
};

// An EndpointPort as JSON: name (when set), port, protocol, appProtocol (when set).
boost::json::object port_json(const machinery::EndpointPort& port);

// Ready and not-ready addresses over all subsets.
size_t count_addresses(const boost::json::array& subsets);

// Cuts the subsets down to `capacity` addresses as upstream does: not-ready addresses go
// first, in proportion to each subset's share, and ready ones are cut (dropping every
// not-ready one) only when they alone exceed it. Returns whether anything was cut.
bool truncate_subsets(boost::json::array& subsets, size_t capacity = kMaxCapacity);

// The subsets as compared: targetRef.resourceVersion and empty lists dropped, so a pod's
// unrelated updates and the API server's spelling of empty lists never cause a write.
boost::json::array comparable_subsets(const boost::json::array* subsets);

}  // namespace ukube::controllers::endpoints
