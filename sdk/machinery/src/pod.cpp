#include "ukube/machinery/pod.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "ukube/machinery/json.h"

namespace ukube::machinery {
namespace {

namespace json = boost::json;

void visit_containers(const json::array* containers,
                      const std::function<void(PodReference, const std::string&)>& visit) {
  if (!containers) return;
  for (const auto& c : *containers) {
    const auto* container = c.if_object();
    if (!container) continue;
    if (const auto* env = array_at(*container, {"env"}))
      for (const auto& e : *env) {
        const auto* from = e.is_object() ? object_at(e.get_object(), {"valueFrom"}) : nullptr;
        if (!from) continue;
        if (const auto* s = object_at(*from, {"secretKeyRef"}))
          visit(PodReference::Secret, string_at(*s, {"name"}));
        if (const auto* m = object_at(*from, {"configMapKeyRef"}))
          visit(PodReference::ConfigMap, string_at(*m, {"name"}));
      }
    if (const auto* env_from = array_at(*container, {"envFrom"}))
      for (const auto& e : *env_from) {
        if (!e.is_object()) continue;
        if (const auto* s = object_at(e.get_object(), {"secretRef"}))
          visit(PodReference::Secret, string_at(*s, {"name"}));
        if (const auto* m = object_at(e.get_object(), {"configMapRef"}))
          visit(PodReference::ConfigMap, string_at(*m, {"name"}));
      }
  }
}

// Volume sources that name a secret through `secretRef` (upstream's VisitPodSecretNames).
constexpr const char* kSecretRefSources[] = {"cephfs",  "cinder", "flexVolume", "rbd",
                                             "scaleIO", "iscsi",  "storageos"};

void visit_volumes(const json::array* volumes, const std::string& pod_name,
                   const std::function<void(PodReference, const std::string&)>& visit) {
  if (!volumes) return;
  for (const auto& v : *volumes) {
    const auto* volume = v.if_object();
    if (!volume) continue;
    if (const auto* s = object_at(*volume, {"secret"}))
      visit(PodReference::Secret, string_at(*s, {"secretName"}));
    if (const auto* m = object_at(*volume, {"configMap"}))
      visit(PodReference::ConfigMap, string_at(*m, {"name"}));
    if (const auto* a = object_at(*volume, {"azureFile"}))
      visit(PodReference::Secret, string_at(*a, {"secretName"}));
    if (const auto* csi = object_at(*volume, {"csi"}))
      if (const auto* ref = object_at(*csi, {"nodePublishSecretRef"}))
        visit(PodReference::Secret, string_at(*ref, {"name"}));
    for (const char* source : kSecretRefSources)
      if (const auto* s = object_at(*volume, {source}))
        if (const auto* ref = object_at(*s, {"secretRef"}))
          visit(PodReference::Secret, string_at(*ref, {"name"}));
    if (const auto* projected = object_at(*volume, {"projected"}))
      if (const auto* sources = array_at(*projected, {"sources"}))
        for (const auto& src : *sources) {
          if (!src.is_object()) continue;
          if (const auto* s = object_at(src.get_object(), {"secret"}))
            visit(PodReference::Secret, string_at(*s, {"name"}));
          if (const auto* m = object_at(src.get_object(), {"configMap"}))
            visit(PodReference::ConfigMap, string_at(*m, {"name"}));
        }
    if (const auto* claim = object_at(*volume, {"persistentVolumeClaim"}))
      visit(PodReference::Claim, string_at(*claim, {"claimName"}));
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (object_at(*volume, {"ephemeral"}))
      visit(PodReference::Claim, pod_name + "-" + string_at(*volume, {"name"}));
  }
}

}  // namespace

void visit_pod_references(const json::object& pod,
                          const std::function<void(PodReference, const std::string&)>& visit) {
  const auto* spec = object_at(pod, {"spec"});
  if (!spec) return;
  auto named = [&](PodReference kind, const std::string& name) {
    if (!name.empty()) visit(kind, name);
  };
  if (const auto* pull = array_at(*spec, {"imagePullSecrets"}))
    for (const auto& s : *pull)
      if (s.is_object()) named(PodReference::Secret, string_at(s.get_object(), {"name"}));
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"})
    visit_containers(array_at(*spec, {list}), named);
  visit_volumes(array_at(*spec, {"volumes"}), meta_string(pod, "name"), named);
  named(PodReference::ServiceAccount, string_at(*spec, {"serviceAccountName"}));
}

}  // namespace ukube::machinery
