#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

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

// Upstream's endpoints controller while it runs: for every Service with a selector, one
// core/v1 Endpoints of the same name listing the selected pods that have an IP, ready
// ones in `addresses` and the others in `notReadyAddresses`, grouped by the ports they
// serve. Endpoints of a Service that is gone are deleted; a Service without a selector
// keeps whatever Endpoints its user writes.
namespace ukube::controllers::endpoints {

class EndpointsController final : public controller::RunningController {
 public:
  EndpointsController(const controller::ControllerDeps& deps, unsigned workers);
  ~EndpointsController() override;

  // Registers the informer handlers, starts the workers, and queues every existing
  // Endpoints once so that those left behind by Services deleted meanwhile go.
  void start() override;
  void stop() override;

  // Brings the Endpoints of the Service "namespace/name" in line with the caches: writes
  // nothing when they already match, retries later while a cache lags behind its own
  // last write, throws ApiError when a write fails (the loop retries with back-off).
  controller::Result sync(const std::string& key);
  // Queues every cached Endpoints that is not a leader-election record (upstream's
  // checkLeftoverEndpoints).
  controller::Result queue_leftovers();

  // Every key queued so far has been synced (tests).
  bool idle() const { return loop_->idle(); }

 private:
  bool caches_synced() const;
  bool is_stale(const boost::json::object& endpoints);
  void remember_stale(const std::string& key, const std::string& resource_version);
  void forget(const std::string& ns, const std::string& name);
  void write(const boost::json::object& service, const boost::json::object& endpoints, bool create,
             const std::string& old_resource_version);

  std::shared_ptr<Client> client_;
  controller::EventRecorder* events_;
  std::shared_ptr<spdlog::logger> log_;
  controller::ServicePods source_;
  std::shared_ptr<Informer> endpoints_;
  machinery::TriggerTimeTracker triggers_;
  std::mutex stale_mutex_;
  // The resourceVersion each Endpoints had before this controller last changed it: a
  // cache still showing it has not seen that write yet (upstream's staleEndpointsTracker).
  std::map<std::string, std::string> stale_versions_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::endpoints
