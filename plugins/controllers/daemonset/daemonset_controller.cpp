#include "daemonset_controller.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

#include "daemonset_util.h"
#include "ukube/controller/cache_indexes.h"
#include "ukube/controller/controller_ref_manager.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/slow_start.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::daemonset {
namespace json = boost::json;
using machinery::int_or;
using machinery::string_at;

namespace {

constexpr std::chrono::milliseconds kUnsyncedRetry{100};

std::optional<LabelSelector> ds_selector(const json::object& ds, std::string* error) {
  const auto* selector = machinery::object_at(ds, {"spec", "selector"});
  if (!selector) return machinery::selector_from_json_or_nothing(nullptr);
  return machinery::selector_from_json(*selector, error);
}

// Oldest first, as upstream orders a node's pods (creation time, then name).
void sort_oldest_first(std::vector<ObjectPtr>& pods) {
  std::sort(pods.begin(), pods.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    const auto ta = machinery::meta_string(*a, "creationTimestamp");
    const auto tb = machinery::meta_string(*b, "creationTimestamp");
    if (ta != tb) return ta < tb;
    return machinery::name_of(*a) < machinery::name_of(*b);
  });
}

bool is_updated(const json::object& pod, const std::string& hash, int64_t generation) {
  if (string_at(pod, {"metadata", "labels", kRevisionHashLabel}) == hash) return true;
  return string_at(pod, {"metadata", "annotations", kTemplateGenerationAnnotation}) ==
         std::to_string(generation);
}

bool node_changed(const json::object& old_node, const json::object& node) {
  using machinery::object_at;
  using machinery::object_or_empty;
  return object_or_empty(object_at(old_node, {"metadata", "labels"})) !=
             object_or_empty(object_at(node, {"metadata", "labels"})) ||
         object_or_empty(object_at(old_node, {"spec"})) != object_or_empty(object_at(node, {"spec"}));
}

}  // namespace

