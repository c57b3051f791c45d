#include "cache/cache.h"

#include <algorithm>
#include <boost/json.hpp>

#include "model/node_accounting.h"
#include "model/parse.h"

namespace ukube::scheduler {

NodeInfo& Cache::node_slot(const std::string& name) {
  auto& slot = by_name_[name];
  if (!slot) {
    slot = std::make_unique<NodeInfo>();
    slot->name = name;
  }
  return *slot;
}

void Cache::add_node(std::shared_ptr<const boost::json::object> object) {
  NodeInfo scratch;
  parse_node(object, scratch);
  NodeInfo& node = node_slot(scratch.name);
  bool listed = node.object != nullptr;
  if (!listed || node.labels.entries() != scratch.labels.entries()) ++topology_version_;
  node.labels = std::move(scratch.labels);
  node.taints = std::move(scratch.taints);
  node.unschedulable = scratch.unschedulable;
  int64_t pods = node.requested.pods;
  node.allocatable = std::move(scratch.allocatable);
  node.requested.pods = pods;
  if (node.images.size() != scratch.images.size() ||
      !std::equal(node.images.begin(), node.images.end(), scratch.images.begin(),
                  [](const auto& a, const auto& b) { return a.name == b.name && a.size == b.size; })) {
    node.images = std::move(scratch.images);
    images_dirty_ = true;
  }
  node.object = std::move(scratch.object);
  ++node.generation;
  if (!listed) {
    node.index = static_cast<int32_t>(list_.size());
    list_.push_back(&node);
    affinity_dirty_ = true;
  }
}

void Cache::remove_node(const std::string& name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end() || !it->second->object) return;
  NodeInfo& node = *it->second;
  int32_t index = node.index;
  const NodeInfo* last = list_.back();
  list_[index] = last;
  const_cast<NodeInfo*>(last)->index = index;
  list_.pop_back();
  node.object.reset();
  node.index = -1;
  ++node.generation;
  affinity_dirty_ = images_dirty_ = true;
  ++topology_version_;
  // Pods still bound to a deleted node keep their slot until they go, as upstream does.
  drop_if_empty(name);
}

void Cache::drop_if_empty(const std::string& name) {
  auto it = by_name_.find(name);
  if (it != by_name_.end() && !it->second->object && it->second->pods.empty()) by_name_.erase(it);
}

void Cache::place(const PodEntry& entry) {
  NodeInfo& node = node_slot(entry.node);
  scheduler::add_pod(node, entry.pod);
  if (!entry.pod->affinity.required.empty() || !entry.pod->affinity.preferred.empty() ||
      !entry.pod->anti_affinity.required.empty() || !entry.pod->anti_affinity.preferred.empty())
    affinity_dirty_ = true;
}

void Cache::unplace(const PodEntry& entry) {
  auto it = by_name_.find(entry.node);
  if (it == by_name_.end()) return;
  int32_t before = it->second->pods_with_affinity;
  scheduler::remove_pod(*it->second, entry.pod->uid);
  if (it->second->pods_with_affinity != before) affinity_dirty_ = true;
  drop_if_empty(entry.node);
}

void Cache::add_pod(PodInfoPtr pod) {
  auto it = pods_.find(pod->uid);
  if (it != pods_.end()) {
    // A confirmed binding, or a bound pod that changed: re-place it with its new version.
    unplace(it->second);
    pods_.erase(it);
  }
  PodEntry entry{pod, pod->node_name, false};
  place(entry);
  pods_.emplace(pod->uid, std::move(entry));
}

bool Cache::refresh_bound_pod(const PodInfoPtr& pod) {
  auto it = pods_.find(pod->uid);
  if (it == pods_.end() || it->second.assumed || it->second.node != pod->node_name) return false;
  const PodInfo& held = *it->second.pod;
  // What parse_pod reads outside spec, labels, annotations and deletionTimestamp.
  if (held.owner_uid != pod->owner_uid || held.owner_kind != pod->owner_kind ||
      held.priority != pod->priority || held.terminal != pod->terminal ||
      held.terminating != pod->terminating)
    return false;
  auto node = by_name_.find(pod->node_name);
  if (node == by_name_.end()) return false;
  for (auto& p : node->second->pods)
    if (p->uid == pod->uid) {
      p = pod;
      it->second.pod = pod;
      return true;
    }
  return false;
}

void Cache::remove_pod(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  unplace(it->second);
  pods_.erase(it);
}

void Cache::assume(PodInfoPtr pod, const std::string& node) {
  auto assumed = std::make_shared<PodInfo>(*pod);
  assumed->node_name = node;
  PodEntry entry{std::move(assumed), node, true};
  place(entry);
  pods_[pod->uid] = std::move(entry);
}

void Cache::forget(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  unplace(it->second);
  pods_.erase(it);
}

bool Cache::is_assumed(const std::string& uid) const {
  auto it = pods_.find(uid);
  return it != pods_.end() && it->second.assumed;
}

PodInfoPtr Cache::pod(const std::string& uid) const {
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : it->second.pod;
}

const NodeInfo* Cache::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() || !it->second->object ? nullptr : it->second.get();
}

const Labels* Cache::namespace_labels(std::string_view ns) const {
  auto it = namespaces_.find(std::string(ns));
  return it == namespaces_.end() ? nullptr : &it->second;
}

void Cache::refresh() {
  if (affinity_dirty_) {
    with_affinity_.clear();
    with_anti_.clear();
    for (const NodeInfo* n : list_) {
      if (n->pods_with_affinity > 0) with_affinity_.push_back(n);
      if (n->pods_with_required_anti_affinity > 0) with_anti_.push_back(n);
    }
    affinity_dirty_ = false;
  }
  if (images_dirty_) {
    std::unordered_map<std::string, int32_t> counts;
    for (const NodeInfo* n : list_)
      for (const auto& i : n->images) ++counts[i.name];
    for (const NodeInfo* n : list_)
      for (auto& i : const_cast<NodeInfo*>(n)->images) i.num_nodes = counts[i.name];
    images_dirty_ = false;
  }
}

}  // namespace ukube::scheduler
