#include "garbage_collector.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"

namespace ukube::controllers::gc {
namespace json = boost::json;

namespace {

constexpr int kConflictRetries = 5;
// How soon work that came before the graph was complete is looked at again.
constexpr std::chrono::milliseconds kUntilPrimed{100};
// Upstream keeps the 500 most recent absent owners; a plain set that starts over is enough.
constexpr size_t kAbsentOwnersKept = 1000;

bool has_finalizer(const json::object& object, std::string_view finalizer) {
  for (const auto& f : machinery::strings_at(object, {"metadata", "finalizers"}))
    if (f == finalizer) return true;
  return false;
}

// Drops the references to `uids`, and the field with the last one, as upstream's patch does.
bool drop_owners(json::object& object, const std::vector<std::string>& uids) {
  bool changed = false;
  for (const auto& uid : uids) changed |= machinery::release(object, uid);
  auto& meta = machinery::child(object, "metadata");
  if (const auto* refs = meta.if_contains("ownerReferences");
      refs && refs->is_array() && refs->get_array().empty())
    meta.erase("ownerReferences");
  return changed;
}

// Sets blockOwnerDeletion false on the references to `owner_uid`, or on every reference
// when it is empty; whether any changed.
bool unblock(json::object& object, const std::string& owner_uid) {
  auto* refs = machinery::mutable_array(machinery::child(object, "metadata"), "ownerReferences");
  if (!refs) return false;
  bool changed = false;
  for (auto& r : *refs) {
    auto* ref = r.if_object();
    if (!ref || !machinery::bool_at(*ref, {"blockOwnerDeletion"}).value_or(false)) continue;
    if (!owner_uid.empty() && machinery::string_at(*ref, {"uid"}) != owner_uid) continue;
    (*ref)["blockOwnerDeletion"] = false;
    changed = true;
  }
  return changed;
}

std::string resource_key(const GroupVersionResource& gvr) {
  return gvr.resource + "." + gvr.group;
}

}  // namespace

GarbageCollector::GarbageCollector(GarbageCollectorOptions options) : options_(std::move(options)) {
  controller::LoopSettings deletes;
  deletes.name = "garbagecollector-delete";
  deletes.workers = std::max(1u, options_.workers);
  delete_loop_ = std::make_unique<controller::ReconcileLoop>(
      deletes, [this](const std::string& uid) { return attempt_to_delete(uid); }, options_.log);
  controller::LoopSettings orphans;
  orphans.name = "garbagecollector-orphan";
  orphans.workers = 1;
  orphan_loop_ = std::make_unique<controller::ReconcileLoop>(
      orphans, [this](const std::string& uid) { return attempt_to_orphan(uid); }, options_.log);
  controller::LoopSettings monitors;
  monitors.name = "garbagecollector-monitors";
  monitor_loop_ = std::make_unique<controller::ReconcileLoop>(
      monitors, [this](const std::string&) { return sync_monitors(); }, options_.log);
}

GarbageCollector::~GarbageCollector() {
  stop();
}

void GarbageCollector::start() {
  delete_loop_->start();
  orphan_loop_->start();
  monitor_loop_->start();
  monitor_loop_->add("resources");
}

void GarbageCollector::stop() {
  monitor_loop_->stop();
  {
    std::map<std::string, Monitor> gone;
    std::lock_guard lock(mutex_);
    gone.swap(monitors_);
  }
  delete_loop_->stop();
  orphan_loop_->stop();
  primed_ = false;
}

bool GarbageCollector::idle() const {
  return primed_ && delete_loop_->idle() && orphan_loop_->idle();
}

controller::Result GarbageCollector::sync_monitors() {
  for (const auto& resource : options_.resources()) {
    const std::string key = resource_key(resource.gvr);
    {
      std::lock_guard lock(mutex_);
      if (monitors_.contains(key)) continue;
    }
    auto informer = options_.informers->informer(resource.gvr);
    std::lock_guard lock(mutex_);
    monitors_.emplace(key, Monitor{resource, std::move(informer), {}});
  }
  std::vector<Monitor*> waiting;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, monitor] : monitors_)
      if (!monitor.registration.active()) waiting.push_back(&monitor);
  }
  // Only this loop's one worker changes monitors_ entries, and stop() waits for it.
  bool all = true;
  for (Monitor* monitor : waiting) {
    if (!monitor->informer->wait_for_sync(std::chrono::milliseconds(200))) {
      all = false;
      continue;
    }
    // Registered once the first list is cached: the registration reports every cached
    // object before it returns, in step with the changes that follow, so the graph is
    // complete for this resource from here on.
    InformerRegistration registration = monitor->informer->add_handlers(handlers_for(monitor->resource));
    std::lock_guard lock(mutex_);
    monitor->registration = std::move(registration);
  }
  if (!all) return controller::Result::requeue_after(std::chrono::milliseconds(500));
  primed_ = true;
  return controller::Result::requeue_after(options_.resync_period);
}

