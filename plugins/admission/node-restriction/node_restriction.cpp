#include "node_restriction.h"

#include <boost/json.hpp>
#include <set>

#include "ukube/admission/plugin_support.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/node_identity.h"
#include "ukube/machinery/pod.h"
#include "ukube/types.h"

namespace ukube::rbac {

namespace json = boost::json;
using namespace machinery;  // the shared JSON accessors
using admission::operation_name;
namespace {

std::string in_quotes(const std::string& s) {
  return "\"" + s + "\"";
}

// As upstream's admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`.
[[noreturn]] void forbid(const AdmissionRequest& r, const std::string& why) {
  std::string name = r.name;
  if (name.empty() && r.object) name = meta_string(*r.object, "name");
  ApiError e =
      ApiError::forbidden(r.type->group_resource() + " " + in_quotes(name) + " is forbidden: " + why);
  e.group = r.type->group;
  e.kind = r.type->plural;
  e.name = name;
  throw e;
}

std::string node_of(const json::object* pod) {
  const auto* spec = pod ? object_at(*pod, {"spec"}) : nullptr;
  return spec ? string_at(*spec, {"nodeName"}) : "";
}

bool is_kubernetes_label(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return false;
  std::string ns = key.substr(0, slash);
  return ns == "kubernetes.io" || ns.ends_with(".kubernetes.io") || ns == "k8s.io" || ns.ends_with(".k8s.io");
}

// The kubernetes.io labels a kubelet sets on its own Node (upstream's kubelet label set).
bool is_kubelet_label(const std::string& key) {
  static const std::set<std::string> kLabels = {"kubernetes.io/hostname",
                                                "topology.kubernetes.io/zone",
                                                "topology.kubernetes.io/region",
                                                "failure-domain.beta.kubernetes.io/zone",
                                                "failure-domain.beta.kubernetes.io/region",
                                                "node.kubernetes.io/instance-type",
                                                "beta.kubernetes.io/instance-type",
                                                "kubernetes.io/os",
                                                "kubernetes.io/arch",
                                                "beta.kubernetes.io/os",
                                                "beta.kubernetes.io/arch",
                                                "node.kubernetes.io/windows-build"};
  if (kLabels.contains(key)) return true;
  auto slash = key.find('/');
  std::string ns = key.substr(0, slash);
  return ns == "kubelet.kubernetes.io" || ns.ends_with(".kubelet.kubernetes.io") ||
         ns == "node.kubernetes.io" || ns.ends_with(".node.kubernetes.io");
}

std::vector<std::string> forbidden_label_changes(const json::object* now, const json::object* before) {
  auto labels_now = now ? string_map_at(*now, {"metadata", "labels"}) : std::map<std::string, std::string>{};
  auto labels_before =
      before ? string_map_at(*before, {"metadata", "labels"}) : std::map<std::string, std::string>{};
  std::set<std::string> changed;
  for (const auto& [k, v] : labels_now)
    if (auto it = labels_before.find(k); it == labels_before.end() || it->second != v) changed.insert(k);
  for (const auto& [k, v] : labels_before)
    if (!labels_now.contains(k)) changed.insert(k);
  std::vector<std::string> out;
  for (const auto& key : changed) {
    std::string ns = key.substr(0, key.find('/') == std::string::npos ? 0 : key.find('/'));
    bool restricted =
        ns == "node-restriction.kubernetes.io" || ns.ends_with(".node-restriction.kubernetes.io");
    if (restricted || (is_kubernetes_label(key) && !is_kubelet_label(key))) out.push_back(key);
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

const json::value* spec_field(const json::object* o, std::string_view key) {
  const auto* spec = o ? object_at(*o, {"spec"}) : nullptr;
  return spec ? spec->if_contains(key) : nullptr;
}

}  // namespace

void NodeRestriction::validate(const AdmissionRequest& r) {
  if (!r.user || !r.type) return;
  auto node = node_name_of(*r.user);
  if (!node) return;
  if (node->empty()) forbid(r, "could not determine node from user \"" + r.user->name + "\"");
  const TypeInfo& t = *r.type;
  if (t.group.empty() && t.plural == "pods") return pods(*node, r);
  if (t.group.empty() && t.plural == "nodes") return nodes(*node, r);
  if (t.group.empty() && t.plural == "serviceaccounts" && r.subresource == "token") return token(*node, r);
  if (t.group == "coordination.k8s.io" && t.plural == "leases") {
    if (r.namespace_ != "kube-node-lease")
      forbid(r, "can only access leases in the \"kube-node-lease\" system namespace");
    std::string name =
        r.operation == AdmissionOperation::Create && r.object ? meta_string(*r.object, "name") : r.name;
    if (name != *node) forbid(r, "can only access node lease with the same name as the requesting node");
    return;
  }
  if (t.group == "storage.k8s.io" && t.plural == "csinodes") {
    std::string name =
        r.operation == AdmissionOperation::Create && r.object ? meta_string(*r.object, "name") : r.name;
    if (name != *node) forbid(r, "can only access CSINode with the same name as the requesting node");
  }
}

void NodeRestriction::pods(const std::string& node, const AdmissionRequest& r) const {
  if (r.subresource.empty()) {
    switch (r.operation) {
      case AdmissionOperation::Create: return pod_create(node, r);
      case AdmissionOperation::Delete:
        if (node_of(r.old_object) != node)
          forbid(r, "node " + in_quotes(node) + " can only delete pods with spec.nodeName set to itself");
        return;
      default:
        forbid(r, "unexpected operation " + in_quotes(operation_name(r.operation)) + ", node " +
                      in_quotes(node) + " can only create and delete mirror pods");
    }
  }
  if (r.subresource == "status") {
    if (r.operation != AdmissionOperation::Update)
      forbid(r, "unexpected operation " + in_quotes(operation_name(r.operation)));
    if (node_of(r.old_object) != node)
      forbid(r, "node " + in_quotes(node) +
                    " can only update pod status for pods with spec.nodeName set to itself");
    if (r.object && r.old_object &&
        string_map_at(*r.object, {"metadata", "labels"}) !=
            string_map_at(*r.old_object, {"metadata", "labels"}))
      forbid(r, "node " + in_quotes(node) + " cannot update labels through pod status");
    return;
  }
  if (r.subresource == "eviction") {
    auto pod = pod_on_(r.namespace_, r.name);
    if (!pod) throw ApiError::not_found("pods", r.name);
    if (pod->first != node)
      forbid(r, "node " + node + " can only evict pods with spec.nodeName set to itself");
  }
}

void NodeRestriction::pod_create(const std::string& node, const AdmissionRequest& r) const {
  const json::object& pod = *r.object;
  if (!string_map_at(pod, {"metadata", "annotations"}).contains("kubernetes.io/config.mirror"))
    forbid(r, "pod does not have \"kubernetes.io/config.mirror\" annotation, node " + in_quotes(node) +
                  " can only create mirror pods");
  if (node_of(&pod) != node)
    forbid(r, "node " + in_quotes(node) + " can only create pods with spec.nodeName set to itself");
  const json::array* owners = nullptr;
  if (const auto* meta = object_at(pod, {"metadata"})) owners = array_at(*meta, {"ownerReferences"});
  const size_t owner_count = owners ? owners->size() : 0;
  if (owner_count > 1)
    forbid(r,
           "node " + in_quotes(node) + " can only create pods with a single owner reference set to itself");
  if (owner_count == 0)
    forbid(r, "node " + in_quotes(node) + " can only create pods with an owner reference set to itself");
  const json::object* owner = (*owners)[0].if_object();
  if (!owner || string_at(*owner, {"apiVersion"}) != "v1" || string_at(*owner, {"kind"}) != "Node" ||
      string_at(*owner, {"name"}) != node)
    forbid(r, "node " + in_quotes(node) + " can only create pods with an owner reference set to itself");
  const auto* controller = owner->if_contains("controller");
  if (!controller || !controller->is_bool() || !controller->get_bool())
    forbid(r, "node " + in_quotes(node) +
                  " can only create pods with a controller owner reference set to itself");
  if (const auto* block = owner->if_contains("blockOwnerDeletion");
      block && block->is_bool() && block->get_bool())
    forbid(r, "node " + in_quotes(node) + " must not set blockOwnerDeletion on an owner reference");
  auto uid = node_uid_(node);
  if (!uid) throw ApiError::not_found("nodes", node);
  if (string_at(*owner, {"uid"}) != *uid)
    forbid(r, "node " + node + " UID mismatch: expected " + string_at(*owner, {"uid"}) + " got " + *uid);

  if (const auto* sa = spec_field(&pod, "serviceAccountName");
      sa && sa->is_string() && !sa->get_string().empty())
    forbid(r, "node " + in_quotes(node) + " can not create pods that reference a service account");
  bool secrets = false, config_maps = false, claims = false;
  machinery::visit_pod_references(pod, [&](machinery::PodReference kind, const std::string&) {
    secrets = secrets || kind == machinery::PodReference::Secret;
    config_maps = config_maps || kind == machinery::PodReference::ConfigMap;
    claims = claims || kind == machinery::PodReference::Claim;
  });
  if (secrets) forbid(r, "node " + in_quotes(node) + " can not create pods that reference secrets");
  if (config_maps) forbid(r, "node " + in_quotes(node) + " can not create pods that reference configmaps");
  if (claims)
    forbid(r, "node " + in_quotes(node) + " can not create pods that reference persistentvolumeclaims");
}

void NodeRestriction::nodes(const std::string& node, const AdmissionRequest& r) const {
  std::string requested =
      r.operation == AdmissionOperation::Create && r.object ? meta_string(*r.object, "name") : r.name;
  if (requested != node)
    forbid(r, "node " + in_quotes(node) + " is not allowed to modify node " + in_quotes(requested));
  if (r.operation == AdmissionOperation::Create) {
    if (spec_field(r.object, "configSource"))
      forbid(r, "node " + in_quotes(node) + " is not allowed to create pods with a non-nil configSource");
    if (auto bad = forbidden_label_changes(r.object, nullptr); !bad.empty())
      forbid(r, "node " + in_quotes(node) + " is not allowed to set the following labels: " + joined(bad));
  }
  if (r.operation == AdmissionOperation::Update) {
    const json::value* source = spec_field(r.object, "configSource");
    const json::value* old_source = spec_field(r.old_object, "configSource");
    if (source && !source->is_null() && (!old_source || *source != *old_source))
      forbid(r, "node " + in_quotes(node) +
                    " is not allowed to update configSource to a new non-nil configSource");
    const json::value* taints = spec_field(r.object, "taints");
    const json::value* old_taints = spec_field(r.old_object, "taints");
    auto empty = [](const json::value* v) {
      return !v || v->is_null() || (v->is_array() && v->get_array().empty());
    };
    if (!(empty(taints) && empty(old_taints)) && (!taints || !old_taints || *taints != *old_taints))
      forbid(r, "node " + in_quotes(node) + " is not allowed to modify taints");
    if (auto bad = forbidden_label_changes(r.object, r.old_object); !bad.empty())
      forbid(r, "is not allowed to modify labels: " + joined(bad));
  }
}

void NodeRestriction::token(const std::string& node, const AdmissionRequest& r) const {
  if (r.operation != AdmissionOperation::Create) return;
  const json::object* spec = r.object ? object_at(*r.object, {"spec"}) : nullptr;
  const json::object* ref = spec ? object_at(*spec, {"boundObjectRef"}) : nullptr;
  if (!ref || string_at(*ref, {"apiVersion"}) != "v1" || string_at(*ref, {"kind"}) != "Pod" ||
      string_at(*ref, {"name"}).empty())
    forbid(r, "node requested token not bound to a pod");
  if (string_at(*ref, {"uid"}).empty()) forbid(r, "node requested token with a pod binding without a uid");
  auto pod = pod_on_(r.namespace_, string_at(*ref, {"name"}));
  if (!pod) throw ApiError::not_found("pods", string_at(*ref, {"name"}));
  if (pod->second != string_at(*ref, {"uid"}))
    forbid(r,
           "the UID in the bound object reference (" + string_at(*ref, {"uid"}) +
               ") does not match the UID in record. The object might have been deleted and then recreated");
  if (pod->first != node) forbid(r, "node requested token bound to a pod scheduled on a different node");
}

}  // namespace ukube::rbac
