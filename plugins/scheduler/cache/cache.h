#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ukube/scheduler/node_info.h"

// The scheduler's view of the cluster: every node with the pods bound or assumed to it,
// in one flat array that is updated in place as events arrive. Owned by the scheduling
// thread, so it needs no locks, and it is itself the cycle's Snapshot.
namespace ukube::scheduler {

class Cache final : public Snapshot {
 public:
  void add_node(std::shared_ptr<const boost::json::object> node);
  void update_node(std::shared_ptr<const boost::json::object> node) { add_node(std::move(node)); }
  void remove_node(const std::string& name);

  // A pod bound to a node (spec.nodeName set). Confirms an assumed pod of the same uid.
  void add_pod(PodInfoPtr pod);
  void update_pod(PodInfoPtr pod) { add_pod(std::move(pod)); }
  void remove_pod(const std::string& uid);
  // A newer version of a bound pod in which only what the scheduler does not parse moved
  // (its status, its resourceVersion): swapped in place, leaving the node's generation
  // alone, so plugins' per-node caches (match counts, lowest priorities) stay valid
  // through the status writes that are most of a busy cluster's pod events. The caller
  // has checked spec, labels, annotations and deletionTimestamp; false, and nothing done,
  // when the pod is not bound there or a parsed field differs.
  bool refresh_bound_pod(const PodInfoPtr& pod);

  // Counts `pod` on `node` before the binding is written, so the next cycle sees it.
  void assume(PodInfoPtr pod, const std::string& node);
  // Undoes assume() after a failed binding; a no-op once the binding is confirmed.
  void forget(const std::string& uid);
  bool is_assumed(const std::string& uid) const;
  // The pod as the cache holds it (bound or assumed), or null.
  PodInfoPtr pod(const std::string& uid) const;
  size_t pod_count() const { return pods_.size(); }

  void set_namespace(const std::string& name, Labels labels) { namespaces_[name] = std::move(labels); }
  void remove_namespace(const std::string& name) { namespaces_.erase(name); }

  // Brings the derived lists (nodes with affinity pods, image spread) up to date; called
  // once before each cycle.
  void refresh();

  const std::vector<const NodeInfo*>& nodes() const override { return list_; }
  const NodeInfo* find(std::string_view name) const override;
  const std::vector<const NodeInfo*>& with_pod_affinity() const override { return with_affinity_; }
  const std::vector<const NodeInfo*>& with_required_anti_affinity() const override { return with_anti_; }
  const Labels* namespace_labels(std::string_view ns) const override;
  uint64_t topology_version() const override { return topology_version_; }

 private:
  struct PodEntry {
    PodInfoPtr pod;
    std::string node;
    bool assumed = false;
  };
  NodeInfo& node_slot(const std::string& name);
  void place(const PodEntry& entry);
  void unplace(const PodEntry& entry);
  void drop_if_empty(const std::string& name);

  // Nodes live in stable heap slots; list_ holds the ones with a Node object, densely.
  std::unordered_map<std::string, std::unique_ptr<NodeInfo>> by_name_;
  std::vector<const NodeInfo*> list_;
  std::vector<const NodeInfo*> with_affinity_;
  std::vector<const NodeInfo*> with_anti_;
  std::unordered_map<std::string, PodEntry> pods_;
  std::unordered_map<std::string, Labels> namespaces_;
  bool affinity_dirty_ = true;
  bool images_dirty_ = true;
  uint64_t topology_version_ = 1;
};

}  // namespace ukube::scheduler
