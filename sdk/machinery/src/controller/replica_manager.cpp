#include "ukube/controller/replica_manager.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include <boost/json.hpp>

#include "ukube/controller/cache_indexes.h"
#include "ukube/controller/controller_ref_manager.h"
#include "ukube/controller/pod_deletion_order.h"
#include "ukube/controller/replica_status.h"
#include "ukube/controller/slow_start.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

// How long a sync waits for the informers' first lists before it looks again.
constexpr std::chrono::milliseconds kUnsyncedRetry{100};

// A sync walks every pod of its owner. When it cannot create or delete any (its replicas
// all exist, or pods it created are not all seen yet), what is left is counting pods as
// they change, and an owner of 100,000 pods would recount all of them for each pod that
// appears or turns Ready, taking a core for itself. Such recounts are paced: after a sync
// that took longer than kPacedFrom, a recount waits kRestFactor times as long and folds in
// every change meanwhile. A sync that may create or delete runs at once.
constexpr auto kPacedFrom = std::chrono::milliseconds(5);
constexpr int kRestFactor = 8;

// A sync that cannot manage replicas: it waits for its own creates and deletes to be seen,
// or every replica exists and the spec has been seen.
bool recount_only(const json::object& owner, bool expectations_met) {
  if (!expectations_met) return true;
  return machinery::int_or(owner, {"status", "replicas"}, -1) ==
             machinery::int_or(owner, {"spec", "replicas"}, 1) &&
         machinery::int_or(owner, {"status", "observedGeneration"}, -1) ==
             machinery::int_or(owner, {"metadata", "generation"}, 0);
}

bool same_controller_ref(const json::object* a, const json::object* b) {
  if (!a || !b) return a == b;
  return *a == *b;
}

std::string_view uid_view(const json::object& object) {
  const json::value* uid = machinery::value_at(object, {"metadata", "uid"});
  return uid ? machinery::as_string(*uid) : std::string_view();
}

const json::object& labels_or_empty(const json::object& object) {
  return machinery::object_or_empty(machinery::labels_of(object));
}

}  // namespace

ReplicaManager::ReplicaManager(ReplicaManagerOptions options, ReplicaQueue queue)
    : options_(std::move(options)),
      queue_(std::move(queue)),
      pod_control_(options_.client, options_.events),
      expectations_(options_.expectations_now) {
  indexers_.push_back(options_.pods->add_indexer(kControllerUidIndex, index_by_controller_uid));
  indexers_.push_back(options_.pods->add_indexer(kOrphansIndex, index_orphans_by_namespace));
  indexers_.push_back(options_.owners->add_indexer(kControllerUidIndex, index_by_controller_uid));
  indexers_.push_back(options_.owners->add_indexer(kNamespaceIndex, index_by_namespace));
}

ReplicaManager::~ReplicaManager() = default;

machinery::Clock::time_point ReplicaManager::now() const {
  return options_.now ? options_.now() : machinery::Clock::now();
}

void ReplicaManager::enqueue(const json::object& owner) {
  queue_.add(object_key(owner));
}

ObjectPtr ReplicaManager::resolve(const std::string& ns, const json::object* controller_ref) const {
  return resolve_controller_ref(*options_.owners, ns, controller_ref, options_.kind.kind.kind);
}

std::vector<ObjectPtr> ReplicaManager::owners_selecting(const json::object& pod) const {
  std::vector<ObjectPtr> out = controller::owners_selecting(*options_.owners, pod, options_.kind.selector);
  if (out.size() > 1 && options_.log)
    options_.log->warn("user error! more than one {} is selecting pods with labels: {}",
                       options_.kind.kind.kind, machinery::format_labels(machinery::labels_of(pod)));
  return out;
}