DaemonSetSyncer::DaemonSetSyncer(DaemonSetSyncerOptions options, DaemonSetQueue queue)
    : options_(std::move(options)), queue_(std::move(queue)), pod_control_(options_.client, options_.events) {
  indexers_.push_back(
      options_.pods->add_indexer(controller::kControllerUidIndex, controller::index_by_controller_uid));
  indexers_.push_back(
      options_.pods->add_indexer(controller::kOrphansIndex, controller::index_orphans_by_namespace));
  indexers_.push_back(
      options_.revisions->add_indexer(controller::kControllerUidIndex, controller::index_by_controller_uid));
  indexers_.push_back(
      options_.revisions->add_indexer(controller::kOrphansIndex, controller::index_orphans_by_namespace));
  indexers_.push_back(
      options_.daemonsets->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
}

DaemonSetSyncer::~DaemonSetSyncer() = default;

machinery::Clock::time_point DaemonSetSyncer::now() const {
  return options_.now ? options_.now() : machinery::Clock::now();
}

void DaemonSetSyncer::event(const json::object& ds, const std::string& type, const std::string& reason,
                            const std::string& message) {
  if (options_.events)
    options_.events->event(controller::reference_to(ds, kDaemonSetKind), type, reason, message);
}

ObjectPtr DaemonSetSyncer::resolve(const std::string& ns, const json::object* ref) const {
  return controller::resolve_controller_ref(*options_.daemonsets, ns, ref, kDaemonSetKind.kind);
}

NodePods DaemonSetSyncer::pods_by_node(const json::object& ds, const LabelSelector& selector) {
  const std::string ns = machinery::namespace_of(ds);
  std::vector<ObjectPtr> candidates;
  for (const auto& pod : options_.pods->by_index(controller::kControllerUidIndex, machinery::uid_of(ds)))
    if (machinery::namespace_of(*pod) == ns) candidates.push_back(pod);
  for (const auto& pod : options_.pods->by_index(controller::kOrphansIndex, ns)) candidates.push_back(pod);
  controller::ControllerRefManager refs(
      *options_.client, machinery::kPods, "Pod", ds, kDaemonSetKind, selector,
      controller::recheck_owner(*options_.client, machinery::kDaemonSets, kDaemonSetKind.kind, ds));
  auto claimed = refs.claim(candidates);
  if (!claimed.errors.empty()) throw std::runtime_error(claimed.error());
  NodePods out;
  for (const auto& pod : claimed.objects) out[target_node(*pod)].push_back(pod);
  for (auto& [node, pods] : out) sort_oldest_first(pods);
  return out;
}

bool DaemonSetSyncer::execute(const std::string& key, const json::object& ds, const Plan& plan,
                              const std::string& hash) {
  std::vector<std::string> uids;
  for (const auto& pod : plan.remove) uids.push_back(machinery::uid_of(*pod));
  expectations_.expect_deletions(key, uids);
  expectations_.counts().raise(key, static_cast<int64_t>(plan.create_on.size()), 0);
  const std::string ns = machinery::namespace_of(ds);
  const auto involved = controller::reference_to(ds, kDaemonSetKind);
  const json::object ref = machinery::controller_ref(ds, kDaemonSetKind);
  bool ok = true;

  auto outcome = controller::slow_start_batch(
      static_cast<int>(plan.create_on.size()), controller::kSlowStartInitialBatchSize, [&](int i) {
        const json::object pod_template =
            pod_template_for_node(ds, hash, plan.create_on[static_cast<size_t>(i)]);
        try {
          pod_control_.create_pod(ns, pod_template, ds, involved, ref);
        } catch (const ApiError& e) {
          expectations_.counts().creation_observed(key);  // it will never appear
          // Pods cannot be created in a namespace being deleted: nothing to retry.
          if (is_namespace_terminating(e)) return;
          throw;
        } catch (...) {
          expectations_.counts().creation_observed(key);
          throw;
        }
      });
  if (!outcome) {
    ok = false;
    // The creations never made will not be observed either.
    const int64_t skipped = static_cast<int64_t>(plan.create_on.size()) - outcome.successes - 1;
    if (skipped > 0) expectations_.counts().lower(key, skipped, 0);
    try {
      std::rethrow_exception(outcome.error);
    } catch (const std::exception& e) {
      if (options_.log) options_.log->warn("daemonset {}: creating pods: {}", key, e.what());
    }
  }
  for (const auto& pod : plan.remove) {
    try {
      pod_control_.delete_pod(ns, machinery::name_of(*pod), involved);
    } catch (const std::exception& e) {
      expectations_.deletion_observed(key, machinery::uid_of(*pod));
      const auto* api = dynamic_cast<const ApiError*>(&e);
      if (api && is_not_found(*api)) continue;
      ok = false;
      if (options_.log)
        options_.log->warn("daemonset {}: deleting pod {}: {}", key, machinery::name_of(*pod), e.what());
    }
  }
  return ok;
}

void DaemonSetSyncer::write_status(const json::object& ds, const NodePods& node_pods, const std::string& hash,
                                   controller::Result& result) {
  const json::object spec = daemon_pod_spec(ds);
  const int32_t min_ready = static_cast<int32_t>(int_or(ds, {"spec", "minReadySeconds"}, 0));
  const int64_t generation = int_or(ds, {"metadata", "generation"}, 0);
  const auto at = now();
  int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
  bool waiting_for_available = false;
  for (const auto& node : options_.nodes->list()) {
    const NodeFit fit = node_should_run(spec, *node);
    auto it = node_pods.find(machinery::name_of(*node));
    const bool scheduled = it != node_pods.end() && !it->second.empty();
    if (!fit.should_run) {
      if (scheduled) ++misscheduled;
      continue;
    }
    ++desired;
    if (!scheduled) continue;
    ++current;
    const auto& pod = *it->second.front();
    if (machinery::is_pod_ready(pod)) {
      ++ready;
      if (machinery::is_pod_available(pod, min_ready, at))
        ++available;
      else
        waiting_for_available = true;
    }
    if (is_updated(pod, hash, generation)) ++updated;
  }
  json::object status = machinery::object_or_empty(machinery::object_at(ds, {"status"}));
  const json::object before = status;
  status["currentNumberScheduled"] = current;
  status["numberMisscheduled"] = misscheduled;
  status["desiredNumberScheduled"] = desired;
  status["numberReady"] = ready;
  status["updatedNumberScheduled"] = updated;
  status["numberAvailable"] = available;
  status["numberUnavailable"] = desired - available;
  status["observedGeneration"] = generation;
  if (waiting_for_available && min_ready > 0 && result.next == controller::Result::Next::Done)
    result = controller::Result::requeue_after(std::chrono::seconds(min_ready));
  if (status == before) return;
  WriteOptions no_return;
  no_return.return_object = false;
  json::object updated_ds = ds;
  updated_ds["status"] = std::move(status);
  try {
    options_.client->update(machinery::kDaemonSets, machinery::namespace_of(ds), updated_ds, no_return,
                            "status");
  } catch (const ApiError& e) {
    // A newer DaemonSet is on its way through the informer; its sync writes the status.
    if (!is_conflict(e) && !is_not_found(e)) throw;
    if (is_conflict(e)) result = controller::Result::retry();
  }
}

controller::Result DaemonSetSyncer::sync(const std::string& key) {
  // Before the first lists every node would look gone and every pod missing.
  for (const auto* informer : {&options_.daemonsets, &options_.pods, &options_.nodes, &options_.revisions})
    if (!(*informer)->has_synced()) return controller::Result::requeue_after(kUnsyncedRetry);
  ObjectPtr cached = options_.daemonsets->get(key);
  if (!cached) {
    expectations_.forget(key);
    return controller::Result::done();
  }
  const json::object& ds = *cached;
  if (machinery::has_deletion_timestamp(ds)) return controller::Result::done();
  std::string error;
  auto selector = ds_selector(ds, &error);
  if (!selector) {
    event(ds, "Warning", "InvalidSelector", "Invalid selector: " + error);
    return controller::Result::done();
  }
  if (selector->empty()) {
    event(ds, "Warning", kSelectingAllReason,
          "This daemon set is selecting all pods. A non-empty selector is required.");
    return controller::Result::done();
  }
  const History history = construct_history(*options_.client, *options_.revisions, ds, *selector);
  NodePods node_pods = pods_by_node(ds, *selector);
  controller::Result result;
  if (!expectations_.satisfied(key)) {
    write_status(ds, node_pods, history.hash, result);
    return result;
  }
  Plan plan = plan_manage(ds, node_pods, history.hash, result);
  bool ok = true;
  if (!plan.create_on.empty() || !plan.remove.empty()) {
    ok = execute(key, ds, plan, history.hash);
  } else if (string_at(ds, {"spec", "updateStrategy", "type"}, "RollingUpdate") == "RollingUpdate") {
    plan = plan_rolling_update(ds, node_pods, history.hash);
    if (!plan.create_on.empty() || !plan.remove.empty()) ok = execute(key, ds, plan, history.hash);
  }
  std::set<std::string> live_hashes;
  for (const auto& [node, pods] : node_pods)
    for (const auto& pod : pods)
      live_hashes.insert(string_at(*pod, {"metadata", "labels", kRevisionHashLabel}));
  cleanup_history(*options_.client, ds, history, live_hashes);
  write_status(ds, node_pods, history.hash, result);
  if (!ok) return controller::Result::retry();
  return result;
}

InformerHandlers DaemonSetSyncer::daemonset_handlers() {
  return {[this](const ObjectPtr& ds) { queue_.add(object_key(*ds)); },
          [this](const ObjectPtr&, const ObjectPtr& ds) { queue_.add(object_key(*ds)); },
          [this](const ObjectPtr& ds) {
            expectations_.forget(object_key(*ds));
            queue_.add(object_key(*ds));
          }};
}

InformerHandlers DaemonSetSyncer::pod_handlers() {
  return {[this](const ObjectPtr& pod) { pod_added(pod); },
          [this](const ObjectPtr& old_pod, const ObjectPtr& pod) { pod_updated(old_pod, pod); },
          [this](const ObjectPtr& pod) { pod_deleted(pod); }};
}

InformerHandlers DaemonSetSyncer::node_handlers() {
  return {[this](const ObjectPtr&) { enqueue_all(); },
          [this](const ObjectPtr& old_node, const ObjectPtr& node) {
            // Heartbeats change only status; what decides placement is labels and spec.
            if (node_changed(*old_node, *node)) enqueue_all();
          },
          [this](const ObjectPtr&) { enqueue_all(); }};
}

void DaemonSetSyncer::enqueue_all() {
  for (const auto& ds : options_.daemonsets->list()) queue_.add(object_key(*ds));
}

void DaemonSetSyncer::enqueue_for_pod(const json::object& pod) {
  if (const auto* ref = machinery::controller_of(pod)) {
    if (ObjectPtr ds = resolve(machinery::namespace_of(pod), ref)) queue_.add(object_key(*ds));
    return;
  }
  for (const auto& ds : controller::owners_selecting(*options_.daemonsets, pod, ds_selector))
    queue_.add(object_key(*ds));
}

void DaemonSetSyncer::pod_added(const ObjectPtr& pod) {
  if (machinery::has_deletion_timestamp(*pod)) {
    pod_deleted(pod);  // seen first while already going (a re-list)
    return;
  }
  if (const auto* ref = machinery::controller_of(*pod))
    if (ObjectPtr ds = resolve(machinery::namespace_of(*pod), ref))
      expectations_.counts().creation_observed(object_key(*ds));
  enqueue_for_pod(*pod);
}

void DaemonSetSyncer::pod_updated(const ObjectPtr& old_pod, const ObjectPtr& pod) {
  if (machinery::meta_string(*old_pod, "resourceVersion") == machinery::meta_string(*pod, "resourceVersion"))
    return;
  const auto* ref = machinery::controller_of(*pod);
  if (machinery::has_deletion_timestamp(*pod) && !machinery::has_deletion_timestamp(*old_pod) && ref)
    if (ObjectPtr ds = resolve(machinery::namespace_of(*pod), ref))
      expectations_.deletion_observed(object_key(*ds), machinery::uid_of(*pod));
  const auto* old_ref = machinery::controller_of(*old_pod);
  const bool ref_changed = (ref == nullptr) != (old_ref == nullptr) || (ref && *ref != *old_ref);
  if (ref_changed && old_ref)
    if (ObjectPtr ds = resolve(machinery::namespace_of(*old_pod), old_ref)) queue_.add(object_key(*ds));
  enqueue_for_pod(*pod);
}

void DaemonSetSyncer::pod_deleted(const ObjectPtr& pod) {
  ObjectPtr ds = resolve(machinery::namespace_of(*pod), machinery::controller_of(*pod));
  if (!ds) return;
  expectations_.deletion_observed(object_key(*ds), machinery::uid_of(*pod));
  queue_.add(object_key(*ds));
}

DaemonSetController::DaemonSetController(const controller::ControllerDeps& deps, unsigned workers)
    : daemonsets_(deps.informers->informer(machinery::kDaemonSets)),
      pods_(deps.informers->informer(machinery::kPods)),
      nodes_(deps.informers->informer(machinery::kNodes)),
      revisions_(deps.informers->informer(machinery::kControllerRevisions)) {
  controller::LoopSettings settings;
  settings.name = "daemonset";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return syncer_->sync(key); }, deps.log);
  DaemonSetSyncerOptions options;
  options.client = deps.client;
  options.daemonsets = daemonsets_;
  options.pods = pods_;
  options.nodes = nodes_;
  options.revisions = revisions_;
  options.events = deps.events;
  options.log = deps.log;
  syncer_ = std::make_unique<DaemonSetSyncer>(
      std::move(options), DaemonSetQueue{[this](const std::string& key) { loop_->add(key); },
                                         [this](const std::string& key, std::chrono::milliseconds delay) {
                                           loop_->add_after(key, delay);
                                         }});
}

DaemonSetController::~DaemonSetController() {
  stop();
}

void DaemonSetController::start() {
  if (!handlers_.empty()) return;
  handlers_.push_back(daemonsets_->add_handlers(syncer_->daemonset_handlers()));
  handlers_.push_back(pods_->add_handlers(syncer_->pod_handlers()));
  handlers_.push_back(nodes_->add_handlers(syncer_->node_handlers()));
  loop_->start();
}

void DaemonSetController::stop() {
  handlers_.clear();
  loop_->stop();
}

}  // namespace ukube::controllers::daemonset
