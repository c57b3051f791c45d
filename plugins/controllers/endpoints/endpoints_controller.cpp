#include "endpoints_controller.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "subsets.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/service_endpoints.h"

namespace ukube::controllers::endpoints {
namespace json = boost::json;
using controller::Result;

namespace {

using namespace std::chrono_literals;

// The loop key that stands for "queue every Endpoints once" (never a namespace/name).
const std::string kLeftoversKey;
// Endpoints written by leader election (not this controller's, and not a Service's).
constexpr const char* kLeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";
constexpr auto kUnsyncedRetry = 100ms;

// The Service's labels, with the headless label when it has no cluster IP.
json::object desired_labels(const json::object& service) {
  json::object labels = machinery::object_or_empty(machinery::object_at(service, {"metadata", "labels"}));
  if (machinery::is_service_ip_set(service))
    labels.erase(machinery::kHeadlessServiceLabel);
  else
    labels[machinery::kHeadlessServiceLabel] = "";
  return labels;
}

// The Endpoints a Service's pods make: one address per counted pod and port.
json::array desired_subsets(const json::object& service, const std::vector<ObjectPtr>& pods) {
  const bool publish_not_ready = machinery::publishes_not_ready_addresses(service);
  const auto* service_ports = machinery::array_at(service, {"spec", "ports"});
  const bool without_ports = !service_ports || service_ports->empty();
  const bool headless = machinery::string_at(service, {"spec", "clusterIP"}) == "None";
  SubsetsBuilder builder;
  for (const auto& pod : pods) {
    // Terminating pods count only where not-ready addresses are published anyway.
    auto endpoint = machinery::pod_endpoint(service, *pod, machinery::endpoints_ip_family(service, *pod),
                                            publish_not_ready);
    if (!endpoint || endpoint->addresses.empty()) continue;
    json::object address{{"ip", endpoint->addresses.front()}};
    if (!endpoint->hostname.empty()) address["hostname"] = endpoint->hostname;
    if (!endpoint->node_name.empty()) address["nodeName"] = endpoint->node_name;
    address["targetRef"] = endpoint->target_ref();
    if (without_ports) {
      // Only a headless Service may go without ports; its addresses then stand alone.
      if (headless) builder.add(address, endpoint->ready, std::nullopt);
      continue;
    }
    for (const auto& port : endpoint->ports) builder.add(address, endpoint->ready, port);
  }
  return builder.build();
}

}  // namespace

EndpointsController::EndpointsController(const controller::ControllerDeps& deps, unsigned workers)
    : client_(deps.client),
      events_(deps.events),
      log_(deps.log),
      source_(*deps.informers),
      endpoints_(deps.informers->informer(machinery::kEndpoints)) {
  controller::LoopSettings settings;
  settings.name = "endpoint";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return sync(key); }, log_);
}

EndpointsController::~EndpointsController() {
  stop();
}

void EndpointsController::start() {
  if (!handlers_.empty()) return;
  auto enqueue = [this](const std::string& key) { loop_->add(key); };
  handlers_.push_back(source_.services()->add_handlers(source_.service_handlers(enqueue)));
  handlers_.push_back(source_.pods()->add_handlers(source_.pod_handlers(enqueue)));
  handlers_.push_back(endpoints_->add_handlers(
      {nullptr, nullptr, [this](const ObjectPtr& endpoints) { loop_->add(object_key(*endpoints)); }}));
  loop_->start();
  loop_->add(kLeftoversKey);
}

void EndpointsController::stop() {
  handlers_.clear();  // waits for a handler call under way
  loop_->stop();
}

bool EndpointsController::caches_synced() const {
  return source_.services()->has_synced() && source_.pods()->has_synced() && endpoints_->has_synced();
}

Result EndpointsController::queue_leftovers() {
  if (!caches_synced()) return Result::requeue_after(kUnsyncedRetry);
  for (const auto& endpoints : endpoints_->list()) {
    if (!endpoints) continue;
    const auto* annotations = machinery::object_at(*endpoints, {"metadata", "annotations"});
    if (annotations && annotations->contains(kLeaderAnnotation)) continue;
    loop_->add(object_key(*endpoints));
  }
  return Result::done();
}