std::vector<ObjectPtr> ReplicaManager::candidate_pods(const json::object& owner) const {
  const std::string ns = machinery::namespace_of(owner);
  std::vector<ObjectPtr> out;
  for (const auto& pod : options_.pods->by_index(kControllerUidIndex, machinery::uid_of(owner)))
    if (machinery::namespace_of(*pod) == ns && machinery::is_pod_active(*pod)) out.push_back(pod);
  for (const auto& pod : options_.pods->by_index(kOrphansIndex, ns))
    if (machinery::is_pod_active(*pod)) out.push_back(pod);
  return out;
}

std::vector<ObjectPtr> ReplicaManager::related_pods(const json::object& owner) const {
  std::vector<ObjectPtr> out;
  const auto* controller = machinery::controller_of(owner);
  if (!controller) return out;
  // By uid, viewed in the pods kept in `out`: no string copy per pod.
  std::unordered_set<std::string_view> seen;
  for (const auto& sibling :
       options_.owners->by_index(kControllerUidIndex, machinery::string_at(*controller, {"uid"}))) {
    auto selector = options_.kind.selector(*sibling, nullptr);
    if (!selector) continue;  // selects nothing
    const std::string ns = machinery::namespace_of(*sibling);
    auto take = [&](const std::vector<ObjectPtr>& pods) {
      for (const auto& pod : pods)
        if (machinery::namespace_of(*pod) == ns &&
            machinery::matches(*selector, machinery::labels_of(*pod)) && seen.insert(uid_view(*pod)).second)
          out.push_back(pod);
    };
    take(options_.pods->by_index(kControllerUidIndex, machinery::uid_of(*sibling)));
    take(options_.pods->by_index(kOrphansIndex, ns));
  }
  return out;
}

Result ReplicaManager::sync(const std::string& key) {
  // A cache still listing would pass for a world without pods.
  if (!options_.pods->has_synced() || !options_.owners->has_synced())
    return Result::requeue_after(kUnsyncedRetry);
  ObjectPtr owner = options_.owners->get(key);
  if (!owner) {
    // Deleted: a new owner of this name starts with no expectations, nor pace.
    expectations_.forget(key);
    {
      std::lock_guard lock(pace_mutex_);
      recount_not_before_.erase(key);
    }
    return Result::done();
  }
  const bool needs_sync = expectations_.satisfied(key);
  const auto started = std::chrono::steady_clock::now();
  const bool recount = recount_only(*owner, needs_sync);
  {
    std::lock_guard lock(pace_mutex_);
    auto it = recount_not_before_.find(key);
    if (recount && it != recount_not_before_.end() && started < it->second)
      return Result::requeue_after(std::chrono::ceil<std::chrono::milliseconds>(it->second - started));
  }
  std::string selector_error;
  std::optional<LabelSelector> selector = options_.kind.selector(*owner, &selector_error);
  if (!selector) {
    // Retrying would not help: the owner is synced again once it changes.
    if (options_.log)
      options_.log->error("error converting pod selector to selector for {} {}: {}", options_.kind.kind.kind,
                          key, selector_error);
    return Result::done();
  }

  ControllerRefManager refs(
      *options_.client, machinery::kPods, "Pod", *owner, options_.kind.kind, *selector,
      recheck_owner(*options_.client, options_.kind.resource, options_.kind.kind.kind, *owner));
  ControllerRefManager::Claimed claimed = refs.claim(candidate_pods(*owner));
  if (!claimed.errors.empty()) throw std::runtime_error(claimed.error());

  std::optional<std::string> manage_error;
  if (needs_sync && !machinery::has_deletion_timestamp(*owner)) {
    try {
      manage_replicas(key, claimed.objects, owner);
    } catch (const std::exception& e) {
      manage_error = e.what();
    }
  }
  ObjectPtr updated = update_replica_status(*options_.client, options_.kind.resource, owner,
                                            replica_status(*owner, claimed.objects, manage_error, now()));
  if (manage_error) throw std::runtime_error(*manage_error);
  {
    // Any expensive sync, one that created pods too, spaces the recounts after it.
    const auto took = std::chrono::steady_clock::now() - started;
    std::lock_guard lock(pace_mutex_);
    if (took >= kPacedFrom)
      recount_not_before_[key] = started + took * (1 + kRestFactor);
    else
      recount_not_before_.erase(key);
  }

  // Pods become available minReadySeconds after they became ready, with no event to
  // say so: look again then.
  const int64_t min_ready = machinery::int_or(*updated, {"spec", "minReadySeconds"}, 0);
  const int64_t replicas = machinery::int_or(*updated, {"spec", "replicas"}, 1);
  if (min_ready > 0 && machinery::int_or(*updated, {"status", "readyReplicas"}, 0) == replicas &&
      machinery::int_or(*updated, {"status", "availableReplicas"}, 0) != replicas)
    return Result::requeue_after(std::chrono::seconds(min_ready));
  return Result::done();
}

