#include "node_graph.h"

#include <functional>
#include <mutex>

#include <boost/json.hpp>

#include "json_fields.h"

namespace ukube::rbac {
namespace {

void visit_containers(const json::array* containers,
                      const std::function<void(NodeObject, const std::string&)>& visit) {
  if (!containers) return;
  for (const auto& c : *containers) {
    const auto* container = c.if_object();
    if (!container) continue;
    if (const auto* env = array_at(*container, {"env"}))
      for (const auto& e : *env) {
        const auto* from = e.is_object() ? object_at(e.get_object(), {"valueFrom"}) : nullptr;
        if (!from) continue;
        if (const auto* s = object_at(*from, {"secretKeyRef"}))
          visit(NodeObject::Secret, string_at(*s, {"name"}));
        if (const auto* m = object_at(*from, {"configMapKeyRef"}))
          visit(NodeObject::ConfigMap, string_at(*m, {"name"}));
      }
    if (const auto* env_from = array_at(*container, {"envFrom"}))
      for (const auto& e : *env_from) {
        if (!e.is_object()) continue;
        if (const auto* s = object_at(e.get_object(), {"secretRef"}))
          visit(NodeObject::Secret, string_at(*s, {"name"}));
        if (const auto* m = object_at(e.get_object(), {"configMapRef"}))
          visit(NodeObject::ConfigMap, string_at(*m, {"name"}));
      }
  }
}

// Volume sources that name a secret through `secretRef` (upstream's VisitPodSecretNames).
constexpr const char* kSecretRefSources[] = {"cephfs",  "cinder", "flexVolume", "rbd",
                                             "scaleIO", "iscsi",  "storageos"};

void visit_volumes(const json::array* volumes, const std::string& pod_name,
                   const std::function<void(NodeObject, const std::string&)>& visit) {
  if (!volumes) return;
  for (const auto& v : *volumes) {
    const auto* volume = v.if_object();
    if (!volume) continue;
    if (const auto* s = object_at(*volume, {"secret"}))
      visit(NodeObject::Secret, string_at(*s, {"secretName"}));
    if (const auto* m = object_at(*volume, {"configMap"}))
      visit(NodeObject::ConfigMap, string_at(*m, {"name"}));
    if (const auto* a = object_at(*volume, {"azureFile"}))
      visit(NodeObject::Secret, string_at(*a, {"secretName"}));
    if (const auto* csi = object_at(*volume, {"csi"}))
      if (const auto* ref = object_at(*csi, {"nodePublishSecretRef"}))
        visit(NodeObject::Secret, string_at(*ref, {"name"}));
    for (const char* source : kSecretRefSources)
      if (const auto* s = object_at(*volume, {source}))
        if (const auto* ref = object_at(*s, {"secretRef"}))
          visit(NodeObject::Secret, string_at(*ref, {"name"}));
    if (const auto* projected = object_at(*volume, {"projected"}))
      if (const auto* sources = array_at(*projected, {"sources"}))
        for (const auto& src : *sources) {
          if (!src.is_object()) continue;
          if (const auto* s = object_at(src.get_object(), {"secret"}))
            visit(NodeObject::Secret, string_at(*s, {"name"}));
          if (const auto* m = object_at(src.get_object(), {"configMap"}))
            visit(NodeObject::ConfigMap, string_at(*m, {"name"}));
        }
    if (const auto* claim = object_at(*volume, {"persistentVolumeClaim"}))
      visit(NodeObject::Claim, string_at(*claim, {"claimName"}));
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (object_at(*volume, {"ephemeral"}))
      visit(NodeObject::Claim, pod_name + "-" + string_at(*volume, {"name"}));
  }
}

std::string key(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

}  // namespace

void visit_pod_references(const json::object& pod,
                          const std::function<void(NodeObject, const std::string&)>& visit) {
  const auto* spec = object_at(pod, {"spec"});
  if (!spec) return;
  auto named = [&](NodeObject kind, const std::string& name) {
    if (!name.empty()) visit(kind, name);
  };
  if (const auto* pull = array_at(*spec, {"imagePullSecrets"}))
    for (const auto& s : *pull)
      if (s.is_object()) named(NodeObject::Secret, string_at(s.get_object(), {"name"}));
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"})
    visit_containers(array_at(*spec, {list}), named);
  visit_volumes(array_at(*spec, {"volumes"}), meta_string(pod, "name"), named);
  named(NodeObject::ServiceAccount, string_at(*spec, {"serviceAccountName"}));
}

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
    visit_pod_references(pod,
                         [&](NodeObject kind, const std::string& name) { refs.emplace(kind, ns, name); });
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
