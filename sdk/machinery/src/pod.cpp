#include "ukube/machinery/pod.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <tuple>

#include "ukube/machinery/json.h"
#include "ukube/machinery/quantity.h"

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

// cpu and memory summed over containers; `set` once a non-zero amount was seen.
struct ComputeTotals {
  Quantity cpu, memory;
  bool cpu_set = false, memory_set = false;

  void add(const json::object* list) {
    if (!list) return;
    for (auto [name, amount, seen] : {std::tuple{"cpu", &cpu, &cpu_set}, {"memory", &memory, &memory_set}}) {
      const auto* v = list->if_contains(name);
      auto q = v ? Quantity::from_json(*v) : std::nullopt;
      if (q && !q->is_zero()) {
        *amount += *q;
        *seen = true;
      }
    }
  }
};

}  // namespace

std::string pod_qos_class(const json::object& spec) {
  ComputeTotals requests, limits;
  bool every_container_limited = true;
  for (const char* list : {"containers", "initContainers"}) {
    for_each_object(array_at(spec, {list}), [&](const json::object& c, size_t) {
      ComputeTotals own;
      own.add(object_at(c, {"resources", "limits"}));
      if (!own.cpu_set || !own.memory_set) every_container_limited = false;
      requests.add(object_at(c, {"resources", "requests"}));
      limits.add(object_at(c, {"resources", "limits"}));
    });
  }
  if (!requests.cpu_set && !requests.memory_set && !limits.cpu_set && !limits.memory_set) return "BestEffort";
  if (every_container_limited && requests.cpu == limits.cpu && requests.memory == limits.memory)
    return "Guaranteed";
  return "Burstable";
}

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
