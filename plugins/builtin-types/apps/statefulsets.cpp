// apps/v1 StatefulSet (pods with stable identities and storage) and ControllerRevision.
#include <boost/json.hpp>

#include "apps/workloads.h"
#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "core/storage.h"
#include "families.h"
#include "podspec/defaults.h"
#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin {
namespace {

void default_statefulset(json::object& o) {
  auto& spec = child(o, "spec");
  default_replicas(spec);
  set_default(spec, "podManagementPolicy", "OrderedReady");
  auto& strategy = child(spec, "updateStrategy");
  set_default(strategy, "type", "RollingUpdate");
  if (string_at(strategy, {"type"}) == "RollingUpdate")
    set_default(child(strategy, "rollingUpdate"), "partition", 0);
  set_default(spec, "revisionHistoryLimit", 10);
  auto& retention = child(spec, "persistentVolumeClaimRetentionPolicy");
  set_default(retention, "whenDeleted", "Retain");
  set_default(retention, "whenScaled", "Retain");
  for_each_object(mutable_array(spec, "volumeClaimTemplates"), [](json::object& pvc, size_t) {
    set_default(child(pvc, "spec"), "volumeMode", "Filesystem");
    set_default(child(pvc, "status"), "phase", "Pending");
  });
  default_pod_template(child(spec, "template"));
}

void validate_statefulset(const json::object& o, const json::object* old, std::vector<FieldError>& out) {
  Errors e(out);
  validate_selector_and_template(e, o, "statefulset", {"Always"}, false);
  check_replicas(e, o);
  const json::object empty;
  const auto* spec = object_at(o, {"spec"}) ? object_at(o, {"spec"}) : &empty;
  FieldPath sp("spec");
  for (const char* f : {"minReadySeconds", "revisionHistoryLimit"}) check_non_negative(e, sp, *spec, f);
  std::string policy = string_at(*spec, {"podManagementPolicy"});
  if (policy != "OrderedReady" && policy != "Parallel")
    e.unsupported(sp.child("podManagementPolicy"), policy, {"OrderedReady", "Parallel"});
  std::string type = string_at(*spec, {"updateStrategy", "type"});
  if (type != "OnDelete" && type != "RollingUpdate")
    e.unsupported(sp.child("updateStrategy").child("type"), type, {"OnDelete", "RollingUpdate"});
  if (type == "OnDelete" && object_at(*spec, {"updateStrategy", "rollingUpdate"}))
    e.invalid(sp.child("updateStrategy").child("rollingUpdate"), "\"\"",
              "only allowed for updateStrategy 'RollingUpdate'");
  for (const char* f : {"whenDeleted", "whenScaled"}) {
    std::string v = string_at(*spec, {"persistentVolumeClaimRetentionPolicy", f});
    if (v != "Retain" && v != "Delete")
      e.unsupported(sp.child("persistentVolumeClaimRetentionPolicy").child(f), v, {"Delete", "Retain"});
  }
  for_each_object(array_at(*spec, {"volumeClaimTemplates"}), [&](const json::object& pvc, size_t i) {
    FieldPath p = sp.child("volumeClaimTemplates").index(i);
    std::string name = string_at(pvc, {"metadata", "name"});
    if (name.empty())
      e.required(p.child("metadata").child("name"), "name or generateName is required");
    else
      report(e, p.child("metadata").child("name"), name, dns1123_subdomain_errors(name));
    validate_pvc_spec(e, p.child("spec"), object_at(pvc, {"spec"}));
  });
  std::string service = string_at(*spec, {"serviceName"});
  if (!service.empty()) report(e, sp.child("serviceName"), service, dns1035_label_errors(service));

  if (!old) return;
  // Only these may change once the set exists.
  json::object before = object_at(*old, {"spec"}) ? *object_at(*old, {"spec"}) : json::object{};
  json::object after = *spec;
  for (const char* f : {"replicas", "ordinals", "template", "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "revisionHistoryLimit"}) {
    before.erase(f);
    after.erase(f);
  }
  if (before != after)
    e.forbidden(
        sp,
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
}

}  // namespace

TypeInfo statefulsets_type() {
  TypeInfo t = make_type("apps", "v1", "StatefulSet", "statefulsets", true, {"sts"}, {"all"});
  t.status_subresource = true;
  t.scale = replicas_scale();
  t.printer_columns = {name_column(), column("Ready", "string", "Ready pods out of the desired number."),
                       age_column()};
  for (auto& c : containers_images_selector_columns(false)) t.printer_columns.push_back(std::move(c));
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::string ready = std::to_string(int_or(o, {"status", "readyReplicas"}, 0)) + "/" +
                        std::to_string(int_or(o, {"spec", "replicas"}, 0));
    return json::array{name_of(o), ready, age_cell(o, now), template_containers(o, {"spec", "template"}),
                       template_images(o, {"spec", "template"})};
  });
  t.defaulters.push_back(default_statefulset);
  t.validators.push_back(validate_statefulset);

