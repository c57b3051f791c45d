#include "nodelifecycle_controller.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/machinery/disruption_budget.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::nodelifecycle {
namespace {

namespace json = boost::json;
using machinery::string_at;

constexpr const char* kByNode = "spec.nodeName";

std::string heartbeat_of(const json::object& node, const ObjectPtr& lease) {
  std::string beat = lease ? string_at(*lease, {"spec", "renewTime"}) : "";
  machinery::for_each_object(machinery::array_at(node, {"status", "conditions"}),
                             [&](const json::object& c, size_t) {
                               if (string_at(c, {"type"}) == "Ready")
                                 beat += "|" + string_at(c, {"lastHeartbeatTime"});
                             });
  return beat;
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(const controller::ControllerDeps& deps,
                                                 LifecycleSettings settings)
    : deps_(deps),
      settings_(settings),
      nodes_(deps.informers->informer(machinery::kNodes)),
      leases_(deps.informers->informer(machinery::kLeases)),
      pods_(deps.informers->informer(machinery::kPods)) {
  pods_by_node_ = pods_->add_indexer(kByNode, [](const json::object& pod) {
    std::string node = string_at(pod, {"spec", "nodeName"});
    return node.empty() ? std::vector<std::string>{} : std::vector<std::string>{node};
  });
  controller::LoopSettings loop;
  loop.name = "nodelifecycle";
  loop.workers = 1;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      loop, [this](const std::string&) { return run(); }, deps.log);
}

NodeLifecycleController::~NodeLifecycleController() {
  stop();
}

void NodeLifecycleController::start() {
  loop_->start();
  loop_->add("monitor");
}

void NodeLifecycleController::stop() {
  loop_->stop();
}

controller::Result NodeLifecycleController::run() {
  if (!nodes_->has_synced() || !leases_->has_synced() || !pods_->has_synced())
    return controller::Result::requeue_after(std::chrono::milliseconds(200));
  const auto now = Clock::now();
  std::optional<Clock::time_point> next;
  for (const auto& node : nodes_->list()) {
    monitor(node, now);
    // The cache may not show the patch yet; what it shows is enough for pods, which are
    // looked at again next period.
    evict_pods_of(*node, now, next);
  }
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.period);
  if (next)
    wait = std::min(wait, std::max(std::chrono::milliseconds(100),
                                   std::chrono::duration_cast<std::chrono::milliseconds>(*next - now)));
  return controller::Result::requeue_after(wait);
}

void NodeLifecycleController::monitor(const ObjectPtr& node, Clock::time_point now) {
  const std::string name = machinery::name_of(*node);
  const auto local = std::chrono::steady_clock::now();
  const std::string beat = heartbeat_of(*node, leases_->get(std::string("kube-node-lease/") + name));
  auto [seen, first] = observed_.try_emplace(name, Observed{beat, local});
  if (!first && seen->second.heartbeat != beat) seen->second = {beat, local};
  const std::string stamp = machinery::format_time(now);
  std::string ready = ready_status(*node);
  try {
    if (local - seen->second.at > settings_.grace_period && ready != "Unknown") {
      json::object patch{
          {"status",
           {{"conditions",
             silent_kubelet_conditions(machinery::array_at(*node, {"status", "conditions"}), stamp)}}}};
      deps_.client->patch(machinery::kNodes, "", name, PatchType::StrategicMerge, json::serialize(patch), {},
                          "status");
      ready = "Unknown";
      if (deps_.log)
        deps_.log->info("node {}: its kubelet stopped posting status; conditions set Unknown", name);
      if (deps_.events) controller::record_node_status_change(*deps_.events, *node, "Normal", "NodeNotReady");
    }
    if (auto taints = taints_for(machinery::array_at(*node, {"spec", "taints"}), ready, stamp)) {
      // No taints left: the field goes, as upstream's omitempty leaves it.
      json::value value = taints->empty() ? json::value(nullptr) : json::value(std::move(*taints));
      json::object patch{{"spec", {{"taints", std::move(value)}}}};
      deps_.client->patch(machinery::kNodes, "", name, PatchType::JsonMerge, json::serialize(patch));
    }
  } catch (const ApiError& e) {
    if (!is_not_found(e) && deps_.log) deps_.log->warn("node {}: {}", name, e.what());
  }
}

void NodeLifecycleController::evict_pods_of(const json::object& node, Clock::time_point now,
                                            std::optional<Clock::time_point>& next) {
  const json::array* taints = machinery::array_at(node, {"spec", "taints"});
  bool no_execute = false;
  if (taints)
    for (const auto& t : *taints)
      no_execute = no_execute || (t.is_object() && string_at(t.as_object(), {"effect"}) == "NoExecute");
  if (!no_execute) return;
  for (const auto& pod : pods_->by_index(kByNode, machinery::name_of(node))) {
    if (machinery::has_deletion_timestamp(*pod)) continue;
    auto due = eviction_time(machinery::array_at(*pod, {"spec", "tolerations"}), taints, now);
    if (!due) continue;
    if (*due > now) {
      next = next ? std::min(*next, *due) : *due;
      continue;
    }
    const std::string ns = machinery::namespace_of(*pod);
    const std::string name = machinery::name_of(*pod);
    try {
      json::object condition = machinery::disruption_target_condition(
          "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint",
          machinery::format_time(now));
      json::object patch{{"status", {{"conditions", json::array{condition}}}}};
      deps_.client->patch(machinery::kPods, ns, name, PatchType::StrategicMerge, json::serialize(patch), {},
                          "status");
      if (deps_.events)
        deps_.events->event(*pod, "Normal", "TaintManagerEviction",
                            "Marking for deletion Pod " + ns + "/" + name);
      deps_.client->remove(machinery::kPods, ns, name);
    } catch (const ApiError& e) {
      if (!is_not_found(e) && deps_.log)
        deps_.log->warn("pod {}/{}: eviction failed: {}", ns, name, e.what());
    }
  }
}

}  // namespace ukube::controllers::nodelifecycle