Result EndpointsController::sync(const std::string& key) {
  if (key == kLeftoversKey) return queue_leftovers();
  if (!caches_synced()) return Result::requeue_after(kUnsyncedRetry);
  const auto slash = key.find('/');
  const std::string ns = slash == std::string::npos ? std::string() : key.substr(0, slash);
  const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);

  ObjectPtr service = source_.service(key);
  if (!service) {
    // The Service is gone: so are its Endpoints, whoever wrote them.
    try {
      client_->remove(machinery::kEndpoints, ns, name);
      if (log_) log_->info("deleted endpoints {} of a deleted service", key);
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;
    }
    forget(ns, name);
    return Result::done();
  }
  // ExternalName Services have no endpoints, and those without a selector get theirs from
  // their users.
  if (!machinery::publishes_selected_pods(*service)) return Result::done();

  std::vector<ObjectPtr> pods = source_.selected_pods(*service);
  // Computed on every sync, written or not, so the tracker sees every state.
  auto trigger = triggers_.compute(*service, pods);
  json::array subsets = desired_subsets(*service, pods);
  const bool truncated = truncate_subsets(subsets);
  json::object labels = desired_labels(*service);

  ObjectPtr current = endpoints_->get(key);
  if (current && is_stale(*current)) {
    if (log_) log_->debug("endpoints cache is behind this controller's last write of {}; retrying", key);
    return Result::retry();
  }
  if (current) {
    // Compared after truncation (upstream compares before and rewrites an over-capacity
    // Endpoints on every sync): the same result is not written again.
    const auto* current_labels = machinery::object_at(*current, {"metadata", "labels"});
    const auto& annotations =
        machinery::object_or_empty(machinery::object_at(*current, {"metadata", "annotations"}));
    const bool capacity_marked =
        truncated ? machinery::string_at(annotations, {kOverCapacityAnnotation}) == kTruncated
                  : !machinery::is_set(annotations, kOverCapacityAnnotation);
    if (machinery::object_or_empty(current_labels) == labels && capacity_marked &&
        comparable_subsets(machinery::array_at(*current, {"subsets"})) == comparable_subsets(&subsets))
      return Result::done();
  }

  json::object endpoints = current ? *current : json::object{};
  endpoints["apiVersion"] = "v1";
  endpoints["kind"] = "Endpoints";
  json::object& meta = machinery::child(endpoints, "metadata");
  meta["name"] = name;
  meta["namespace"] = ns;
  if (labels.empty())
    meta.erase("labels");
  else
    meta["labels"] = std::move(labels);
  json::object& annotations = machinery::child(meta, "annotations");
  if (trigger)
    annotations[machinery::kLastChangeTriggerTimeAnnotation] = machinery::format_rfc3339_nano(*trigger);
  else
    annotations.erase(machinery::kLastChangeTriggerTimeAnnotation);
  if (truncated)
    annotations[kOverCapacityAnnotation] = kTruncated;
  else
    annotations.erase(kOverCapacityAnnotation);
  if (annotations.empty()) meta.erase("annotations");
  if (subsets.empty())
    endpoints.erase("subsets");
  else
    endpoints["subsets"] = std::move(subsets);

  write(*service, endpoints, !current, current ? machinery::meta_string(*current, "resourceVersion") : "");
  return Result::done();
}

void EndpointsController::write(const json::object& service, const json::object& endpoints, bool create,
                                const std::string& old_resource_version) {
  const std::string ns = machinery::namespace_of(service);
  const std::string key = ns + "/" + machinery::name_of(service);
  ObjectPtr written;
  try {
    if (create)
      client_->create(machinery::kEndpoints, ns, endpoints);
    else
      written = client_->update(machinery::kEndpoints, ns, endpoints);
  } catch (const ApiError& e) {
    // Creates in a terminating namespace keep failing: drop the key.
    if (create && is_namespace_terminating(e)) return;
    if (events_) {
      if (create)
        events_->event(endpoints, "Warning", "FailedToCreateEndpoint",
                       "Failed to create endpoint for service " + key + ": " + e.what());
      else
        events_->event(endpoints, "Warning", "FailedToUpdateEndpoint",
                       "Failed to update endpoint " + key + ": " + e.what());
    }
    throw;
  }
  if (log_) log_->debug("{} endpoints {}", create ? "created" : "updated", key);
  // The cache may still show the version this update replaced: until it moves on, a sync
  // of this Service would work from outdated Endpoints.
  if (written && machinery::meta_string(*written, "resourceVersion") != old_resource_version)
    remember_stale(key, old_resource_version);
}

bool EndpointsController::is_stale(const json::object& endpoints) {
  std::lock_guard lock(stale_mutex_);
  auto it = stale_versions_.find(object_key(endpoints));
  return it != stale_versions_.end() && it->second == machinery::meta_string(endpoints, "resourceVersion");
}

void EndpointsController::remember_stale(const std::string& key, const std::string& resource_version) {
  std::lock_guard lock(stale_mutex_);
  stale_versions_[key] = resource_version;
}

void EndpointsController::forget(const std::string& ns, const std::string& name) {
  triggers_.forget(ns, name);
  std::lock_guard lock(stale_mutex_);
  stale_versions_.erase(ns + "/" + name);
}

}  // namespace ukube::controllers::endpoints
