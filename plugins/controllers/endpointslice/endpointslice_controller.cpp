#include "endpointslice_controller.h"

#include <spdlog/logger.h>

#include <boost/json/object.hpp>

#include "slice_format.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::controllers::endpointslice {
namespace json = boost::json;
using controller::Result;
using namespace std::chrono_literals;

namespace {

constexpr auto kSliceUnsyncedRetry = 100ms;
// Changes others make to slices are synced after at least this long, so a burst of them
// costs one sync (upstream's endpointSliceChangeMinSyncDelay).
constexpr auto kSliceChangeDelay = 1s;

std::vector<std::string> index_managed_slice(const json::object& slice) {
  if (!managed_by_controller(slice)) return {};
  std::string key = service_key_of(slice);
  if (key.empty()) return {};
  return {std::move(key)};
}

// Upstream's rate limits for this controller: retries start at one second.
controller::LoopSettings slice_loop_settings(unsigned workers) {
  controller::LoopSettings settings;
  settings.name = "endpoint_slice";
  settings.workers = workers;
  settings.limits.base_delay = 1s;
  settings.limits.max_delay = 1000s;
  return settings;
}

}  // namespace

EndpointSliceController::EndpointSliceController(const controller::ControllerDeps& deps,
                                                 const Settings& settings)
    : client_(deps.client),
      events_(deps.events),
      log_(deps.log),
      source_(*deps.informers),
      nodes_(deps.informers->informer(machinery::kNodes)),
      slices_(deps.informers->informer(machinery::kEndpointSlices)),
      reconciler_({deps.client, [this](const std::string& name) { return nodes_->get(name); },
                   settings.max_endpoints_per_slice, &tracker_}) {
  indexers_.push_back(slices_->add_indexer(kSlicesByServiceIndex, index_managed_slice));
  loop_ = std::make_unique<controller::ReconcileLoop>(
      slice_loop_settings(settings.controller.workers), [this](const std::string& key) { return sync(key); },
      log_);
}

EndpointSliceController::~EndpointSliceController() {
  stop();
}

void EndpointSliceController::start() {
  if (!handlers_.empty()) return;
  auto enqueue = [this](const std::string& key) { loop_->add(key); };
  handlers_.push_back(source_.services()->add_handlers(source_.service_handlers(enqueue)));
  handlers_.push_back(source_.pods()->add_handlers(source_.pod_handlers(enqueue)));
  handlers_.push_back(slices_->add_handlers(slice_handlers()));
  loop_->start();
}

void EndpointSliceController::stop() {
  handlers_.clear();  // waits for a handler call under way
  loop_->stop();
}

bool EndpointSliceController::caches_synced() const {
  return source_.services()->has_synced() && source_.pods()->has_synced() && nodes_->has_synced() &&
         slices_->has_synced();
}

std::vector<ObjectPtr> EndpointSliceController::managed_slices(const std::string& service_key) const {
  std::vector<ObjectPtr> slices;
  for (auto& slice : slices_->by_index(kSlicesByServiceIndex, service_key))
    if (slice && !machinery::has_deletion_timestamp(*slice)) slices.push_back(std::move(slice));
  return slices;
}

Result EndpointSliceController::sync(const std::string& key) {
  if (!caches_synced()) return Result::requeue_after(kSliceUnsyncedRetry);
  const auto slash = key.find('/');
  const std::string ns = slash == std::string::npos ? std::string() : key.substr(0, slash);
  const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);

  ObjectPtr service = source_.service(key);
  if (!service) {
    // Its slices are owned by it: the garbage collector takes them along.
    triggers_.forget(ns, name);
    tracker_.forget_service(ns, name);
    return Result::done();
  }
  if (!machinery::publishes_selected_pods(*service)) return Result::done();

  std::vector<ObjectPtr> pods = source_.selected_pods(*service);
  std::vector<ObjectPtr> slices = managed_slices(key);
  if (tracker_.stale(*service, slices)) {
    if (log_) log_->debug("EndpointSlice cache is behind this controller's writes for {}; retrying", key);
    return Result::retry();
  }
  // Computed on every sync, written or not, so the tracker sees every state.
  auto trigger = triggers_.compute(*service, pods);
  ReconcileResult result;
  try {
    result = reconciler_.reconcile(*service, pods, slices, trigger);
  } catch (const ApiError& e) {
    if (events_)
      events_->event(*service, "Warning", "FailedToUpdateEndpointSlices",
                     "Error updating Endpoint Slices for Service " + key + ": " + e.what());
    throw;
  }
  if (log_ && (result.created || result.updated || result.deleted))
    log_->debug("endpoint slices of {}: {} created, {} updated, {} deleted", key, result.created,
                result.updated, result.deleted);
  if (!result.skipped_pods.empty()) {
    if (log_)
      log_->info("service {}: {} pod(s) left out until their node is known, e.g. {}", key,
                 result.skipped_pods.size(), result.skipped_pods.front());
    return Result::retry();
  }
  return Result::done();
}

void EndpointSliceController::queue_for_slice(const ObjectPtr& slice) {
  std::string key = service_key_of(*slice);
  if (!key.empty()) loop_->add_after(key, kSliceChangeDelay);
}

InformerHandlers EndpointSliceController::slice_handlers() {
  InformerHandlers handlers;
  handlers.on_add = [this](const ObjectPtr& slice) {
    if (managed_by_controller(*slice) && tracker_.should_sync(*slice)) queue_for_slice(slice);
  };
  handlers.on_update = [this](const ObjectPtr& old_slice, const ObjectPtr& slice) {
    // Users may move a slice to another Service by its label: both Services look again.
    if (service_key_of(*old_slice) != service_key_of(*slice)) {
      queue_for_slice(slice);
      queue_for_slice(old_slice);
      return;
    }
    if (managed_by_controller(*old_slice) != managed_by_controller(*slice) ||
        (managed_by_controller(*slice) && tracker_.should_sync(*slice)))
      queue_for_slice(slice);
  };
  handlers.on_delete = [this](const ObjectPtr& slice) {
    if (managed_by_controller(*slice) && tracker_.has(*slice) && !tracker_.handle_deletion(*slice))
      queue_for_slice(slice);
  };
  return handlers;
}

}  // namespace ukube::controllers::endpointslice