InformerHandlers GarbageCollector::handlers_for(const ResourceMapping& resource) {
  const std::string api_version =
      resource.gvr.group.empty() ? resource.gvr.version : resource.gvr.group + "/" + resource.gvr.version;
  auto observe = [this, api_version, kind = resource.kind](const ObjectPtr& object) {
    queue(graph_.observe(observe_object(*object, api_version, kind)));
  };
  return {observe, [observe](const ObjectPtr&, const ObjectPtr& object) { observe(object); },
          [this](const ObjectPtr& object) { queue(graph_.forget(machinery::uid_of(*object))); }};
}

void GarbageCollector::queue(const GraphWork& work) {
  for (const auto& uid : work.attempt_to_delete) delete_loop_->add(uid);
  for (const auto& uid : work.attempt_to_orphan) orphan_loop_->add(uid);
}

std::optional<ResourceMapping> GarbageCollector::mapping_of(const ObjectCoordinates& id) const {
  return options_.resolve(id.api_version, id.kind);
}

std::string GarbageCollector::describe(const ObjectCoordinates& id) const {
  return id.kind + " " + (id.ns.empty() ? "" : id.ns + "/") + id.name + " (uid " + id.uid + ")";
}

bool GarbageCollector::known_absent(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  return absent_owners_.contains(uid);
}

void GarbageCollector::remember_absent(const std::string& uid) {
  std::lock_guard lock(mutex_);
  if (absent_owners_.size() >= kAbsentOwnersKept) absent_owners_.clear();
  absent_owners_.insert(uid);
}

