#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "slice_tracker.h"
#include "ukube/client.h"
#include "ukube/machinery/service_endpoints.h"
#include "ukube/machinery/time.h"

// Turns the EndpointSlices a Service has into the ones its pods call for, with as few
// writes as upstream's reconciler makes: endpoints that stay keep their slice, changed ones
// are rewritten in place, slices that lose endpoints are refilled before new ones are
// made, an unchanged slice is never written, a slice left empty is deleted (or reused for
// a slice that would be created), and a Service whose pods give no endpoints keeps one
// empty placeholder slice per address type.
namespace ukube::controllers::endpointslice {

struct ReconcilerOptions {
  std::shared_ptr<Client> client;
  // The cached Node of a name, null when unknown (a pod's zone comes from its node).
  std::function<ObjectPtr(const std::string& name)> node;
  size_t max_endpoints_per_slice = 100;
  SliceTracker* tracker = nullptr;
};

// What one reconcile did.
struct ReconcileResult {
  size_t created = 0, updated = 0, deleted = 0;
  // Pods left out because their node is unknown (they are published once it is: retry).
  std::vector<std::string> skipped_pods;
};

class Reconciler {
 public:
  explicit Reconciler(ReconcilerOptions options);

  // `pods`: the pods the Service selects; `existing`: the slices this controller manages
  // for it (not being deleted). Writes what differs; throws ApiError when a write fails
  // (what was written before stays written).
  ReconcileResult reconcile(const boost::json::object& service, const std::vector<ObjectPtr>& pods,
                            const std::vector<ObjectPtr>& existing,
                            std::optional<machinery::Clock::time_point> trigger_time);

 private:
  struct Plan {
    std::vector<boost::json::object> create, update, remove;
  };
  void reconcile_family(const boost::json::object& service, const std::vector<ObjectPtr>& pods,
                        const std::vector<ObjectPtr>& existing, machinery::IPFamily family, Plan& plan,
                        ReconcileResult& result);
  void reconcile_port_set(const boost::json::object& service, const std::vector<ObjectPtr>& existing,
                          std::map<std::string, boost::json::object>& desired,
                          const boost::json::array& ports, machinery::IPFamily family, Plan& plan);
  void finalize(const boost::json::object& service, Plan& plan,
                std::optional<machinery::Clock::time_point> trigger_time, ReconcileResult& result);
  void remove(const boost::json::object& slice);

  ReconcilerOptions options_;
};

}  // namespace ukube::controllers::endpointslice
