#include "stateful_pod.h"

#include <charconv>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/pod.h"
#include "ukube/types.h"

namespace ukube::controllers::statefulset {
namespace json = boost::json;
using machinery::string_at;

namespace {

const GroupVersionKind kPodKind{"", "v1", "Pod"};

void set_labels(json::object& into, const json::object* labels) {
  if (!labels) return;
  json::object& out = machinery::child(machinery::child(into, "metadata"), "labels");
  for (const auto& kv : *labels) out[kv.key()] = kv.value();
}

// A plain (not controlling) owner reference, as upstream's retention policy sets.
json::object owner_ref(const json::object& owner, const GroupVersionKind& kind) {
  json::object ref = machinery::controller_ref(owner, kind);
  ref.erase("controller");
  ref.erase("blockOwnerDeletion");
  return ref;
}

}  // namespace

int64_t replicas_of(const json::object& set) {
  return machinery::int_or(set, {"spec", "replicas"}, 1);
}

int64_t start_ordinal(const json::object& set) {
  return machinery::int_or(set, {"spec", "ordinals", "start"}, 0);
}

std::string pod_name(const std::string& set_name, int64_t ordinal) {
  return set_name + "-" + std::to_string(ordinal);
}

std::optional<int64_t> ordinal_of(const json::object& pod, const std::string& set_name) {
  const std::string name = machinery::name_of(pod);
  if (name.size() <= set_name.size() + 1 || name.compare(0, set_name.size(), set_name) != 0 ||
      name[set_name.size()] != '-')
    return std::nullopt;
  const char* first = name.data() + set_name.size() + 1;
  const char* last = name.data() + name.size();
  int64_t ordinal = 0;
  auto [end, ec] = std::from_chars(first, last, ordinal);
  if (ec != std::errc() || end != last || ordinal < 0) return std::nullopt;
  return ordinal;
}

std::string claim_name(const std::string& template_name, const std::string& set_name, int64_t ordinal) {
  return template_name + "-" + pod_name(set_name, ordinal);
}

json::object new_pod(const json::object& set, const json::object& pod_template, int64_t ordinal,
                     const std::string& revision) {
  const std::string set_name = machinery::name_of(set);
  const std::string name = pod_name(set_name, ordinal);
  json::object pod;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  json::object& meta = pod["metadata"].emplace_object();
  if (const auto* m = machinery::object_at(pod_template, {"metadata"})) {
    for (const char* key : {"labels", "annotations", "finalizers"})
      if (const auto* v = m->if_contains(key)) meta[key] = *v;
  }
  meta["name"] = name;
  meta["namespace"] = machinery::namespace_of(set);
  meta["ownerReferences"] = json::array{machinery::controller_ref(set, kStatefulSetKind)};
  json::object& labels = machinery::child(meta, "labels");
  labels[kPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
  labels[kRevisionLabel] = revision;
  json::object spec = machinery::object_or_empty(machinery::object_at(pod_template, {"spec"}));
  spec["hostname"] = name;
  if (const std::string service = string_at(set, {"spec", "serviceName"}); !service.empty())
    spec["subdomain"] = service;
  // Each claim template replaces the template's volume of that name, as upstream.
  if (const auto* templates = machinery::array_at(set, {"spec", "volumeClaimTemplates"})) {
    json::array& volumes = machinery::child_array(spec, "volumes");
    for (const auto& t : *templates) {
      if (!t.is_object()) continue;
      const std::string template_name = string_at(t.as_object(), {"metadata", "name"});
      json::object volume{{"name", template_name},
                          {"persistentVolumeClaim",
                           json::object{{"claimName", claim_name(template_name, set_name, ordinal)}}}};
      bool replaced = false;
      for (auto& v : volumes)
        if (v.is_object() && string_at(v.as_object(), {"name"}) == template_name) {
          v = volume;
          replaced = true;
        }
      if (!replaced) volumes.push_back(std::move(volume));
    }
  }
  pod["spec"] = std::move(spec);
  return pod;
}

std::vector<json::object> wanted_claim_owners(const json::object& set, const json::object* pod,
                                              bool condemned) {
  std::vector<json::object> out;
  const auto* policy = machinery::object_at(set, {"spec", "persistentVolumeClaimRetentionPolicy"});
  if (!policy) return out;
  const bool when_deleted = string_at(*policy, {"whenDeleted"}) == "Delete";
  const bool when_scaled = string_at(*policy, {"whenScaled"}) == "Delete";
  // A claim scaled away with whenScaled: Delete belongs to its pod alone, so that it goes
  // with the pod even while the set stays.
  if (condemned && when_scaled) {
    if (pod) out.push_back(owner_ref(*pod, kPodKind));
  } else if (when_deleted) {
    out.push_back(owner_ref(set, kStatefulSetKind));
  }
  return out;
}

bool set_claim_owners(json::object& claim, const json::object& set, const std::string& pod_name,
                      const std::vector<json::object>& wanted) {
  json::array& refs = machinery::child_array(machinery::child(claim, "metadata"), "ownerReferences");
  const std::string set_uid = machinery::uid_of(set);
  auto is_wanted = [&](const json::object& ref) {
    for (const auto& w : wanted)
      if (string_at(w, {"uid"}) == string_at(ref, {"uid"})) return true;
    return false;
  };
  bool changed = false;
  // References to the set or to (any incarnation of) the pod that the policy does not ask for go.
  for (auto it = refs.begin(); it != refs.end();) {
    const json::object* ref = it->if_object();
    const bool ours = ref && (string_at(*ref, {"uid"}) == set_uid ||
                              (string_at(*ref, {"kind"}) == "Pod" && string_at(*ref, {"name"}) == pod_name));
    if (ours && !is_wanted(*ref)) {
      it = refs.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  for (const auto& w : wanted) {
    bool present = false;
    for (const auto& r : refs)
      present = present || (r.is_object() && string_at(r.as_object(), {"uid"}) == string_at(w, {"uid"}));
    if (!present) {
      refs.push_back(w);
      changed = true;
    }
  }
  if (refs.empty()) claim["metadata"].as_object().erase("ownerReferences");
  return changed;
}

std::vector<json::object> claims_for(const json::object& set, int64_t ordinal) {
  std::vector<json::object> out;
  const auto* templates = machinery::array_at(set, {"spec", "volumeClaimTemplates"});
  if (!templates) return out;
  const std::string set_name = machinery::name_of(set);
  for (const auto& t : *templates) {
    if (!t.is_object()) continue;
    const json::object& tpl = t.as_object();
    json::object claim;
    claim["apiVersion"] = "v1";
    claim["kind"] = "PersistentVolumeClaim";
    json::object& meta = claim["metadata"].emplace_object();
    if (const auto* m = machinery::object_at(tpl, {"metadata"}))
      for (const char* key : {"labels", "annotations"})
        if (const auto* v = m->if_contains(key)) meta[key] = *v;
    meta["name"] = claim_name(string_at(tpl, {"metadata", "name"}), set_name, ordinal);
    meta["namespace"] = machinery::namespace_of(set);
    set_labels(claim, machinery::object_at(set, {"spec", "selector", "matchLabels"}));
    auto owners = wanted_claim_owners(set, nullptr, false);
    if (!owners.empty()) {
      json::array refs;
      for (auto& o : owners) refs.push_back(std::move(o));
      claim["metadata"].as_object()["ownerReferences"] = std::move(refs);
    }
    claim["spec"] = machinery::object_or_empty(machinery::object_at(tpl, {"spec"}));
    out.push_back(std::move(claim));
  }
  return out;
}

std::string identity_patch(const json::object& pod, int64_t ordinal) {
  json::object labels;
  const std::string name = machinery::name_of(pod);
  if (string_at(pod, {"metadata", "labels", kPodNameLabel}) != name) labels[kPodNameLabel] = name;
  if (string_at(pod, {"metadata", "labels", kPodIndexLabel}) != std::to_string(ordinal))
    labels[kPodIndexLabel] = std::to_string(ordinal);
  if (labels.empty()) return "";
  return json::serialize(json::object{{"metadata", json::object{{"labels", std::move(labels)}}}});
}

std::string pod_revision(const json::object& pod) {
  return string_at(pod, {"metadata", "labels", kRevisionLabel});
}

bool is_running_and_ready(const json::object& pod) {
  return machinery::pod_phase(pod) == "Running" && machinery::is_pod_ready(pod);
}

bool is_running_and_available(const json::object& pod, int32_t min_ready_seconds,
                              machinery::Clock::time_point now) {
  return machinery::pod_phase(pod) == "Running" && machinery::is_pod_available(pod, min_ready_seconds, now);
}

bool is_finished(const json::object& pod) {
  return machinery::is_pod_terminal(pod);
}

}  // namespace ukube::controllers::statefulset
