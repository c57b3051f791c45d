#include "podgc_controller.h"

#include <spdlog/logger.h>

#include <algorithm>

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/disruption_budget.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::podgc {
namespace json = boost::json;
namespace {

// upstream's eviction.PodIsEvicted.
bool is_evicted(const json::object& pod) {
  return machinery::pod_phase(pod) == "Failed" &&
         machinery::string_at(pod, {"status", "reason"}) == "Evicted";
}

bool has_taint_key(const json::object& node, std::string_view key) {
  bool found = false;
  machinery::for_each_object(machinery::array_at(node, {"spec", "taints"}),
                             [&](const json::object& taint, size_t) {
                               if (machinery::string_at(taint, {"key"}) == key) found = true;
                             });
  return found;
}

std::string node_name_of(const json::object& pod) {
  return machinery::string_at(pod, {"spec", "nodeName"});
}

}  // namespace

bool is_pod_terminated(const json::object& pod) {
  const std::string phase = machinery::pod_phase(pod);
  return phase != "Pending" && phase != "Running" && phase != "Unknown";
}

void sort_for_deletion(std::vector<ObjectPtr>& pods) {
  std::sort(pods.begin(), pods.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    const bool ea = is_evicted(*a), eb = is_evicted(*b);
    if (ea != eb) return ea;
    const auto ca = machinery::parse_time(machinery::meta_string(*a, "creationTimestamp"));
    const auto cb = machinery::parse_time(machinery::meta_string(*b, "creationTimestamp"));
    const auto ta = ca.value_or(Clock::time_point{}), tb = cb.value_or(Clock::time_point{});
    if (ta != tb) return ta < tb;
    return machinery::name_of(*a) < machinery::name_of(*b);
  });
}

PodGC::PodGC(PodGCOptions options) : options_(std::move(options)) {}

Clock::time_point PodGC::now() const {
  return options_.now ? options_.now() : Clock::now();
}

void PodGC::gc() {
  const auto pods = options_.pods->list();
  const auto nodes = options_.nodes->list();
  if (options_.terminated_pod_threshold > 0) gc_terminated(pods);
  gc_terminating(pods);
  gc_orphaned(pods, nodes);
  gc_unscheduled_terminating(pods);
}

void PodGC::gc_terminated(const std::vector<ObjectPtr>& pods) {
  std::vector<ObjectPtr> terminated;
  for (const auto& pod : pods)
    if (is_pod_terminated(*pod)) terminated.push_back(pod);
  const int64_t excess = static_cast<int64_t>(terminated.size()) - options_.terminated_pod_threshold;
  if (excess <= 0) return;
  if (options_.log) options_.log->info("garbage collecting {} terminated pods", excess);
  sort_for_deletion(terminated);
  for (int64_t i = 0; i < excess; ++i) mark_failed_and_delete(*terminated[static_cast<size_t>(i)], nullptr);
}

void PodGC::gc_terminating(const std::vector<ObjectPtr>& pods) {
  // Non-graceful node shutdown: an admin's out-of-service taint on a node that is down
  // says its pods' containers are gone, so their terminating pods can go too.
  std::vector<ObjectPtr> doomed;
  for (const auto& pod : pods) {
    if (!machinery::has_deletion_timestamp(*pod)) continue;
    ObjectPtr node = options_.nodes->get(node_name_of(*pod));
    if (!node) continue;  // unscheduled (below) or orphaned (quarantine first)
    if (!machinery::is_condition_true(*node, "Ready") && has_taint_key(*node, kOutOfServiceTaint))
      doomed.push_back(pod);
  }
  if (doomed.empty()) return;
  sort_for_deletion(doomed);
  for (const auto& pod : doomed) mark_failed_and_delete(*pod, nullptr);
}

