#pragma once

#include <memory>
#include <string>
#include <vector>

#include "reconciler.h"
#include "settings.h"
#include "slice_tracker.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/controller/service_pods.h"
#include "ukube/informer.h"
#include "ukube/machinery/trigger_time_tracker.h"

namespace spdlog {
class logger;
}

// Upstream's EndpointSlice controller while it runs: for every Service with a selector,
// the discovery.k8s.io/v1 EndpointSlices of the pods it selects, at most
// max_endpoints_per_slice endpoints each, kept by the Reconciler with few writes. Slices
// of a deleted Service go with it (they are owned by it); a Service without a selector
// gets none from this controller.
namespace ukube::controllers::endpointslice {

// The informer index of this controller's slices by "namespace/<service name>".
inline constexpr const char* kSlicesByServiceIndex = "endpointslice-controller.k8s.io/service";

class EndpointSliceController final : public controller::RunningController {
 public:
  EndpointSliceController(const controller::ControllerDeps& deps, const Settings& settings);
  ~EndpointSliceController() override;

  void start() override;
  void stop() override;

  // Brings the slices of the Service "namespace/name" in line with the caches. Retries
  // later while the slice cache lags behind this controller's own writes or a pod's node
  // is unknown; throws ApiError when a write fails (the loop retries with back-off).
  controller::Result sync(const std::string& key);

  // The slices this controller manages for the Service, as cached.
  std::vector<ObjectPtr> managed_slices(const std::string& service_key) const;
  SliceTracker& tracker() { return tracker_; }
  bool idle() const { return loop_->idle(); }

 private:
  bool caches_synced() const;
  void queue_for_slice(const ObjectPtr& slice);
  InformerHandlers slice_handlers();

  std::shared_ptr<Client> client_;
  controller::EventRecorder* events_;
  std::shared_ptr<spdlog::logger> log_;
  controller::ServicePods source_;
  std::shared_ptr<Informer> nodes_, slices_;
  std::vector<InformerRegistration> indexers_;
  SliceTracker tracker_;
  machinery::TriggerTimeTracker triggers_;
  Reconciler reconciler_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::endpointslice
