#include "plugins/default_selector.h"
#include "ukube/machinery/owners.h"

#include <boost/json.hpp>
#include <map>
#include <string>

#include "model/parse.h"
#include "model/resources.h"
#include "ukube/types.h"

namespace ukube::scheduler {
using namespace resources;
namespace json = boost::json;
namespace {

const json::object* object_at(const json::object* o, std::string_view key) {
  const json::value* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::string string_at(const json::object* o, std::string_view key) {
  const json::value* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::value* spec_selector_value(const json::object& o) {
  const json::object* spec = object_at(&o, "spec");
  return spec ? spec->if_contains("selector") : nullptr;
}

const json::object* spec_selector(const json::object& o) {
  const json::value* v = spec_selector_value(o);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// A map selector (Service, ReplicationController): every entry is a label the pod has.
bool selects(const json::object& selector, const Labels& labels) {
  for (const auto& [k, v] : selector) {
    const std::string* have = labels.find(k);
    if (!v.is_string() || !have || *have != v.get_string()) return false;
  }
  return true;
}

void merge(std::map<std::string, std::string>& into, const json::object& selector) {
  for (const auto& [k, v] : selector)
    if (v.is_string()) into[std::string(k)] = std::string(v.get_string());
}

// A metav1.LabelSelector that would convert cleanly; a broken one adds nothing, as
// upstream skips a controller selector it cannot convert.
bool well_formed(const json::object& selector) {
  const json::value* exprs = selector.if_contains("matchExpressions");
  if (!exprs || exprs->is_null()) return true;
  if (!exprs->is_array()) return false;
  for (const auto& e : exprs->get_array()) {
    if (!e.is_object()) return false;
    std::string op = string_at(&e.get_object(), "operator");
    const json::value* values = e.get_object().if_contains("values");
    size_t n = values && values->is_array() ? values->get_array().size() : 0;
    if (op == "In" || op == "NotIn") {
      if (n == 0) return false;
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (n != 0) return false;
    } else {
      return false;
    }
  }
  return true;
}

// The pod's controller owner reference, if any.
const json::object* controller_of(const PodInfo& pod) {
  return pod.object ? machinery::controller_of(*pod.object) : nullptr;
}

}  // namespace

LabelSelector default_selector(const PodInfo& pod, const ObjectLister* listers) {
  LabelSelector out;
  if (!listers) return out;
  // Services selecting the pod agree on every key they share (each equals the pod's own
  // label), so merging them loses nothing. A Service without a selector selects nothing.
  std::map<std::string, std::string> merged;
  for (const auto& svc : listers->list(kServices, pod.ns))
    if (const json::object* sel = spec_selector(*svc); sel && selects(*sel, pod.labels)) merge(merged, *sel);

  std::vector<Requirement> extra;
  if (const json::object* owner = controller_of(pod)) {
    const std::string api_version = string_at(owner, "apiVersion");
    const std::string kind = string_at(owner, "kind");
    const std::string name = string_at(owner, "name");
    if (api_version == "v1" && kind == "ReplicationController") {
      if (auto rc = listers->get(kReplicationControllers, pod.ns, name))
        if (const json::object* sel = spec_selector(*rc)) merge(merged, *sel);
    } else if (api_version == "apps/v1" && (kind == "ReplicaSet" || kind == "StatefulSet")) {
      auto owner_object = listers->get(kind == "ReplicaSet" ? kReplicaSets : kStatefulSets, pod.ns, name);
      const json::object* sel = owner_object ? spec_selector(*owner_object) : nullptr;
      if (sel && well_formed(*sel))
        extra = parse_label_selector(spec_selector_value(*owner_object)).requirements;
    }
  }

  for (auto& [k, v] : merged) out.requirements.push_back({k, SelectorOp::In, {v}});
  for (auto& r : extra) out.requirements.push_back(std::move(r));
  return out;
}

}  // namespace ukube::scheduler