void ReplicaManager::manage_replicas(const std::string& key, const std::vector<ObjectPtr>& pods,
                                     const ObjectPtr& owner) {
  const int64_t diff = static_cast<int64_t>(pods.size()) - machinery::int_or(*owner, {"spec", "replicas"}, 1);
  const std::string ns = machinery::namespace_of(*owner);
  const ObjectReference about = reference_to(*owner, options_.kind.kind);
  if (diff < 0) {
    const int count = static_cast<int>(std::min<int64_t>(-diff, options_.burst_replicas));
    // Expected before the first create, so no observation of one can come too early.
    expectations_.counts().expect_creations(key, count);
    if (options_.log)
      options_.log->debug("too few replicas for {} {}: need {}, creating {}", options_.kind.kind.kind, key,
                          machinery::int_or(*owner, {"spec", "replicas"}, 1), count);
    const json::object& pod_template =
        machinery::object_or_empty(machinery::object_at(*owner, {"spec", "template"}));
    const json::object controller = machinery::controller_ref(*owner, options_.kind.kind);
    BatchOutcome outcome = slow_start_batch(count, kSlowStartInitialBatchSize, [&](int) {
      try {
        pod_control_.create_pod(ns, pod_template, *owner, about, controller);
      } catch (const ApiError& e) {
        // Every create fails in a namespace being deleted; nothing to report.
        if (is_namespace_terminating(e)) return;
        throw;
      }
    });
    // The pods not created will never be observed.
    if (const int skipped = count - outcome.successes; skipped > 0) {
      if (options_.log)
        options_.log->info(
            "slow-start failure for {} {}: skipping creation of {} pods, decrementing expectations",
            options_.kind.kind.kind, key, skipped);
      expectations_.counts().lower(key, skipped, 0);
    }
    if (outcome.error) std::rethrow_exception(outcome.error);
  } else if (diff > 0) {
    const auto count = static_cast<size_t>(std::min<int64_t>(diff, options_.burst_replicas));
    if (options_.log)
      options_.log->debug("too many replicas for {} {}: need {}, deleting {}", options_.kind.kind.kind, key,
                          machinery::int_or(*owner, {"spec", "replicas"}, 1), count);
    std::vector<ObjectPtr> doomed = pods_to_delete(pods, related_pods(*owner), count, now());
    std::vector<std::string> doomed_keys;
    for (const auto& pod : doomed) doomed_keys.push_back(object_key(*pod));
    // Each deletion counts once, whether seen as a deletionTimestamp or as the delete.
    expectations_.expect_deletions(key, doomed_keys);
    BatchOutcome outcome =
        slow_start_batch(static_cast<int>(doomed.size()), static_cast<int>(doomed.size()), [&](int i) {
          try {
            pod_control_.delete_pod(ns, machinery::name_of(*doomed[i]), about);
          } catch (const ApiError& e) {
            expectations_.deletion_observed(key, doomed_keys[i]);
            if (is_not_found(e)) return;
            throw;
          } catch (...) {
            // The informer will not see this one go.
            expectations_.deletion_observed(key, doomed_keys[i]);
            throw;
          }
        });
    if (outcome.error) std::rethrow_exception(outcome.error);
  }
}

