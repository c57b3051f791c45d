#include "statefulset_controller.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

#include "revisions.h"
#include "stateful_pod.h"
#include "ukube/controller/cache_indexes.h"
#include "ukube/controller/controller_ref_manager.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"
#include "ukube/types.h"

namespace ukube::controllers::statefulset {
namespace json = boost::json;
using machinery::int_or;
using machinery::string_at;

namespace {

constexpr std::chrono::milliseconds kUnsyncedRetry{100};
constexpr int kMaxCollisions = 10;

std::optional<LabelSelector> set_selector(const json::object& set, std::string* error) {
  const auto* selector = machinery::object_at(set, {"spec", "selector"});
  if (!selector) return std::nullopt;
  return machinery::selector_from_json(*selector, error);
}

bool terminating(const json::object& pod) {
  return machinery::has_deletion_timestamp(pod);
}

void sooner(controller::Result& result, std::chrono::milliseconds delay) {
  if (delay < std::chrono::milliseconds(1)) delay = std::chrono::milliseconds(1);
  if (result.next == controller::Result::Next::RequeueAfter && result.after <= delay) return;
  result = controller::Result::requeue_after(delay);
}

}  // namespace

// What one sync knows about its set.
struct StatefulSetSyncer::Ctx {
  std::string key, ns, name;
  json::object set;
  std::map<int64_t, ObjectPtr> pods;  // by ordinal, every claimed member
  std::vector<ObjectPtr> revisions;   // owned
  std::string current_revision, update_revision;
  json::object current_template, update_template;
  int64_t collision_count = 0;
  int64_t start = 0, replicas = 0;
  int32_t min_ready = 0;
  bool ordered = true;  // podManagementPolicy OrderedReady
};

StatefulSetSyncer::StatefulSetSyncer(SyncerOptions options, std::function<void(const std::string&)> enqueue)
    : options_(std::move(options)), enqueue_(std::move(enqueue)) {
  indexers_.push_back(
      options_.pods->add_indexer(controller::kControllerUidIndex, controller::index_by_controller_uid));
  indexers_.push_back(
      options_.pods->add_indexer(controller::kOrphansIndex, controller::index_orphans_by_namespace));
  indexers_.push_back(
      options_.revisions->add_indexer(controller::kControllerUidIndex, controller::index_by_controller_uid));
  indexers_.push_back(
      options_.revisions->add_indexer(controller::kOrphansIndex, controller::index_orphans_by_namespace));
  indexers_.push_back(
      options_.sets->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
}

StatefulSetSyncer::~StatefulSetSyncer() = default;

machinery::Clock::time_point StatefulSetSyncer::now() const {
  return options_.now ? options_.now() : machinery::Clock::now();
}

void StatefulSetSyncer::event(const json::object& set, const std::string& type, const std::string& reason,
                              const std::string& message) {
  if (options_.events)
    options_.events->event(controller::reference_to(set, kStatefulSetKind), type, reason, message);
}

controller::Result StatefulSetSyncer::sync(const std::string& key) {
  if (!options_.sets->has_synced() || !options_.pods->has_synced() || !options_.revisions->has_synced() ||
      !options_.claims->has_synced())
    return controller::Result::requeue_after(kUnsyncedRetry);
  ObjectPtr cached = options_.sets->get(key);
  if (!cached || terminating(*cached)) return controller::Result::done();
  Ctx ctx;
  ctx.key = key;
  ctx.set = *cached;
  ctx.ns = machinery::namespace_of(ctx.set);
  ctx.name = machinery::name_of(ctx.set);
  ctx.start = start_ordinal(ctx.set);
  ctx.replicas = replicas_of(ctx.set);
  ctx.min_ready = static_cast<int32_t>(int_or(ctx.set, {"spec", "minReadySeconds"}, 0));
  ctx.ordered = string_at(ctx.set, {"spec", "podManagementPolicy"}) != "Parallel";
  ctx.collision_count = int_or(ctx.set, {"status", "collisionCount"}, 0);
  claim_pods(ctx);
  revisions(ctx);
  controller::Result result = controller::Result::done();
  if (manage(ctx, result)) rolling_update(ctx, result);
  write_status(ctx);
  trim_history(ctx);
  return result;
}

void StatefulSetSyncer::claim_pods(Ctx& ctx) {
  std::string error;
  auto selector = set_selector(ctx.set, &error);
  if (!selector) throw std::runtime_error("invalid selector: " + error);
  std::vector<ObjectPtr> candidates;
  for (const auto& pod : options_.pods->by_index(controller::kControllerUidIndex, machinery::uid_of(ctx.set)))
    if (machinery::namespace_of(*pod) == ctx.ns) candidates.push_back(pod);
  for (const auto& pod : options_.pods->by_index(controller::kOrphansIndex, ctx.ns))
    candidates.push_back(pod);
  controller::ControllerRefManager refs(
      *options_.client, machinery::kPods, "Pod", ctx.set, kStatefulSetKind, *selector,
      controller::recheck_owner(*options_.client, machinery::kStatefulSets, kStatefulSetKind.kind, ctx.set));
  // Only `<set>-<ordinal>` pods are members (upstream's isMemberOf).
  auto claimed =
      refs.claim(candidates, [&](const json::object& pod) { return ordinal_of(pod, ctx.name).has_value(); });
  if (!claimed.errors.empty()) throw std::runtime_error(claimed.error());
  for (const auto& pod : claimed.objects) ctx.pods[*ordinal_of(*pod, ctx.name)] = pod;
}

void StatefulSetSyncer::revisions(Ctx& ctx) {
  // Revisions are claimed as pods are: orphans the selector matches are adopted (a set
  // deleted with --cascade=orphan and made again keeps its history).
  std::string error;
  auto selector = set_selector(ctx.set, &error);
  if (!selector) throw std::runtime_error("invalid selector: " + error);
  std::vector<ObjectPtr> candidates;
  for (const auto& rev :
       options_.revisions->by_index(controller::kControllerUidIndex, machinery::uid_of(ctx.set)))
    if (machinery::namespace_of(*rev) == ctx.ns) candidates.push_back(rev);
  for (const auto& rev : options_.revisions->by_index(controller::kOrphansIndex, ctx.ns))
    candidates.push_back(rev);
  controller::ControllerRefManager refs(
      *options_.client, machinery::kControllerRevisions, "ControllerRevision", ctx.set, kStatefulSetKind,
      *selector,
      controller::recheck_owner(*options_.client, machinery::kStatefulSets, kStatefulSetKind.kind, ctx.set));
  auto claimed = refs.claim(candidates);
  if (!claimed.errors.empty()) throw std::runtime_error(claimed.error());
  ctx.revisions = std::move(claimed.objects);
  std::sort(ctx.revisions.begin(), ctx.revisions.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return revision_number(*a) < revision_number(*b); });
  const int64_t latest = ctx.revisions.empty() ? 0 : revision_number(*ctx.revisions.back());
  const json::object data = revision_data(ctx.set);
  ObjectPtr update;
  for (const auto& rev : ctx.revisions)
    if (same_data(*rev, data)) update = rev;
  if (update && revision_number(*update) != latest) {
    // A template seen before (a rollback): its revision becomes the newest again.
    json::object copy = *update;
    copy["revision"] = latest + 1;
    update = options_.client->update(machinery::kControllerRevisions, ctx.ns, copy);
    ctx.revisions.push_back(update);
  }
  for (int attempt = 0; !update; ++attempt) {
    if (attempt > kMaxCollisions) throw std::runtime_error("too many ControllerRevision name collisions");
    const json::object rev = new_revision(ctx.set, data, latest + 1, ctx.collision_count);
    try {
      update = options_.client->create(machinery::kControllerRevisions, ctx.ns, rev);
      ctx.revisions.push_back(update);
    } catch (const ApiError& e) {
      if (!is_already_exists(e)) throw;
      ObjectPtr existing =
          options_.client->get(machinery::kControllerRevisions, ctx.ns, machinery::name_of(rev));
      if (existing && machinery::is_controlled_by(*existing, machinery::uid_of(ctx.set)) &&
          same_data(*existing, data)) {
        update = existing;  // ours, not yet in the cache
        ctx.revisions.push_back(update);
      } else {
        ++ctx.collision_count;  // another object took the name: hash again
      }
    }
  }
  ctx.update_revision = machinery::name_of(*update);
  ctx.update_template = revision_template(*update);
  const std::string current = string_at(ctx.set, {"status", "currentRevision"});
  ctx.current_revision = ctx.update_revision;
  ctx.current_template = ctx.update_template;
  for (const auto& rev : ctx.revisions)
    if (machinery::name_of(*rev) == current) {
      ctx.current_revision = current;
      ctx.current_template = revision_template(*rev);
    }
}

void StatefulSetSyncer::create_claims(Ctx& ctx, int64_t ordinal) {
  const std::string pod = pod_name(ctx.name, ordinal);
  for (const auto& claim : claims_for(ctx.set, ordinal)) {
    const std::string claim_name = machinery::name_of(claim);
    if (options_.claims->get(ctx.ns + "/" + claim_name)) continue;
    try {
      options_.client->create(machinery::kPersistentVolumeClaims, ctx.ns, claim);
      event(ctx.set, "Normal", "SuccessfulCreate",
            "create Claim " + claim_name + " Pod " + pod + " in StatefulSet " + ctx.name + " success");
    } catch (const ApiError& e) {
      if (is_already_exists(e)) continue;
      event(ctx.set, "Warning", "FailedCreate",
            "create Claim " + claim_name + " for Pod " + pod + " in StatefulSet " + ctx.name +
                " failed error: " + e.what());
      throw;
    }
  }
}

void StatefulSetSyncer::create_pod(Ctx& ctx, int64_t ordinal) {
  // Below the partition a pod is made again at the current revision, so recreating a pod
  // never rolls it forward on its own; OnDelete makes every new pod at the update revision,
  // as upstream. (The API server defaults the partition to 0.)
  const int64_t index = ordinal - ctx.start;
  const bool current = string_at(ctx.set, {"spec", "updateStrategy", "type"}) != "OnDelete" &&
                       index < int_or(ctx.set, {"spec", "updateStrategy", "rollingUpdate", "partition"}, 0);
  const json::object pod = current ? new_pod(ctx.set, ctx.current_template, ordinal, ctx.current_revision)
                                   : new_pod(ctx.set, ctx.update_template, ordinal, ctx.update_revision);
  create_claims(ctx, ordinal);
  const std::string name = machinery::name_of(pod);
  try {
    ObjectPtr created = options_.client->create(machinery::kPods, ctx.ns, pod);
    if (created) ctx.pods[ordinal] = created;
    event(ctx.set, "Normal", "SuccessfulCreate",
          "create Pod " + name + " in StatefulSet " + ctx.name + " successful");
  } catch (const ApiError& e) {
    if (is_already_exists(e)) return;  // made by an earlier sync the cache has not shown yet
    event(ctx.set, "Warning", "FailedCreate",
          "create Pod " + name + " in StatefulSet " + ctx.name + " failed error: " + e.what());
    throw;
  }
}

void StatefulSetSyncer::update_claim_owners(Ctx& ctx, const json::object& pod, bool condemned) {
  const auto owners = wanted_claim_owners(ctx.set, &pod, condemned);
  const std::string name = machinery::name_of(pod);
  for (const auto& claim : claims_for(ctx.set, *ordinal_of(pod, ctx.name))) {
    ObjectPtr cached = options_.claims->get(ctx.ns + "/" + machinery::name_of(claim));
    if (!cached) continue;
    json::object copy = *cached;
    if (set_claim_owners(copy, ctx.set, name, owners))
      options_.client->update(machinery::kPersistentVolumeClaims, ctx.ns, copy);
  }
}

void StatefulSetSyncer::delete_pod(Ctx& ctx, const json::object& pod, bool condemned) {
  const std::string name = machinery::name_of(pod);
  if (condemned) update_claim_owners(ctx, pod, true);
  DeleteOptions options;
  // The cache may be behind: never delete a newer pod of the same name.
  options.precondition_uid = machinery::uid_of(pod);
  try {
    options_.client->remove(machinery::kPods, ctx.ns, name, options);
    event(ctx.set, "Normal", "SuccessfulDelete",
          "delete Pod " + name + " in StatefulSet " + ctx.name + " successful");
  } catch (const ApiError& e) {
    if (is_not_found(e) || is_conflict(e)) return;
    event(ctx.set, "Warning", "FailedDelete",
          "delete Pod " + name + " in StatefulSet " + ctx.name + " failed error: " + e.what());
    throw;
  }
}

bool StatefulSetSyncer::manage(Ctx& ctx, controller::Result& result) {
  const auto t = now();
  const int64_t end = ctx.start + ctx.replicas;
  bool unhealthy_seen = false;
  for (int64_t ordinal = ctx.start; ordinal < end; ++ordinal) {
    auto it = ctx.pods.find(ordinal);
    if (it != ctx.pods.end() && is_finished(*it->second) && !terminating(*it->second)) {
      event(ctx.set, "Warning", "RecreatingFailedPod",
            "StatefulSet " + ctx.ns + "/" + ctx.name + " is recreating failed Pod " +
                machinery::name_of(*it->second));
      delete_pod(ctx, *it->second, false);
      ctx.pods.erase(it);
      if (ctx.ordered) return false;  // made again once the deletion shows
      continue;
    }
    if (it == ctx.pods.end()) {
      create_pod(ctx, ordinal);
      if (ctx.ordered) return false;  // the next waits for this one
      unhealthy_seen = true;
      continue;
    }
    const json::object& pod = *it->second;
    // A claim deleted under a live pod is made again (upstream's storage repair), and the
    // claims follow the retention policy as it is now.
    if (!terminating(pod)) {
      create_claims(ctx, ordinal);
      update_claim_owners(ctx, pod, false);
      // An adopted pod, or one whose labels were edited, gets its identity labels back.
      if (const std::string patch = identity_patch(pod, ordinal); !patch.empty()) {
        WriteOptions options;
        options.return_object = false;
        options_.client->patch(machinery::kPods, ctx.ns, machinery::name_of(pod), PatchType::JsonMerge, patch,
                               options);
      }
    }
    if (terminating(pod)) {
      if (ctx.ordered) return false;
      unhealthy_seen = true;
      continue;
    }
    if (!is_running_and_available(pod, ctx.min_ready, t)) {
      unhealthy_seen = true;
      if (is_running_and_ready(pod) && ctx.min_ready > 0)
        sooner(result, std::chrono::seconds(ctx.min_ready));  // available once minReadySeconds passed
      if (ctx.ordered) return false;
    }
  }
  // Ordinals outside [start, end): highest first.
  std::vector<ObjectPtr> condemned;
  for (const auto& [ordinal, pod] : ctx.pods)
    if (ordinal < ctx.start || ordinal >= end) condemned.push_back(pod);
  std::sort(condemned.begin(), condemned.end(), [&](const ObjectPtr& a, const ObjectPtr& b) {
    return *ordinal_of(*a, ctx.name) > *ordinal_of(*b, ctx.name);
  });
  for (const auto& pod : condemned) {
    if (terminating(*pod)) {
      if (ctx.ordered) return false;
      continue;
    }
    // OrderedReady scales down only while every other pod is healthy.
    if (ctx.ordered && unhealthy_seen) return false;
    delete_pod(ctx, *pod, true);
    if (ctx.ordered) return false;
  }
  return true;
}

bool StatefulSetSyncer::rolling_update(Ctx& ctx, controller::Result& result) {
  if (string_at(ctx.set, {"spec", "updateStrategy", "type"}) == "OnDelete") return true;
  const int64_t partition = int_or(ctx.set, {"spec", "updateStrategy", "rollingUpdate", "partition"}, 0);
  const auto t = now();
  const int64_t end = ctx.start + ctx.replicas;
  for (int64_t ordinal = end - 1; ordinal >= ctx.start + partition; --ordinal) {
    auto it = ctx.pods.find(ordinal);
    if (it == ctx.pods.end()) return false;
    const json::object& pod = *it->second;
    if (pod_revision(pod) != ctx.update_revision && !terminating(pod)) {
      delete_pod(ctx, pod, false);
      return false;
    }
    // maxUnavailable 1: wait until the pod just updated is healthy again.
    if (!is_running_and_available(pod, ctx.min_ready, t)) {
      if (is_running_and_ready(pod) && ctx.min_ready > 0) sooner(result, std::chrono::seconds(ctx.min_ready));
      return false;
    }
  }
  return true;
}

void StatefulSetSyncer::write_status(Ctx& ctx) {
  const auto t = now();
  int64_t replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const auto& [ordinal, pod] : ctx.pods) {
    (void)ordinal;
    ++replicas;
    if (is_running_and_ready(*pod)) ++ready;
    if (is_running_and_available(*pod, ctx.min_ready, t)) ++available;
    if (terminating(*pod)) continue;
    const std::string rev = pod_revision(*pod);
    if (rev == ctx.current_revision) ++current;
    if (rev == ctx.update_revision) ++updated;
  }
  json::object status;
  status["observedGeneration"] = int_or(ctx.set, {"metadata", "generation"}, 0);
  status["replicas"] = replicas;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["currentReplicas"] = current;
  status["updatedReplicas"] = updated;
  status["currentRevision"] = ctx.current_revision;
  status["updateRevision"] = ctx.update_revision;
  status["collisionCount"] = ctx.collision_count;
  // A finished rolling update: every pod at the update revision and ready.
  if (string_at(ctx.set, {"spec", "updateStrategy", "type"}) != "OnDelete" && updated == replicas &&
      ready == replicas) {
    status["currentRevision"] = ctx.update_revision;
    status["currentReplicas"] = updated;
  }
  // Zero counters are omitted, as upstream's omitempty fields (replicas is not).
  for (const char* key : {"readyReplicas", "availableReplicas", "currentReplicas", "updatedReplicas"})
    if (status[key].as_int64() == 0) status.erase(key);
  if (const auto* conditions = machinery::array_at(ctx.set, {"status", "conditions"}))
    status["conditions"] = *conditions;
  if (const auto* old = machinery::object_at(ctx.set, {"status"}); old && *old == status) return;
  json::object copy = ctx.set;
  copy["status"] = std::move(status);
  WriteOptions options;
  options.return_object = false;
  options_.client->update(machinery::kStatefulSets, ctx.ns, copy, options, "status");
}

