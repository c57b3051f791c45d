#include "owner_graph.h"

#include <algorithm>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::controllers::gc {
namespace json = boost::json;

std::vector<OwnerLink> owner_links(const json::object& object) {
  std::vector<OwnerLink> links;
  const auto* refs = machinery::array_at(object, {"metadata", "ownerReferences"});
  if (!refs) return links;
  for (const auto& r : *refs) {
    const auto* ref = r.if_object();
    if (!ref) continue;
    OwnerLink link{machinery::string_at(*ref, {"uid"}), machinery::string_at(*ref, {"apiVersion"}),
                   machinery::string_at(*ref, {"kind"}), machinery::string_at(*ref, {"name"}),
                   machinery::bool_at(*ref, {"blockOwnerDeletion"}).value_or(false)};
    if (!link.uid.empty()) links.push_back(std::move(link));
  }
  return links;
}

ObservedObject observe_object(const json::object& object, const std::string& api_version,
                              const std::string& kind) {
  ObservedObject o;
  o.id.api_version = machinery::string_at(object, {"apiVersion"});
  if (o.id.api_version.empty()) o.id.api_version = api_version;
  o.id.kind = machinery::string_at(object, {"kind"});
  if (o.id.kind.empty()) o.id.kind = kind;
  o.id.ns = machinery::namespace_of(object);
  o.id.name = machinery::name_of(object);
  o.id.uid = machinery::uid_of(object);
  o.owners = owner_links(object);
  o.being_deleted = machinery::has_deletion_timestamp(object);
  if (o.being_deleted)
    for (const auto& f : machinery::strings_at(object, {"metadata", "finalizers"})) {
      if (f == kForegroundFinalizer) o.deleting_dependents = true;
      if (f == kOrphanFinalizer) o.orphaning = true;
    }
  return o;
}

void OwnerGraph::link(const Node& dependent, const OwnerLink& link, GraphWork& work) {
  auto [it, added] = nodes_.try_emplace(link.uid);
  Node& owner = it->second;
  if (added) {
    // Known only from this reference: where it would be, to look it up.
    owner.id = {link.api_version, link.kind, dependent.id.ns, link.name, link.uid};
    work.attempt_to_delete.push_back(link.uid);
  }
  owner.dependents.insert(dependent.id.uid);
}

void OwnerGraph::unlink(const std::string& dependent_uid, const OwnerLink& link, GraphWork& work) {
  auto it = nodes_.find(link.uid);
  if (it == nodes_.end()) return;
  it->second.dependents.erase(dependent_uid);
  // One blocker fewer for an owner waiting for its dependents.
  if (it->second.deleting_dependents) work.attempt_to_delete.push_back(link.uid);
}

GraphWork OwnerGraph::observe(ObservedObject object) {
  GraphWork work;
  if (object.id.uid.empty()) return work;
  std::lock_guard lock(mutex_);
  Node& node = nodes_[object.id.uid];
  const bool was_observed = node.observed;
  const bool was_deleting_dependents = node.deleting_dependents;
  const bool was_orphaning = node.orphaning;
  node.id = object.id;
  node.observed = true;
  node.being_deleted = object.being_deleted;
  node.deleting_dependents = object.deleting_dependents;
  node.orphaning = object.orphaning;

  std::vector<OwnerLink> before = was_observed ? node.owners : std::vector<OwnerLink>{};
  node.owners = std::move(object.owners);
  const Node& dependent = node;
  for (const auto& old : before) {
    auto now = std::find_if(dependent.owners.begin(), dependent.owners.end(),
                            [&](const OwnerLink& l) { return l.uid == old.uid; });
    if (now == dependent.owners.end()) {
      unlink(dependent.id.uid, old, work);
    } else if (old.block_owner_deletion && !now->block_owner_deletion) {
      auto owner = nodes_.find(old.uid);
      if (owner != nodes_.end() && owner->second.deleting_dependents)
        work.attempt_to_delete.push_back(old.uid);
    }
  }
  for (const auto& l : dependent.owners) {
    bool known =
        std::any_of(before.begin(), before.end(), [&](const OwnerLink& b) { return b.uid == l.uid; });
    if (!known) link(dependent, l, work);
  }

  // Upstream's transitions: a foreground deletion starts deleting the dependents, and
  // looks at the owner itself (it may have none); an orphaning one orphans them.
  Node& self = nodes_[object.id.uid];
  if (self.deleting_dependents && !was_deleting_dependents) {
    work.attempt_to_delete.insert(work.attempt_to_delete.end(), self.dependents.begin(),
                                  self.dependents.end());
    work.attempt_to_delete.push_back(self.id.uid);
  }
  if (self.orphaning && !was_orphaning) work.attempt_to_orphan.push_back(self.id.uid);
  return work;
}

GraphWork OwnerGraph::forget(const std::string& uid) {
  GraphWork work;
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return work;
  Node gone = std::move(it->second);
  nodes_.erase(it);
  for (const auto& l : gone.owners) unlink(uid, l, work);
  // Their owner is gone: each may be garbage now.
  work.attempt_to_delete.insert(work.attempt_to_delete.end(), gone.dependents.begin(), gone.dependents.end());
  return work;
}

std::optional<NodeView> OwnerGraph::node(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return std::nullopt;
  const Node& n = it->second;
  return NodeView{n.id,
                  n.observed,
                  n.being_deleted,
                  n.deleting_dependents,
                  n.owners,
                  std::vector<std::string>(n.dependents.begin(), n.dependents.end())};
}

std::vector<std::string> OwnerGraph::blocking_dependents(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return out;
  for (const auto& d : it->second.dependents) {
    auto dependent = nodes_.find(d);
    if (dependent == nodes_.end()) continue;
    for (const auto& l : dependent->second.owners)
      if (l.uid == uid && l.block_owner_deletion) {
        out.push_back(d);
        break;
      }
  }
  return out;
}

size_t OwnerGraph::size() const {
  std::lock_guard lock(mutex_);
  return nodes_.size();
}

}  // namespace ukube::controllers::gc