  using namespace schema;
  Schema strategy =
      object({{"type", string("RollingUpdate or OnDelete."), 1},
              {"rollingUpdate",
               object({{"partition", integer("Ordinals below this keep the old template."), 1, kPointer},
                       {"maxUnavailable", int_or_string(), 2, kPointer}}),
               2, kPointer}});
  Schema spec = object({
      {"replicas", integer("Desired number of pods."), 1, kPointer},
      {"selector", label_selector(), 2, kPointer},
      {"template", pod_template_spec(), 3},
      {"volumeClaimTemplates", atomic_list(pvc_object("A claim template; each pod gets its own claim.")), 4},
      {"serviceName", string("Headless service that gives the pods their DNS names."), 5, kAlways},
      {"podManagementPolicy", string("OrderedReady or Parallel."), 6},
      {"updateStrategy", strategy, 7},
      {"revisionHistoryLimit", integer(), 8, kPointer},
      {"minReadySeconds", integer(), 9},
      {"persistentVolumeClaimRetentionPolicy",
       object({{"whenDeleted", string(), 1}, {"whenScaled", string(), 2}}), 10, kPointer},
      {"ordinals", object({{"start", integer(), 1, kAlways}}), 11, kPointer},
  });
  Schema status = object({
      {"observedGeneration", int64(), 1},
      {"replicas", integer(), 2, kAlways},
      {"readyReplicas", integer(), 3},
      {"currentReplicas", integer(), 4},
      {"updatedReplicas", integer(), 5},
      {"currentRevision", string(), 6},
      {"updateRevision", string(), 7},
      {"collisionCount", integer(), 9, kPointer},
      {"conditions", workload_conditions(false), 10},
      {"availableReplicas", integer(), 11, kAlways},
  });
  t.schema = share(resource("apps", "v1", "StatefulSet", "Pods with stable names and storage, in order.",
                            {{"spec", spec, 2}, {"status", status, 3}}));
  return t;
}

TypeInfo controllerrevisions_type() {
  TypeInfo t = make_type("apps", "v1", "ControllerRevision", "controllerrevisions", true);
  t.printer_columns = {name_column(), column("Controller", "string", "The object that owns the revision."),
                       column("Revision", "integer", "Revision number.", 0, ".revision"), age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::string controller = "<none>";
    for_each_object(array_at(o, {"metadata", "ownerReferences"}), [&](const json::object& ref, size_t) {
      if (!bool_at(ref, {"controller"}).value_or(false)) return;
      std::string api = string_at(ref, {"apiVersion"});
      std::string group = api.find('/') == std::string::npos ? "" : api.substr(0, api.find('/'));
      std::string kind = string_at(ref, {"kind"});
      for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      controller = kind + (group.empty() ? "" : "." + group) + "/" + string_at(ref, {"name"});
    });
    return json::array{name_of(o), controller, int_or(o, {"revision"}, 0), age_cell(o, now)};
  });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    check_non_negative(e, FieldPath(), o, "revision");
    if (old) {
      const auto* a = o.if_contains("data");
      const auto* b = old->if_contains("data");
      if ((a == nullptr) != (b == nullptr) || (a && *a != *b))
        e.invalid(FieldPath("data"), "\"\"", "field is immutable");
    }
  });
  using namespace schema;
  t.schema = share(resource(
      "apps", "v1", "ControllerRevision", "An immutable snapshot of a controller's state.",
      {{"data", preserve("The serialized state."), 2}, {"revision", int64("Revision number."), 3, kAlways}}));
  return t;
}

}  // namespace ukube::builtin