void PodGC::gc_orphaned(const std::vector<ObjectPtr>& pods, const std::vector<ObjectPtr>& nodes) {
  std::set<std::string> existing;
  for (const auto& node : nodes) existing.insert(machinery::name_of(*node));
  // A node the cache does not know may just not have reached it yet: wait before asking.
  const auto at = now();
  for (const auto& pod : pods) {
    const std::string node = node_name_of(*pod);
    if (!node.empty() && !existing.count(node)) quarantine_.try_emplace(node, at + options_.quarantine);
  }
  const std::set<std::string> deleted = discover_deleted_nodes(existing);
  if (deleted.empty()) return;
  const json::object condition = machinery::disruption_target_condition(
      kDeletionByPodGC, "PodGC: node no longer exists", machinery::format_time(at));
  for (const auto& pod : pods) {
    if (!deleted.count(node_name_of(*pod))) continue;
    if (options_.log)
      options_.log->info("pod {}/{}: its node {} no longer exists; deleting it",
                         machinery::namespace_of(*pod), machinery::name_of(*pod), node_name_of(*pod));
    mark_failed_and_delete(*pod, &condition);
  }
}

std::set<std::string> PodGC::discover_deleted_nodes(const std::set<std::string>& existing) {
  std::set<std::string> deleted;
  const auto at = now();
  for (auto it = quarantine_.begin(); it != quarantine_.end();) {
    if (it->second > at) {
      ++it;
      continue;
    }
    const std::string name = it->first;
    it = quarantine_.erase(it);  // quarantined again on the next pass if still missing
    if (existing.count(name)) continue;
    try {
      options_.client->get(machinery::kNodes, "", name);
    } catch (const ApiError& e) {
      if (is_not_found(e))
        deleted.insert(name);
      else if (options_.log)
        options_.log->warn("podgc: getting node {}: {}", name, e.what());
    }
  }
  return deleted;
}

void PodGC::gc_unscheduled_terminating(const std::vector<ObjectPtr>& pods) {
  // No kubelet will ever finish these: nothing else would remove them.
  for (const auto& pod : pods)
    if (machinery::has_deletion_timestamp(*pod) && node_name_of(*pod).empty())
      mark_failed_and_delete(*pod, nullptr);
}

bool PodGC::mark_failed_and_delete(const json::object& pod, const json::object* condition) {
  const std::string ns = machinery::namespace_of(pod), name = machinery::name_of(pod);
  try {
    if (!machinery::is_terminal_phase(machinery::pod_phase(pod))) {
      // An orphan would otherwise stay Running forever: no kubelet is left to say it ended.
      json::object status{{"phase", "Failed"}};
      if (condition) status["conditions"] = json::array{*condition};
      WriteOptions write;
      write.field_manager = "PodGC";
      write.return_object = false;
      options_.client->patch(machinery::kPods, ns, name, PatchType::StrategicMerge,
                             json::serialize(json::object{{"status", std::move(status)}}), write, "status");
    }
    DeleteOptions remove;
    remove.grace_period_seconds = 0;
    options_.client->remove(machinery::kPods, ns, name, remove);
    return true;
  } catch (const ApiError& e) {
    if (!is_not_found(e) && options_.log)
      options_.log->warn("podgc: deleting pod {}/{}: {}", ns, name, e.what());
    return false;
  }
}

std::set<std::string> PodGC::quarantined() const {
  std::set<std::string> out;
  for (const auto& [name, until] : quarantine_) out.insert(name);
  return out;
}

PodGCController::PodGCController(const controller::ControllerDeps& deps, PodGCOptions options,
                                 std::chrono::milliseconds period)
    : pods_(deps.informers->informer(machinery::kPods)),
      nodes_(deps.informers->informer(machinery::kNodes)),
      period_(period) {
  options.client = deps.client;
  options.pods = pods_;
  options.nodes = nodes_;
  options.log = deps.log;
  gc_ = std::make_unique<PodGC>(std::move(options));
  controller::LoopSettings settings;
  settings.name = "podgc";
  settings.workers = 1;  // one pass at a time: the quarantine is the pass's own state
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string&) { return run(); }, deps.log);
}

PodGCController::~PodGCController() {
  stop();
}

controller::Result PodGCController::run() {
  // Before the caches are full every node would look missing.
  if (!pods_->has_synced() || !nodes_->has_synced())
    return controller::Result::requeue_after(std::chrono::milliseconds(200));
  gc_->gc();
  return controller::Result::requeue_after(period_);
}

void PodGCController::start() {
  loop_->start();
  loop_->add("gc");
}

void PodGCController::stop() {
  loop_->stop();
}

}  // namespace ukube::controllers::podgc
