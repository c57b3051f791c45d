#include "node_graph.h"

#include <functional>
#include <mutex>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"

namespace ukube::rbac {
namespace {

namespace json = boost::json;
using machinery::meta_string;
using machinery::object_at;
using machinery::string_at;

NodeObject node_object(machinery::PodReference kind) {
  switch (kind) {
    case machinery::PodReference::Secret: return NodeObject::Secret;
    case machinery::PodReference::ConfigMap: return NodeObject::ConfigMap;
    case machinery::PodReference::Claim: return NodeObject::Claim;
    case machinery::PodReference::ServiceAccount: return NodeObject::ServiceAccount;
  }
  return NodeObject::Secret;
}

std::string key(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

}  // namespace

void NodeGraph::file(const std::string& node, const std::set<Ref>& refs, int delta) {
  auto& counts = by_node_[node];
  for (const auto& ref : refs)
    if ((counts[ref] += delta) <= 0) counts.erase(ref);
  if (counts.empty()) by_node_.erase(node);
}

void NodeGraph::put_pod(const json::object& pod) {
  const std::string ns = meta_string(pod, "namespace");
  const auto* spec = object_at(pod, {"spec"});
  const std::string node = spec ? string_at(*spec, {"nodeName"}) : "";
  std::set<Ref> refs;
  if (!node.empty())
    machinery::visit_pod_references(pod, [&](machinery::PodReference kind, const std::string& name) {
      refs.emplace(node_object(kind), ns, name);
    });
  std::unique_lock lock(mutex_);
  const std::string k = key(ns, meta_string(pod, "name"));
  if (auto it = pods_.find(k); it != pods_.end()) {
    file(it->second.first, it->second.second, -1);
    pods_.erase(it);
  }
  if (node.empty()) return;
  file(node, refs, +1);
  pods_[k] = {node, std::move(refs)};
}

void NodeGraph::remove_pod(const json::object& pod) {
  std::unique_lock lock(mutex_);
  auto it = pods_.find(key(meta_string(pod, "namespace"), meta_string(pod, "name")));
  if (it == pods_.end()) return;
  file(it->second.first, it->second.second, -1);
  pods_.erase(it);
}

void NodeGraph::put_claim(const json::object& claim) {
  const auto* spec = object_at(claim, {"spec"});
  std::string volume = spec ? string_at(*spec, {"volumeName"}) : "";
  std::unique_lock lock(mutex_);
  const std::string k = key(meta_string(claim, "namespace"), meta_string(claim, "name"));
  if (volume.empty())
    claim_volumes_.erase(k);
  else
    claim_volumes_[k] = std::move(volume);
}

void NodeGraph::remove_claim(const json::object& claim) {
  std::unique_lock lock(mutex_);
  claim_volumes_.erase(key(meta_string(claim, "namespace"), meta_string(claim, "name")));
}

bool NodeGraph::related(const std::string& node, NodeObject kind, const std::string& ns,
                        const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = by_node_.find(node);
  if (it == by_node_.end()) return false;
  if (kind != NodeObject::Volume) return it->second.contains({kind, ns, name});
  // A persistent volume is needed when a claim some pod on the node uses is bound to it.
  for (const auto& [ref, count] : it->second) {
    if (std::get<0>(ref) != NodeObject::Claim) continue;
    auto bound = claim_volumes_.find(key(std::get<1>(ref), std::get<2>(ref)));
    if (bound != claim_volumes_.end() && bound->second == name) return true;
  }
  return false;
}

}  // namespace ukube::rbac
