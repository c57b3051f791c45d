#include "ukube/controller/pod_template.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

// The longest DNS-1123 subdomain, which a pod name must be.
constexpr size_t kMaxPodNameLength = 253;

// A copy of the template's metadata member when it has content: upstream leaves empty
// label maps and finalizer lists out of the pod.
void copy_if_not_empty(const json::object& from, json::object& to, std::string_view key) {
  const auto* v = from.if_contains(key);
  if (!v) return;
  if (const auto* o = v->if_object(); o && !o->empty()) to[key] = *o;
  if (const auto* a = v->if_array(); a && !a->empty()) to[key] = *a;
}

}  // namespace

std::string pod_name_prefix(std::string_view owner_name) {
  // A generateName is checked as a name whose random suffix is still to come.
  std::string prefix = std::string(owner_name) + "-";
  if (prefix.size() > kMaxPodNameLength) return std::string(owner_name);
  return prefix;
}

json::object pod_from_template(const json::object& pod_template, const json::object& owner,
                               const json::object* controller_ref) {
  const json::object& template_meta =
      machinery::object_or_empty(machinery::object_at(pod_template, {"metadata"}));
  json::object meta;
  copy_if_not_empty(template_meta, meta, "labels");
  copy_if_not_empty(template_meta, meta, "annotations");
  meta["generateName"] = pod_name_prefix(machinery::name_of(owner));
  copy_if_not_empty(template_meta, meta, "finalizers");
  if (controller_ref) meta["ownerReferences"] = json::array{*controller_ref};
  json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}};
  const auto* spec = machinery::object_at(pod_template, {"spec"});
  pod["spec"] = spec ? *spec : json::object{};
  return pod;
}

std::string controller_ref_error(const json::object* ref) {
  if (!ref) return "controllerRef is nil";
  if (machinery::string_at(*ref, {"apiVersion"}).empty()) return "controllerRef has empty APIVersion";
  if (machinery::string_at(*ref, {"kind"}).empty()) return "controllerRef has empty Kind";
  if (!machinery::bool_at(*ref, {"controller"}).value_or(false))
    return "controllerRef.Controller is not set to true";
  if (!machinery::bool_at(*ref, {"blockOwnerDeletion"}).value_or(false))
    return "controllerRef.BlockOwnerDeletion is not set";
  return {};
}

}  // namespace ukube::controller