void StatefulSetSyncer::trim_history(Ctx& ctx) {
  const int64_t limit = int_or(ctx.set, {"spec", "revisionHistoryLimit"}, 10);
  std::set<std::string> live{ctx.current_revision, ctx.update_revision};
  for (const auto& [ordinal, pod] : ctx.pods) {
    (void)ordinal;
    live.insert(pod_revision(*pod));
  }
  std::vector<ObjectPtr> history;  // oldest first
  for (const auto& rev : ctx.revisions)
    if (!live.count(machinery::name_of(*rev))) history.push_back(rev);
  for (size_t i = 0; static_cast<int64_t>(history.size() - i) > limit; ++i) {
    try {
      options_.client->remove(machinery::kControllerRevisions, ctx.ns, machinery::name_of(*history[i]));
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;
    }
  }
}

void StatefulSetSyncer::enqueue_owner(const json::object& object) {
  if (ObjectPtr set =
          controller::resolve_controller_ref(*options_.sets, machinery::namespace_of(object),
                                             machinery::controller_of(object), kStatefulSetKind.kind)) {
    enqueue_(object_key(*set));
    return;
  }
  if (machinery::controller_of(object)) return;
  // An orphan: the sets that may adopt it.
  for (const auto& set : controller::owners_selecting(
           *options_.sets, object, [](const json::object&s, std::string*e) { return set_selector(s, e); }))
    enqueue_(object_key(*set));
}