InformerHandlers ReplicaManager::owner_handlers() {
  return {[this](const ObjectPtr& o) { owner_added(o); },
          [this](const ObjectPtr& old, const ObjectPtr& o) { owner_updated(old, o); },
          [this](const ObjectPtr& o) { owner_deleted(o); }};
}

InformerHandlers ReplicaManager::pod_handlers() {
  return {[this](const ObjectPtr& p) { pod_added(p); },
          [this](const ObjectPtr& old, const ObjectPtr& p) { pod_updated(old, p); },
          [this](const ObjectPtr& p) { pod_deleted(p); }};
}

void ReplicaManager::owner_added(const ObjectPtr& owner) {
  enqueue(*owner);
}

void ReplicaManager::owner_updated(const ObjectPtr& old_owner, const ObjectPtr& owner) {
  // Deleted and created again under the same name between two looks.
  if (machinery::uid_of(*old_owner) != machinery::uid_of(*owner)) owner_deleted(old_owner);
  // Every update, not only spec changes: a failed create is retried on the next one.
  enqueue(*owner);
}

void ReplicaManager::owner_deleted(const ObjectPtr& owner) {
  const std::string key = object_key(*owner);
  expectations_.forget(key);
  queue_.add(key);
}

void ReplicaManager::pod_added(const ObjectPtr& pod) {
  // Already being deleted when first seen (after a restart): not a creation.
  if (machinery::has_deletion_timestamp(*pod)) {
    pod_deleted(pod);
    return;
  }
  if (const auto* ref = machinery::controller_of(*pod)) {
    ObjectPtr owner = resolve(machinery::namespace_of(*pod), ref);
    if (!owner) return;
    const std::string key = object_key(*owner);
    expectations_.counts().creation_observed(key);
    queue_.add(key);
    return;
  }
  // An orphan: whoever selects it may adopt it. No one expects its creation.
  for (const auto& owner : owners_selecting(*pod)) enqueue(*owner);
}

void ReplicaManager::pod_updated(const ObjectPtr& old_pod, const ObjectPtr& pod) {
  // Two versions of one pod always differ in resourceVersion; a resync does not.
  if (machinery::meta_string(*old_pod, "resourceVersion") == machinery::meta_string(*pod, "resourceVersion"))
    return;
  const bool labels_changed = labels_or_empty(*old_pod) != labels_or_empty(*pod);
  if (machinery::has_deletion_timestamp(*pod)) {
    // A graceful delete: the owner replaces the pod now rather than when it is gone.
    pod_deleted(pod);
    if (labels_changed) pod_deleted(old_pod);
    return;
  }
  const auto* ref = machinery::controller_of(*pod);
  const auto* old_ref = machinery::controller_of(*old_pod);
  const bool ref_changed = !same_controller_ref(ref, old_ref);
  if (ref_changed && old_ref)
    if (ObjectPtr old_owner = resolve(machinery::namespace_of(*old_pod), old_ref)) enqueue(*old_owner);
  if (ref) {
    ObjectPtr owner = resolve(machinery::namespace_of(*pod), ref);
    if (!owner) return;
    enqueue(*owner);
    // Availability comes minReadySeconds after readiness, with no event of its own.
    const int64_t min_ready = machinery::int_or(*owner, {"spec", "minReadySeconds"}, 0);
    if (min_ready > 0 && !machinery::is_pod_ready(*old_pod) && machinery::is_pod_ready(*pod))
      queue_.add_after(object_key(*owner), std::chrono::seconds(min_ready) + std::chrono::seconds(1));
    return;
  }
  if (labels_changed || ref_changed)
    for (const auto& owner : owners_selecting(*pod)) enqueue(*owner);
}

void ReplicaManager::pod_deleted(const ObjectPtr& pod) {
  // No one waits for an orphan to go.
  ObjectPtr owner = resolve(machinery::namespace_of(*pod), machinery::controller_of(*pod));
  if (!owner) return;
  const std::string key = object_key(*owner);
  expectations_.deletion_observed(key, object_key(*pod));
  queue_.add(key);
}

}  // namespace ukube::controller
