#include "deployment_controller.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

#include "deployment_util.h"
#include "ukube/controller/cache_indexes.h"
#include "ukube/controller/controller_ref_manager.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::deployment {
namespace json = boost::json;
namespace {

const GroupVersionKind kDeploymentKind{"apps", "v1", "Deployment"};
constexpr std::chrono::milliseconds kDeploymentUnsyncedRetry{100};

std::optional<LabelSelector> deployment_selector(const json::object& d, std::string* error) {
  const auto* selector = machinery::object_at(d, {"spec", "selector"});
  if (!selector) return machinery::selector_from_json_or_nothing(nullptr);
  return machinery::selector_from_json(*selector, error);
}

int64_t spec_replicas_of(const json::object& rs) {
  return machinery::int_or(rs, {"spec", "replicas"}, 0);
}

std::string annotation_of(const json::object& o, const char* key) {
  return machinery::string_at(o, {"metadata", "annotations", key});
}

bool has_annotation(const json::object& o, const char* key) {
  return machinery::value_at(o, {"metadata", "annotations", key}) != nullptr;
}

void set_annotation(json::object& o, const char* key, const std::string& value) {
  machinery::child(machinery::child(o, "metadata"), "annotations")[key] = value;
}

// Annotations that belong to the ReplicaSet or to kubectl, not copied from the Deployment.
bool skip_copy_annotation(std::string_view key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" || key == kRevisionAnnotation ||
         key == kRevisionHistoryAnnotation || key == kDesiredReplicasAnnotation ||
         key == kMaxReplicasAnnotation || key == "deprecated.deployment.rollback.to";
}

// SetReplicasAnnotations: desired-replicas and max-replicas; whether either changed.
bool set_replicas_annotations(json::object& rs, int64_t desired, int64_t max_replicas) {
  bool changed = false;
  for (auto [key, value] :
       {std::pair{kDesiredReplicasAnnotation, desired}, std::pair{kMaxReplicasAnnotation, max_replicas}}) {
    const std::string text = std::to_string(value);
    if (!has_annotation(rs, key) || annotation_of(rs, key) != text) {
      set_annotation(rs, key, text);
      changed = true;
    }
  }
  return changed;
}

bool replicas_annotations_differ(const json::object& rs, int64_t desired, int64_t max_replicas) {
  return annotation_of(rs, kDesiredReplicasAnnotation) != std::to_string(desired) ||
         annotation_of(rs, kMaxReplicasAnnotation) != std::to_string(max_replicas);
}

// The revisions a reused ReplicaSet had before, oldest dropped first to stay within
// upstream's 2000 characters.
std::string append_revision_history(const std::string& history, const std::string& old_revision) {
  constexpr size_t kMaxRevisionHistoryChars = 2000;
  if (history.empty()) return old_revision;
  std::vector<std::string> revisions;
  for (size_t start = 0;;) {
    const size_t comma = history.find(',', start);
    revisions.push_back(
        history.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  size_t total = history.size() + old_revision.size() + 1;
  size_t first = 0;
  while (total > kMaxRevisionHistoryChars && first < revisions.size()) total -= revisions[first++].size() + 1;
  if (total > kMaxRevisionHistoryChars) return history;
  std::string out;
  for (size_t i = first; i < revisions.size(); ++i) out += revisions[i] + ",";
  return out + old_revision;
}

// SetNewReplicaSetAnnotations: the Deployment's own annotations, the new revision (the
// old one moving into revision-history), and for a new ReplicaSet the replica counts.
bool set_new_rs_annotations(const json::object& d, json::object& rs, int64_t new_revision, bool exists) {
  bool changed = false;
  if (const auto* annotations = machinery::object_at(d, {"metadata", "annotations"}))
    for (const auto& kv : *annotations) {
      if (skip_copy_annotation(kv.key())) continue;
      const json::value* current = machinery::value_at(rs, {"metadata", "annotations", kv.key()});
      if (current && *current == kv.value()) continue;
      machinery::child(machinery::child(rs, "metadata"), "annotations")[kv.key()] = kv.value();
      changed = true;
    }
  const std::string old_revision = annotation_of(rs, kRevisionAnnotation);
  if (revision_of(rs) < new_revision) {
    set_annotation(rs, kRevisionAnnotation, std::to_string(new_revision));
    changed = true;
    if (!old_revision.empty()) {
      set_annotation(rs, kRevisionHistoryAnnotation,
                     append_revision_history(annotation_of(rs, kRevisionHistoryAnnotation), old_revision));
    }
  }
  if (!exists && set_replicas_annotations(rs, replicas_of(d), replicas_of(d) + max_surge(d))) changed = true;
  return changed;
}

bool has_progress_deadline(const json::object& d) {
  auto deadline = machinery::int_at(d, {"spec", "progressDeadlineSeconds"});
  return deadline && *deadline != 2147483647;
}

const json::object* status_condition(const json::object& status, std::string_view type) {
  const auto* conditions = machinery::array_at(status, {"conditions"});
  if (!conditions) return nullptr;
  for (const auto& c : *conditions)
    if (c.is_object() && machinery::string_at(c.get_object(), {"type"}) == type) return &c.get_object();
  return nullptr;
}

void remove_status_condition(json::object& status, std::string_view type) {
  auto* conditions = machinery::mutable_array(status, "conditions");
  if (!conditions) return;
  json::array kept;
  for (const auto& c : *conditions)
    if (!c.is_object() || machinery::string_at(c.get_object(), {"type"}) != type) kept.push_back(c);
  *conditions = std::move(kept);
}

// The fields calculate_status() writes, zeros left out as upstream's omitempty does.
json::object comparable_status(const json::object* status) {
  json::object out;
  if (!status) return out;
  for (const char* key : {"observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                          "availableReplicas", "unavailableReplicas", "collisionCount"})
    if (auto v = machinery::int_at(*status, {key}); v && *v != 0) out[key] = *v;
  if (const auto* conditions = status->if_contains("conditions");
      conditions && conditions->is_array() && !conditions->get_array().empty())
    out["conditions"] = *conditions;
  return out;
}

void put_nonzero(json::object& status, const char* key, int64_t value) {
  if (value != 0) status[key] = value;
}

// ReplicaSetsBySizeNewer / ReplicaSetsBySizeOlder.
void sort_by_size(std::vector<ObjectPtr>& sets, bool newer_first) {
  sort_by_creation(sets);
  if (newer_first) std::reverse(sets.begin(), sets.end());
  std::stable_sort(sets.begin(), sets.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    return spec_replicas_of(*a) > spec_replicas_of(*b);
  });
}

std::vector<ObjectPtr> active_of(const std::vector<ObjectPtr>& sets) {
  std::vector<ObjectPtr> out;
  for (const auto& rs : sets)
    if (rs && spec_replicas_of(*rs) > 0) out.push_back(rs);
  return out;
}

void replace_in(std::vector<ObjectPtr>& sets, const ObjectPtr& updated) {
  for (auto& rs : sets)
    if (rs && machinery::uid_of(*rs) == machinery::uid_of(*updated)) rs = updated;
}

}  // namespace

bool deployment_complete(const json::object& d, const json::object& status) {
  const int64_t desired = replicas_of(d);
  return machinery::int_or(status, {"updatedReplicas"}, 0) == desired &&
         machinery::int_or(status, {"replicas"}, 0) == desired &&
         machinery::int_or(status, {"availableReplicas"}, 0) == desired &&
         machinery::int_or(status, {"observedGeneration"}, 0) >=
             machinery::int_or(d, {"metadata", "generation"}, 0);
}

void set_deployment_condition(json::object& status, json::object condition) {
  const std::string type = machinery::string_at(condition, {"type"});
  if (const auto* current = status_condition(status, type)) {
    if (machinery::string_at(*current, {"status"}) == machinery::string_at(condition, {"status"})) {
      if (machinery::string_at(*current, {"reason"}) == machinery::string_at(condition, {"reason"})) return;
      if (const auto* t = current->if_contains("lastTransitionTime")) condition["lastTransitionTime"] = *t;
    }
  }
  remove_status_condition(status, type);
  machinery::child_array(status, "conditions").push_back(std::move(condition));
}

std::vector<ObjectPtr> DeploymentSyncer::Sets::all() const {
  std::vector<ObjectPtr> out = old;
  if (new_rs) out.push_back(new_rs);
  return out;
}

DeploymentSyncer::DeploymentSyncer(DeploymentSyncerOptions options, DeploymentQueue queue)
    : options_(std::move(options)), queue_(std::move(queue)) {
  indexers_.push_back(
      options_.replica_sets->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
  indexers_.push_back(
      options_.deployments->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
  if (options_.pods)
    indexers_.push_back(
        options_.pods->add_indexer(controller::kControllerUidIndex, controller::index_by_controller_uid));
}

DeploymentSyncer::~DeploymentSyncer() = default;

machinery::Clock::time_point DeploymentSyncer::now() const {
  return options_.now ? options_.now() : machinery::Clock::now();
}

json::object DeploymentSyncer::condition(const std::string& type, const std::string& status,
                                         const std::string& reason, const std::string& message) const {
  const std::string t = machinery::format_time(now());
  return json::object{{"type", type},        {"status", status},
                      {"lastUpdateTime", t}, {"lastTransitionTime", t},
                      {"reason", reason},    {"message", message}};
}

void DeploymentSyncer::event(const json::object& d, const std::string& type, const std::string& reason,
                             const std::string& message) {
  if (!options_.events) return;
  options_.events->event(controller::reference_to(d, kDeploymentKind), type, reason, message);
}

ObjectPtr DeploymentSyncer::resolve(const std::string& ns, const json::object* ref) const {
  return controller::resolve_controller_ref(*options_.deployments, ns, ref, kDeploymentKind.kind);
}

std::vector<ObjectPtr> DeploymentSyncer::deployments_selecting(const json::object& rs) const {
  return controller::owners_selecting(*options_.deployments, rs, deployment_selector);
}

std::vector<ObjectPtr> DeploymentSyncer::claim_replica_sets(const json::object& d,
                                                            const LabelSelector& selector) {
  const std::string uid = machinery::uid_of(d);
  std::vector<ObjectPtr> candidates;
  for (const auto& rs :
       options_.replica_sets->by_index(controller::kNamespaceIndex, machinery::namespace_of(d))) {
    const auto* ref = machinery::controller_of(*rs);
    if (!ref || machinery::string_at(*ref, {"uid"}) == uid) candidates.push_back(rs);
  }
  controller::ControllerRefManager refs(
      *options_.client, machinery::kReplicaSets, "ReplicaSet", d, kDeploymentKind, selector,
      controller::recheck_owner(*options_.client, machinery::kDeployments, kDeploymentKind.kind, d));
  auto claimed = refs.claim(candidates);
  if (!claimed.errors.empty()) throw std::runtime_error(claimed.error());
  return claimed.objects;
}

controller::Result DeploymentSyncer::sync(const std::string& key) {
  if (!options_.deployments->has_synced() || !options_.replica_sets->has_synced())
    return controller::Result::requeue_after(kDeploymentUnsyncedRetry);
  ObjectPtr cached = options_.deployments->get(key);
  if (!cached) return controller::Result::done();
  json::object d = *cached;

  std::string selector_error;
  auto selector = deployment_selector(d, &selector_error);
  if (!selector) {
    if (options_.log) options_.log->error("invalid selector of deployment {}: {}", key, selector_error);
    return controller::Result::done();
  }
  if (selector->empty()) {
    event(d, "Warning", "SelectingAll",
          "This deployment is selecting all pods. A non-empty selector is required.");
    const int64_t generation = machinery::int_or(d, {"metadata", "generation"}, 0);
    if (machinery::int_or(d, {"status", "observedGeneration"}, 0) < generation) {
      json::object status = machinery::object_or_empty(machinery::object_at(d, {"status"}));
      status["observedGeneration"] = generation;
      write_status(d, std::move(status));
    }
    return controller::Result::done();
  }

  std::vector<ObjectPtr> sets = claim_replica_sets(d, *selector);
  if (machinery::has_deletion_timestamp(d)) {
    Sets found = get_all(d, sets, false);
    sync_status(d, found);
    return controller::Result::done();
  }
  check_paused(d);
  if (machinery::bool_at(d, {"spec", "paused"}).value_or(false)) return scale_sync(d, sets);
  if (is_scaling_event(d, sets)) return scale_sync(d, sets);
  if (machinery::string_at(d, {"spec", "strategy", "type"}) == "Recreate") return rollout_recreate(d, sets);
  return rollout_rolling(d, sets);
}

bool DeploymentSyncer::check_paused(json::object& d) {
  if (!has_progress_deadline(d)) return false;
  const bool paused = machinery::bool_at(d, {"spec", "paused"}).value_or(false);
  json::object status = machinery::object_or_empty(machinery::object_at(d, {"status"}));
  const auto* current = status_condition(status, "Progressing");
  const std::string reason = current ? machinery::string_at(*current, {"reason"}) : "";
  bool changed = false;
  if (paused && reason != "DeploymentPaused") {
    set_deployment_condition(status,
                             condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused"));
    changed = true;
  } else if (!paused && reason == "DeploymentPaused") {
    set_deployment_condition(
        status, condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed"));
    changed = true;
  }
  if (changed) write_status(d, std::move(status));
  return changed;
}

DeploymentSyncer::Sets DeploymentSyncer::get_all(json::object& d, std::vector<ObjectPtr>& sets, bool create) {
  std::vector<ObjectPtr> sorted = sets;
  sort_by_creation(sorted);
  Sets found;
  const json::object* want = machinery::object_at(d, {"spec", "template"});
  for (const auto& rs : sorted) {
    if (!found.new_rs && equal_ignore_hash(machinery::object_at(*rs, {"spec", "template"}), want))
      found.new_rs = rs;
    else
      found.old.push_back(rs);
  }
  found.new_rs = get_new_rs(d, found, create);
  // Later steps of this sync see the ReplicaSet as written.
  if (found.new_rs) replace_in(sets, found.new_rs);
  return found;
}

ObjectPtr DeploymentSyncer::get_new_rs(json::object& d, const Sets& found, bool create) {
  int64_t max_old = 0;
  for (const auto& rs : found.old) max_old = std::max(max_old, revision_of(*rs));
  const int64_t new_revision = max_old + 1;
  const std::string ns = machinery::namespace_of(d);

  if (found.new_rs) {
    ObjectPtr existing = found.new_rs;
    json::object copy = *existing;
    bool changed = set_new_rs_annotations(d, copy, new_revision, true);
    const int64_t min_ready = machinery::int_or(d, {"spec", "minReadySeconds"}, 0);
    if (machinery::int_or(copy, {"spec", "minReadySeconds"}, 0) != min_ready) {
      machinery::child(copy, "spec")["minReadySeconds"] = min_ready;
      changed = true;
    }
    if (changed) existing = options_.client->update(machinery::kReplicaSets, ns, copy);
    const std::string revision = annotation_of(*existing, kRevisionAnnotation);
    bool annotations_changed = false, status_changed = false;
    if (annotation_of(d, kRevisionAnnotation) != revision) {
      set_annotation(d, kRevisionAnnotation, revision);
      annotations_changed = true;
    }
    json::object& status = machinery::child(d, "status");
    if (has_progress_deadline(d) && !status_condition(status, "Progressing")) {
      set_deployment_condition(status,
                               condition("Progressing", "True", "FoundNewReplicaSet",
                                         "Found new replica set \"" + machinery::name_of(*existing) + "\""));
      status_changed = true;
    }
    if (annotations_changed || status_changed) write_deployment(d, annotations_changed);
    return existing;
  }
  if (!create) return nullptr;

  const json::object& spec_template =
      machinery::object_or_empty(machinery::object_at(d, {"spec", "template"}));
  const std::optional<int64_t> collision_count = machinery::int_at(d, {"status", "collisionCount"});
  const std::string hash = pod_template_hash(spec_template, collision_count);
  json::object rs_template = spec_template;
  machinery::child(machinery::child(rs_template, "metadata"), "labels")[kPodTemplateHashLabel] = hash;
  json::object selector = machinery::object_or_empty(machinery::object_at(d, {"spec", "selector"}));
  machinery::child(selector, "matchLabels")[kPodTemplateHashLabel] = hash;
  json::object rs{
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata",
       json::object{{"name", machinery::name_of(d) + "-" + hash},
                    {"namespace", ns},
                    {"labels", *machinery::object_at(rs_template, {"metadata", "labels"})},
                    {"ownerReferences", json::array{machinery::controller_ref(d, kDeploymentKind)}}}},
      {"spec", json::object{{"replicas", 0},
                            {"minReadySeconds", machinery::int_or(d, {"spec", "minReadySeconds"}, 0)},
                            {"selector", selector},
                            {"template", rs_template}}}};
  std::vector<ObjectPtr> all = found.old;
  auto candidate = std::make_shared<const json::object>(rs);
  all.push_back(candidate);
  const int64_t new_replicas = new_rs_new_replicas(d, all, rs);
  machinery::child(rs, "spec")["replicas"] = new_replicas;
  set_new_rs_annotations(d, rs, new_revision, false);
  set_replicas_annotations(rs, replicas_of(d), replicas_of(d) + max_surge(d));

  ObjectPtr created;
  bool already_exists = false;
  try {
    created = options_.client->create(machinery::kReplicaSets, ns, rs);
  } catch (const ApiError& e) {
    if (!is_already_exists(e)) {
      // Said on the Deployment, and as its Progressing condition when it has a deadline.
      const std::string message =
          "Failed to create new replica set \"" + machinery::name_of(rs) + "\": " + e.what();
      event(d, "Warning", "ReplicaSetCreateError", message);
      if (has_progress_deadline(d)) {
        json::object status = machinery::object_or_empty(machinery::object_at(d, {"status"}));
        set_deployment_condition(status, condition("Progressing", "False", "ReplicaSetCreateError", message));
        write_status(d, std::move(status));
      }
      throw;
    }
    ObjectPtr existing = options_.client->get(machinery::kReplicaSets, ns, machinery::name_of(rs));
    if (existing && machinery::is_controlled_by(*existing, machinery::uid_of(d)) &&
        equal_ignore_hash(machinery::object_at(*existing, {"spec", "template"}), &spec_template)) {
      created = existing;
      already_exists = true;
    } else {
      // A hash collision: the next hash takes collisionCount into account.
      json::object status = machinery::object_or_empty(machinery::object_at(d, {"status"}));
      status["collisionCount"] = collision_count.value_or(0) + 1;
      write_status(d, std::move(status));
      throw;
    }
  }
  if (!already_exists && new_replicas > 0)
    event(d, "Normal", "ScalingReplicaSet",
          "Scaled up replica set " + machinery::name_of(*created) + " from 0 to " +
              std::to_string(new_replicas));
  bool annotations_changed = false, status_changed = false;
  const std::string revision = std::to_string(new_revision);
  if (annotation_of(d, kRevisionAnnotation) != revision) {
    set_annotation(d, kRevisionAnnotation, revision);
    annotations_changed = true;
  }
  if (!already_exists && has_progress_deadline(d)) {
    set_deployment_condition(machinery::child(d, "status"),
                             condition("Progressing", "True", "NewReplicaSetCreated",
                                       "Created new replica set \"" + machinery::name_of(*created) + "\""));
    status_changed = true;
  }
  if (annotations_changed || status_changed) write_deployment(d, annotations_changed);
  return created;
}

void DeploymentSyncer::write_deployment(json::object& d, bool annotations_changed) {
  const std::string ns = machinery::namespace_of(d);
  json::object status = machinery::object_or_empty(machinery::object_at(d, {"status"}));
  if (annotations_changed) {
    // The role upstream gives deployment-controller updates Deployments; it does not patch them.
    ObjectPtr written = options_.client->update(machinery::kDeployments, ns, d);
    if (written) d = *written;
  }
  write_status(d, std::move(status));
}

void DeploymentSyncer::write_status(json::object& d, json::object status) {
  d["status"] = std::move(status);
  ObjectPtr written =
      options_.client->update(machinery::kDeployments, machinery::namespace_of(d), d, {}, "status");
  if (written) d = *written;
}

bool DeploymentSyncer::scale_replica_set(ObjectPtr& rs, int64_t size, const json::object& d) {
  const int64_t current = spec_replicas_of(*rs);
  const bool size_changed = current != size;
  const int64_t desired = replicas_of(d);
  const int64_t max_replicas = desired + max_surge(d);
  if (!size_changed && !replicas_annotations_differ(*rs, desired, max_replicas)) return false;
  json::object copy = *rs;
  machinery::child(copy, "spec")["replicas"] = size;
  set_replicas_annotations(copy, desired, max_replicas);
  ObjectPtr written = options_.client->update(machinery::kReplicaSets, machinery::namespace_of(copy), copy);
  rs = written ? written : std::make_shared<const json::object>(std::move(copy));
  if (size_changed)
    event(d, "Normal", "ScalingReplicaSet",
          std::string("Scaled ") + (size > current ? "up" : "down") + " replica set " +
              machinery::name_of(*rs) + " from " + std::to_string(current) + " to " + std::to_string(size));
  return size_changed;
}

bool DeploymentSyncer::reconcile_new(const json::object& d, Sets& sets) {
  const int64_t desired = replicas_of(d);
  const int64_t current = spec_replicas_of(*sets.new_rs);
  if (current == desired) return false;
  if (current > desired) return scale_replica_set(sets.new_rs, desired, d);
  const int64_t next = new_rs_new_replicas(d, sets.all(), *sets.new_rs);
  if (next == current) return false;
  return scale_replica_set(sets.new_rs, next, d);
}

bool DeploymentSyncer::reconcile_old(const json::object& d, Sets& sets) {
  if (sum_spec_replicas(sets.old) == 0) return false;
  const int64_t all_count = sum_spec_replicas(sets.all());
  const int64_t min_available = replicas_of(d) - max_unavailable(d);
  const int64_t new_unavailable =
      spec_replicas_of(*sets.new_rs) - machinery::int_or(*sets.new_rs, {"status", "availableReplicas"}, 0);
  const int64_t max_scaled_down = all_count - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;

  // Unhealthy replicas of old ReplicaSets go first: they add nothing to availability.
  std::vector<ObjectPtr> old = sets.old;
  sort_by_creation(old);
  int64_t cleaned = 0;
  for (auto& rs : old) {
    if (cleaned >= max_scaled_down) break;
    const int64_t replicas = spec_replicas_of(*rs);
    if (replicas == 0) continue;
    const int64_t unhealthy = replicas - machinery::int_or(*rs, {"status", "availableReplicas"}, 0);
    if (unhealthy <= 0) continue;
    const int64_t count = std::min(max_scaled_down - cleaned, unhealthy);
    scale_replica_set(rs, replicas - count, d);
    cleaned += count;
  }
  sets.old = old;

  // Then available ones, as far as minAvailable allows.
  int64_t scaled = 0;
  const int64_t available = sum_status(sets.all(), "availableReplicas");
  if (available > min_available) {
    const int64_t total = available - min_available;
    for (auto& rs : sets.old) {
      if (scaled >= total) break;
      const int64_t replicas = spec_replicas_of(*rs);
      if (replicas == 0) continue;
      const int64_t count = std::min(replicas, total - scaled);
      scale_replica_set(rs, replicas - count, d);
      scaled += count;
    }
  }
  return cleaned + scaled > 0;
}

controller::Result DeploymentSyncer::rollout_rolling(json::object& d, std::vector<ObjectPtr>& sets) {
  Sets found = get_all(d, sets, true);
  if (reconcile_new(d, found)) return sync_rollout_status(d, found);
  if (reconcile_old(d, found)) return sync_rollout_status(d, found);
  if (deployment_complete(d, machinery::object_or_empty(machinery::object_at(d, {"status"}))))
    cleanup(d, found.old);
  return sync_rollout_status(d, found);
}

controller::Result DeploymentSyncer::rollout_recreate(json::object& d, std::vector<ObjectPtr>& sets) {
  Sets found = get_all(d, sets, false);
  bool scaled_down = false;
  for (auto& rs : found.old)
    if (spec_replicas_of(*rs) > 0 && scale_replica_set(rs, 0, d)) scaled_down = true;
  if (scaled_down) return sync_rollout_status(d, found);
  // Old pods still running must go first.
  if (old_pods_running(found)) return sync_rollout_status(d, found);
  if (!found.new_rs) {
    std::vector<ObjectPtr> current = found.all();
    found = get_all(d, current, true);
  }
  scale_replica_set(found.new_rs, replicas_of(d), d);
  if (deployment_complete(d, machinery::object_or_empty(machinery::object_at(d, {"status"}))))
    cleanup(d, found.old);
  return sync_rollout_status(d, found);
}

bool DeploymentSyncer::old_pods_running(const Sets& sets) const {
  if (sum_status(sets.old, "replicas") > 0) return true;
  if (!options_.pods) return false;
  for (const auto& rs : sets.old)
    for (const auto& pod : options_.pods->by_index(controller::kControllerUidIndex, machinery::uid_of(*rs))) {
      const std::string phase = machinery::string_at(*pod, {"status", "phase"});
      if (phase != "Failed" && phase != "Succeeded") return true;
    }
  return false;
}

bool DeploymentSyncer::is_scaling_event(json::object& d, std::vector<ObjectPtr>& sets) {
  Sets found = get_all(d, sets, false);
  const std::string desired = std::to_string(replicas_of(d));
  for (const auto& rs : active_of(found.all()))
    if (has_annotation(*rs, kDesiredReplicasAnnotation) &&
        annotation_of(*rs, kDesiredReplicasAnnotation) != desired)
      return true;
  return false;
}

controller::Result DeploymentSyncer::scale_sync(json::object& d, std::vector<ObjectPtr>& sets) {
  Sets found = get_all(d, sets, false);
  scale(d, found);
  if (machinery::bool_at(d, {"spec", "paused"}).value_or(false)) cleanup(d, found.old);
  sync_status(d, found);
  return controller::Result::done();
}

void DeploymentSyncer::scale(const json::object& d, Sets& sets) {
  const int64_t desired = replicas_of(d);
  // FindActiveOrLatest: the one active ReplicaSet, or the newest when none is.
  std::vector<ObjectPtr> active = active_of(sets.all());
  ObjectPtr* only = nullptr;
  std::vector<ObjectPtr*> slots;
  for (auto& rs : sets.old) slots.push_back(&rs);
  if (sets.new_rs) slots.push_back(&sets.new_rs);
  if (active.size() == 1) {
    for (auto* slot : slots)
      if (machinery::uid_of(**slot) == machinery::uid_of(*active[0])) only = slot;
  } else if (active.empty()) {
    if (sets.new_rs) {
      only = &sets.new_rs;
    } else if (!slots.empty()) {
      only = slots.front();
      for (auto* slot : slots) {
        const auto a = machinery::meta_string(**slot, "creationTimestamp");
        const auto b = machinery::meta_string(**only, "creationTimestamp");
        if (a > b) only = slot;
      }
    }
  }
  if (only || active.empty()) {
    if (only && spec_replicas_of(**only) != desired) scale_replica_set(*only, desired, d);
    return;
  }
  // Saturated: the new ReplicaSet is complete, the old ones go.
  if (sets.new_rs && annotation_of(*sets.new_rs, kDesiredReplicasAnnotation) == std::to_string(desired) &&
      spec_replicas_of(*sets.new_rs) == desired &&
      machinery::int_or(*sets.new_rs, {"status", "availableReplicas"}, 0) == desired) {
    for (auto& rs : sets.old)
      if (spec_replicas_of(*rs) > 0) scale_replica_set(rs, 0, d);
    return;
  }
  if (!is_rolling_update(d)) return;
  // Proportional scaling: each active ReplicaSet grows or shrinks by its share.
  const int64_t all_replicas = sum_spec_replicas(active);
  const int64_t allowed = desired > 0 ? desired + max_surge(d) : 0;
  const int64_t to_add = allowed - all_replicas;
  sort_by_size(active, to_add > 0);
  std::vector<int64_t> sizes;
  int64_t added = 0;
  for (const auto& rs : active) {
    const int64_t replicas = spec_replicas_of(*rs);
    int64_t proportion = 0;
    if (to_add != 0 && replicas != 0 && to_add != added) {
      int64_t fraction;
      if (desired == 0) {
        fraction = -replicas;
      } else {
        int64_t annotated = machinery::int_or(d, {"status", "replicas"}, 0);
        if (has_annotation(*rs, kMaxReplicasAnnotation)) {
          try {
            annotated = std::stoll(annotation_of(*rs, kMaxReplicasAnnotation));
          } catch (const std::exception&) {
          }
        }
        fraction =
            annotated == 0
                ? 0
                : static_cast<int64_t>(std::llround(static_cast<double>(replicas * (desired + max_surge(d))) /
                                                    static_cast<double>(annotated))) -
                      replicas;
      }
      const int64_t left = to_add - added;
      proportion = to_add > 0 ? std::min(fraction, left) : std::max(fraction, left);
    }
    sizes.push_back(replicas + proportion);
    added += proportion;
  }
  for (size_t i = 0; i < active.size(); ++i) {
    int64_t size = sizes[i];
    if (i == 0 && to_add != 0) size = std::max<int64_t>(0, size + to_add - added);
    ObjectPtr rs = active[i];
    scale_replica_set(rs, size, d);
    if (sets.new_rs && machinery::uid_of(*sets.new_rs) == machinery::uid_of(*rs))
      sets.new_rs = rs;
    else
      replace_in(sets.old, rs);
  }
}

void DeploymentSyncer::cleanup(const json::object& d, const std::vector<ObjectPtr>& old) {
  auto limit = machinery::int_at(d, {"spec", "revisionHistoryLimit"});
  if (!limit) return;
  std::vector<ObjectPtr> alive;
  for (const auto& rs : old)
    if (!machinery::has_deletion_timestamp(*rs)) alive.push_back(rs);
  const int64_t diff = static_cast<int64_t>(alive.size()) - *limit;
  if (diff <= 0) return;
  sort_by_creation(alive);
  std::stable_sort(alive.begin(), alive.end(),
                   [](const ObjectPtr& a, const ObjectPtr& b) { return revision_of(*a) < revision_of(*b); });
  for (int64_t i = 0; i < diff; ++i) {
    const auto& rs = alive[static_cast<size_t>(i)];
    if (machinery::int_or(*rs, {"status", "replicas"}, 0) != 0 || spec_replicas_of(*rs) != 0 ||
        machinery::int_or(*rs, {"metadata", "generation"}, 0) >
            machinery::int_or(*rs, {"status", "observedGeneration"}, 0))
      continue;
    try {
      options_.client->remove(machinery::kReplicaSets, machinery::namespace_of(*rs), machinery::name_of(*rs));
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;
    }
  }
}

json::object DeploymentSyncer::calculate_status(const json::object& d, const Sets& sets) const {
  const std::vector<ObjectPtr> all = sets.all();
  const int64_t available = sum_status(all, "availableReplicas");
  const int64_t unavailable = std::max<int64_t>(0, sum_spec_replicas(all) - available);
  json::object status;
  put_nonzero(status, "observedGeneration", machinery::int_or(d, {"metadata", "generation"}, 0));
  put_nonzero(status, "replicas", sum_status(all, "replicas"));
  put_nonzero(status, "updatedReplicas",
              sets.new_rs ? machinery::int_or(*sets.new_rs, {"status", "replicas"}, 0) : 0);
  put_nonzero(status, "readyReplicas", sum_status(all, "readyReplicas"));
  put_nonzero(status, "availableReplicas", available);
  put_nonzero(status, "unavailableReplicas", unavailable);
  put_nonzero(status, "collisionCount", machinery::int_or(d, {"status", "collisionCount"}, 0));
  if (const auto* conditions = machinery::array_at(d, {"status", "conditions"});
      conditions && !conditions->empty())
    status["conditions"] = *conditions;
  if (available >= replicas_of(d) - max_unavailable(d))
    set_deployment_condition(status, condition("Available", "True", "MinimumReplicasAvailable",
                                               "Deployment has minimum availability."));
  else
    set_deployment_condition(status, condition("Available", "False", "MinimumReplicasUnavailable",
                                               "Deployment does not have minimum availability."));
  return status;
}

void DeploymentSyncer::sync_status(json::object& d, const Sets& sets) {
  json::object status = calculate_status(d, sets);
  if (comparable_status(machinery::object_at(d, {"status"})) == status) return;
  write_status(d, std::move(status));
}

controller::Result DeploymentSyncer::sync_rollout_status(json::object& d, const Sets& sets) {
  json::object status = calculate_status(d, sets);
  const bool deadline = has_progress_deadline(d);
  if (!deadline) remove_status_condition(status, "Progressing");
  const json::object old_status = machinery::object_or_empty(machinery::object_at(d, {"status"}));
  const json::object* current = status_condition(status, "Progressing");
  const std::string current_reason = current ? machinery::string_at(*current, {"reason"}) : "";
  const std::string rs_name = sets.new_rs ? machinery::name_of(*sets.new_rs) : "";
  const auto deadline_seconds =
      std::chrono::seconds(machinery::int_or(d, {"spec", "progressDeadlineSeconds"}, 0));
  auto counts = [](const json::object& s, const char* key) { return machinery::int_or(s, {key}, 0); };
  // As upstream, progress is estimated until the latest rollout completed, also after it
  // timed out: a rollout undone, or one that got going again, is reported as such.
  const bool completed = counts(status, "replicas") == counts(status, "updatedReplicas") &&
                         current_reason == "NewReplicaSetAvailable";
  if (deadline && !completed) {
    if (deployment_complete(d, status)) {
      set_deployment_condition(
          status, condition("Progressing", "True", "NewReplicaSetAvailable",
                            sets.new_rs ? "ReplicaSet \"" + rs_name + "\" has successfully progressed."
                                        : "Deployment has successfully progressed."));
    } else if (counts(status, "updatedReplicas") > counts(old_status, "updatedReplicas") ||
               counts(status, "replicas") - counts(status, "updatedReplicas") <
                   counts(old_status, "replicas") - counts(old_status, "updatedReplicas") ||
               counts(status, "readyReplicas") > counts(old_status, "readyReplicas") ||
               counts(status, "availableReplicas") > counts(old_status, "availableReplicas")) {
      json::object progressing = condition(
          "Progressing", "True", "ReplicaSetUpdated",
          sets.new_rs ? "ReplicaSet \"" + rs_name + "\" is progressing." : "Deployment is progressing.");
      if (current && machinery::string_at(*current, {"status"}) == "True")
        if (const auto* t = current->if_contains("lastTransitionTime"))
          progressing["lastTransitionTime"] = *t;
      remove_status_condition(status, "Progressing");
      set_deployment_condition(status, std::move(progressing));
    } else if (current && current_reason != "NewReplicaSetAvailable" && current_reason != kReasonTimedOut) {
      auto from = machinery::parse_time(machinery::string_at(*current, {"lastUpdateTime"}));
      if (from && *from + deadline_seconds < now())
        set_deployment_condition(
            status, condition("Progressing", "False", kReasonTimedOut,
                              sets.new_rs ? "ReplicaSet \"" + rs_name + "\" has timed out progressing."
                                          : "Deployment \"" + machinery::name_of(d) +
                                                "\" has timed out progressing."));
    }
  }
  // A ReplicaSet that cannot make its pods says so on the Deployment (the new one first).
  const json::object* failure = nullptr;
  if (sets.new_rs)
    failure = status_condition(machinery::object_or_empty(machinery::object_at(*sets.new_rs, {"status"})),
                               "ReplicaFailure");
  for (size_t i = 0; !failure && i < sets.old.size(); ++i)
    failure = status_condition(machinery::object_or_empty(machinery::object_at(*sets.old[i], {"status"})),
                               "ReplicaFailure");
  if (failure) {
    set_deployment_condition(status, condition("ReplicaFailure", machinery::string_at(*failure, {"status"}),
                                               machinery::string_at(*failure, {"reason"}),
                                               machinery::string_at(*failure, {"message"})));
  } else {
    remove_status_condition(status, "ReplicaFailure");
  }
  if (comparable_status(&old_status) != status) write_status(d, status);

  // A rollout that has not finished is looked at again when its deadline passes.
  const json::object* progressing = status_condition(status, "Progressing");
  if (!deadline || !progressing) return controller::Result::done();
  const std::string reason = machinery::string_at(*progressing, {"reason"});
  if (reason == "NewReplicaSetAvailable" || reason == kReasonTimedOut) return controller::Result::done();
  auto from = machinery::parse_time(machinery::string_at(*progressing, {"lastUpdateTime"}));
  if (!from) return controller::Result::done();
  auto after = std::chrono::duration_cast<std::chrono::milliseconds>(*from + deadline_seconds - now());
  if (after < std::chrono::seconds(1)) after = std::chrono::seconds(1);
  return controller::Result::requeue_after(after);
}

InformerHandlers DeploymentSyncer::deployment_handlers() {
  auto add = [this](const ObjectPtr& d) { queue_.add(object_key(*d)); };
  return {add, [add](const ObjectPtr&, const ObjectPtr& d) { add(d); }, add};
}

InformerHandlers DeploymentSyncer::replica_set_handlers() {
  return {[this](const ObjectPtr& rs) { replica_set_added(rs); },
          [this](const ObjectPtr& old, const ObjectPtr& rs) { replica_set_updated(old, rs); },
          [this](const ObjectPtr& rs) { replica_set_deleted(rs); }};
}

void DeploymentSyncer::replica_set_added(const ObjectPtr& rs) {
  if (machinery::has_deletion_timestamp(*rs)) {
    replica_set_deleted(rs);
    return;
  }
  if (const auto* ref = machinery::controller_of(*rs)) {
    if (ObjectPtr d = resolve(machinery::namespace_of(*rs), ref)) queue_.add(object_key(*d));
    return;
  }
  for (const auto& d : deployments_selecting(*rs)) queue_.add(object_key(*d));
}

void DeploymentSyncer::replica_set_updated(const ObjectPtr& old_rs, const ObjectPtr& rs) {
  if (machinery::meta_string(*old_rs, "resourceVersion") == machinery::meta_string(*rs, "resourceVersion"))
    return;
  const auto* ref = machinery::controller_of(*rs);
  const auto* old_ref = machinery::controller_of(*old_rs);
  const bool ref_changed = (ref == nullptr) != (old_ref == nullptr) || (ref && *ref != *old_ref);
  if (ref_changed && old_ref)
    if (ObjectPtr d = resolve(machinery::namespace_of(*old_rs), old_ref)) queue_.add(object_key(*d));
  if (ref) {
    if (ObjectPtr d = resolve(machinery::namespace_of(*rs), ref)) queue_.add(object_key(*d));
    return;
  }
  const bool labels_changed = machinery::object_or_empty(machinery::labels_of(*old_rs)) !=
                              machinery::object_or_empty(machinery::labels_of(*rs));
  if (labels_changed || ref_changed)
    for (const auto& d : deployments_selecting(*rs)) queue_.add(object_key(*d));
}

void DeploymentSyncer::replica_set_deleted(const ObjectPtr& rs) {
  if (ObjectPtr d = resolve(machinery::namespace_of(*rs), machinery::controller_of(*rs)))
    queue_.add(object_key(*d));
}

InformerHandlers DeploymentSyncer::pod_handlers() {
  return {nullptr, nullptr, [this](const ObjectPtr& pod) { pod_deleted(pod); }};
}

void DeploymentSyncer::pod_deleted(const ObjectPtr& pod) {
  // A Recreate rollout waits for the old pods to go: the last one gone wakes it.
  const auto* ref = machinery::controller_of(*pod);
  if (!ref || machinery::string_at(*ref, {"kind"}) != "ReplicaSet") return;
  const std::string ns = machinery::namespace_of(*pod);
  ObjectPtr rs = options_.replica_sets->get(ns + "/" + machinery::string_at(*ref, {"name"}));
  if (!rs || machinery::uid_of(*rs) != machinery::string_at(*ref, {"uid"})) return;
  ObjectPtr d = resolve(ns, machinery::controller_of(*rs));
  if (!d || machinery::string_at(*d, {"spec", "strategy", "type"}) != "Recreate") return;
  queue_.add(object_key(*d));
}

DeploymentController::DeploymentController(const controller::ControllerDeps& deps, unsigned workers)
    : deployments_(deps.informers->informer(machinery::kDeployments)),
      replica_sets_(deps.informers->informer(machinery::kReplicaSets)),
      pods_(deps.informers->informer(machinery::kPods)) {
  controller::LoopSettings settings;
  settings.name = "deployment";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return syncer_->sync(key); }, deps.log);
  DeploymentSyncerOptions options;
  options.client = deps.client;
  options.deployments = deployments_;
  options.replica_sets = replica_sets_;
  options.pods = pods_;
  options.events = deps.events;
  options.log = deps.log;
  syncer_ = std::make_unique<DeploymentSyncer>(
      std::move(options), DeploymentQueue{[this](const std::string& key) { loop_->add(key); }});
}

DeploymentController::~DeploymentController() {
  stop();
}

void DeploymentController::start() {
  if (!handlers_.empty()) return;
  handlers_.push_back(deployments_->add_handlers(syncer_->deployment_handlers()));
  handlers_.push_back(replica_sets_->add_handlers(syncer_->replica_set_handlers()));
  handlers_.push_back(pods_->add_handlers(syncer_->pod_handlers()));
  loop_->start();
}

void DeploymentController::stop() {
  handlers_.clear();
  loop_->stop();
}

}  // namespace ukube::controllers::deployment