InformerHandlers StatefulSetSyncer::set_handlers() {
  auto add = [this](const ObjectPtr& set) { enqueue_(object_key(*set)); };
  return {add, [add](const ObjectPtr&, const ObjectPtr& set) { add(set); }, [](const ObjectPtr&) {}};
}

InformerHandlers StatefulSetSyncer::owned_handlers() {
  return {[this](const ObjectPtr& o) { enqueue_owner(*o); },
          [this](const ObjectPtr& old_object, const ObjectPtr& o) {
            const auto* old_ref = machinery::controller_of(*old_object);
            const auto* ref = machinery::controller_of(*o);
            if (old_ref && (!ref || *old_ref != *ref)) enqueue_owner(*old_object);
            enqueue_owner(*o);
          },
          [this](const ObjectPtr& o) { enqueue_owner(*o); }};
}

StatefulSetController::StatefulSetController(const controller::ControllerDeps& deps, unsigned workers)
    : sets_(deps.informers->informer(machinery::kStatefulSets)),
      pods_(deps.informers->informer(machinery::kPods)),
      revisions_(deps.informers->informer(machinery::kControllerRevisions)),
      claims_(deps.informers->informer(machinery::kPersistentVolumeClaims)) {
  controller::LoopSettings settings;
  settings.name = "statefulset";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return syncer_->sync(key); }, deps.log);
  SyncerOptions options;
  options.client = deps.client;
  options.sets = sets_;
  options.pods = pods_;
  options.revisions = revisions_;
  options.claims = claims_;
  options.events = deps.events;
  options.log = deps.log;
  syncer_ = std::make_unique<StatefulSetSyncer>(std::move(options),
                                                [this](const std::string& key) { loop_->add(key); });
}

StatefulSetController::~StatefulSetController() {
  stop();
}

void StatefulSetController::start() {
  if (!handlers_.empty()) return;
  handlers_.push_back(sets_->add_handlers(syncer_->set_handlers()));
  handlers_.push_back(pods_->add_handlers(syncer_->owned_handlers()));
  handlers_.push_back(revisions_->add_handlers(syncer_->owned_handlers()));
  loop_->start();
}

void StatefulSetController::stop() {
  handlers_.clear();
  loop_->stop();
}

}  // namespace ukube::controllers::statefulset