ObjectPtr GarbageCollector::live(const ResourceMapping& mapping, const ObjectCoordinates& id) {
  try {
    ObjectPtr object = options_.client->get(mapping.gvr, mapping.namespaced ? id.ns : "", id.name);
    if (object && machinery::uid_of(*object) == id.uid) return object;
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  return nullptr;
}

void GarbageCollector::update_live(const ResourceMapping& mapping, const ObjectCoordinates& id,
                                   const std::function<bool(json::object&)>& edit) {
  for (int attempt = 0;; ++attempt) {
    ObjectPtr current = live(mapping, id);
    if (!current) return;
    json::object changed = *current;
    if (!edit(changed)) return;
    try {
      WriteOptions options;
      options.return_object = false;
      options_.client->update(mapping.gvr, mapping.namespaced ? id.ns : "", changed, options);
      return;
    } catch (const ApiError& e) {
      if (is_not_found(e)) return;
      if (!is_conflict(e) || attempt + 1 >= kConflictRetries) throw;
    }
  }
}

void GarbageCollector::remove_finalizer(const ResourceMapping& mapping, const ObjectCoordinates& id,
                                        const std::string& finalizer) {
  update_live(mapping, id, [&](json::object& object) {
    auto* meta = object.if_contains("metadata");
    auto* list =
        meta && meta->is_object() ? machinery::mutable_array(meta->get_object(), "finalizers") : nullptr;
    if (!list) return false;
    const size_t before = list->size();
    list->erase(
        std::remove_if(list->begin(), list->end(),
                       [&](const json::value& f) { return f.is_string() && f.get_string() == finalizer; }),
        list->end());
    return list->size() != before;
  });
}

void GarbageCollector::delete_object(const ResourceMapping& mapping, const ObjectCoordinates& id,
                                     const std::string& policy) {
  DeleteOptions options;
  options.propagation_policy = policy;
  options.precondition_uid = id.uid;
  if (options_.log) options_.log->info("deleting {} with propagation policy {}", describe(id), policy);
  try {
    options_.client->remove(mapping.gvr, mapping.namespaced ? id.ns : "", id.name, options);
  } catch (const ApiError& e) {
    // Gone, or replaced by another object of that name: nothing of ours left to delete.
    if (!is_not_found(e) && !is_conflict(e)) throw;
  }
}

GarbageCollector::OwnerState GarbageCollector::owner_state(const OwnerLink& owner,
                                                           const NodeView& dependent) {
  if (known_absent(owner.uid)) return OwnerState::Dangling;
  auto mapping = options_.resolve(owner.api_version, owner.kind);
  if (!mapping) {
    // Not served (a removed custom resource, a mistyped kind): never delete on a guess.
    if (options_.log)
      options_.log->warn("{} names an owner of kind {} in {} that this server does not serve; keeping it",
                         describe(dependent.id), owner.kind, owner.api_version);
    return OwnerState::Solid;
  }
  // A namespaced owner of a cluster-scoped object cannot exist.
  if (mapping->namespaced && dependent.id.ns.empty()) return OwnerState::Dangling;
  ObjectPtr found = live(*mapping, {owner.api_version, owner.kind, dependent.id.ns, owner.name, owner.uid});
  if (!found) {
    remember_absent(owner.uid);
    return OwnerState::Dangling;
  }
  if (machinery::has_deletion_timestamp(*found) && has_finalizer(*found, kForegroundFinalizer))
    return OwnerState::WaitingForDependents;
  return OwnerState::Solid;
}

controller::Result GarbageCollector::process_deleting_dependents(const NodeView& node) {
  auto blocking = graph_.blocking_dependents(node.id.uid);
  if (blocking.empty()) {
    if (auto mapping = mapping_of(node.id)) remove_finalizer(*mapping, node.id, kForegroundFinalizer);
    return controller::Result::done();
  }
  for (const auto& uid : blocking) {
    auto dependent = graph_.node(uid);
    if (!dependent) continue;
    if (!dependent->deleting_dependents) {
      delete_loop_->add(uid);
      continue;
    }
    // Each waits for the other (they own each other, blocking): the dependent's reference
    // stops blocking, so this owner can go, and then the dependent.
    const auto waited_for = graph_.blocking_dependents(uid);
    if (std::find(waited_for.begin(), waited_for.end(), node.id.uid) == waited_for.end()) continue;
    if (auto mapping = mapping_of(dependent->id))
      update_live(*mapping, dependent->id,
                  [&](json::object& object) { return unblock(object, node.id.uid); });
  }
  return controller::Result::done();
}

controller::Result GarbageCollector::attempt_to_delete(const std::string& uid) {
  if (!primed_) return controller::Result::requeue_after(kUntilPrimed);
  auto node = graph_.node(uid);
  if (!node) return controller::Result::done();
  if (node->deleting_dependents) return process_deleting_dependents(*node);
  if (node->being_deleted) return controller::Result::done();

  auto mapping = mapping_of(node->id);
  if (!mapping) {
    if (options_.log)
      options_.log->warn("{}: this server does not serve that kind; ignored", describe(node->id));
    return controller::Result::done();
  }
  ObjectPtr latest = live(*mapping, node->id);
  if (options_.log)
    options_.log->debug("attempt to delete {}: {}{}", describe(node->id), latest ? "present" : "absent",
                        node->observed ? "" : " (virtual)");
  if (!latest) {
    // Gone (or never there): what depends on it is looked at next.
    remember_absent(uid);
    queue(graph_.forget(uid));
    return controller::Result::done();
  }
  // A virtual node that exists: its informer reports it soon, and it is seen again then.
  if (!node->observed) return controller::Result::done();
  if (machinery::has_deletion_timestamp(*latest)) return controller::Result::done();

  std::vector<OwnerLink> owners = owner_links(*latest);
  if (owners.empty()) return controller::Result::done();
  std::vector<std::string> solid, dangling, waiting;
  for (const auto& owner : owners) {
    switch (owner_state(owner, *node)) {
      case OwnerState::Solid: solid.push_back(owner.uid); break;
      case OwnerState::Dangling: dangling.push_back(owner.uid); break;
      case OwnerState::WaitingForDependents: waiting.push_back(owner.uid); break;
    }
  }

  if (options_.log)
    options_.log->debug("{}: {} solid, {} dangling, {} waiting owners", describe(node->id), solid.size(),
                        dangling.size(), waiting.size());
  if (!solid.empty()) {
    // A live owner keeps it; references to owners that are gone or going are dropped.
    if (dangling.empty() && waiting.empty()) return controller::Result::done();
    dangling.insert(dangling.end(), waiting.begin(), waiting.end());
    update_live(*mapping, node->id, [&](json::object& object) { return drop_owners(object, dangling); });
    return controller::Result::done();
  }

  if (!waiting.empty() && !node->dependents.empty()) {
    // An owner waits for it, and it has dependents of its own: they go first (foreground).
    // A dependent already waiting for its own dependents could be waiting for this one:
    // the references stop blocking, so the cycle cannot hold the deletion up.
    const bool cycle =
        std::any_of(node->dependents.begin(), node->dependents.end(), [&](const std::string& d) {
          auto dependent = graph_.node(d);
          return dependent && dependent->deleting_dependents;
        });
    if (cycle) update_live(*mapping, node->id, [](json::object& object) { return unblock(object, {}); });
    delete_object(*mapping, node->id, "Foreground");
    return controller::Result::done();
  }

  // Every owner is gone: delete it, keeping the policy its own finalizers ask for.
  std::string policy = "Background";
  if (has_finalizer(*latest, kOrphanFinalizer))
    policy = "Orphan";
  else if (has_finalizer(*latest, kForegroundFinalizer))
    policy = "Foreground";
  delete_object(*mapping, node->id, policy);
  return controller::Result::done();
}

controller::Result GarbageCollector::attempt_to_orphan(const std::string& uid) {
  if (!primed_) return controller::Result::requeue_after(kUntilPrimed);
  auto owner = graph_.node(uid);
  if (!owner || !owner->observed) return controller::Result::done();
  for (const auto& d : owner->dependents) {
    auto dependent = graph_.node(d);
    if (!dependent || !dependent->observed) continue;
    auto mapping = mapping_of(dependent->id);
    if (!mapping) continue;
    update_live(*mapping, dependent->id, [&](json::object& object) { return drop_owners(object, {uid}); });
  }
  if (auto mapping = mapping_of(owner->id)) remove_finalizer(*mapping, owner->id, kOrphanFinalizer);
  return controller::Result::done();
}

}  // namespace ukube::controllers::gc
