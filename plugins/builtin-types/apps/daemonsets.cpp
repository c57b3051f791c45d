// apps/v1 DaemonSet: one pod per eligible node.
#include <boost/json.hpp>

#include "apps/workloads.h"
#include "common/json.h"
#include "common/labels.h"
#include "common/table.h"
#include "families.h"
#include "podspec/defaults.h"
#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin {

TypeInfo daemonsets_type() {
  TypeInfo t = make_type("apps", "v1", "DaemonSet", "daemonsets", true, {"ds"}, {"all"});
  t.status_subresource = true;
  t.printer_columns = {
      name_column(),
      column("Desired", "integer", "Nodes that should run the pod.", 0, ".status.desiredNumberScheduled"),
      column("Current", "integer", "Nodes that run the pod.", 0, ".status.currentNumberScheduled"),
      column("Ready", "integer", "Nodes where the pod is ready.", 0, ".status.numberReady"),
      column("Up-to-date", "integer", "Nodes that run the current template.", 0,
             ".status.updatedNumberScheduled"),
      column("Available", "integer", "Nodes where the pod is available.", 0, ".status.numberAvailable"),
      column("Node Selector", "string", "Labels a node needs to get the pod."),
      age_column(),
  };
  for (auto& c : containers_images_selector_columns()) t.printer_columns.push_back(std::move(c));
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o),
                       int_or(o, {"status", "desiredNumberScheduled"}, 0),
                       int_or(o, {"status", "currentNumberScheduled"}, 0),
                       int_or(o, {"status", "numberReady"}, 0),
                       int_or(o, {"status", "updatedNumberScheduled"}, 0),
                       int_or(o, {"status", "numberAvailable"}, 0),
                       format_labels(object_at(o, {"spec", "template", "spec", "nodeSelector"})),
                       age_cell(o, now),
                       template_containers(o, {"spec", "template"}),
                       template_images(o, {"spec", "template"}),
                       selector_cell(o)};
  });
  t.defaulters.push_back([](json::object& o) {
    auto& spec = child(o, "spec");
    auto& strategy = child(spec, "updateStrategy");
    set_default(strategy, "type", "RollingUpdate");
    if (string_at(strategy, {"type"}) == "RollingUpdate") {
      auto& rolling = child(strategy, "rollingUpdate");
      set_default(rolling, "maxUnavailable", 1);
      set_default(rolling, "maxSurge", 0);
    }
    set_default(spec, "revisionHistoryLimit", 10);
    default_pod_template(child(spec, "template"));
  });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    validate_selector_and_template(e, o, "daemonset", {"Always"}, true);
    check_selector_immutable(e, o, old);
    const json::object empty;
    const auto* spec = object_at(o, {"spec"}) ? object_at(o, {"spec"}) : &empty;
    for (const char* f : {"minReadySeconds", "revisionHistoryLimit"})
      check_non_negative(e, FieldPath("spec"), *spec, f);
    FieldPath us("spec.updateStrategy");
    std::string type = string_at(*spec, {"updateStrategy", "type"});
    if (type != "OnDelete" && type != "RollingUpdate")
      e.unsupported(us.child("type"), type, {"OnDelete", "RollingUpdate"});
    if (const auto* rolling = object_at(*spec, {"updateStrategy", "rollingUpdate"});
        rolling && type == "RollingUpdate") {
      int64_t unavailable = check_int_or_percent(e, us.child("rollingUpdate").child("maxUnavailable"),
                                                 rolling->if_contains("maxUnavailable"));
      int64_t surge = check_int_or_percent(e, us.child("rollingUpdate").child("maxSurge"),
                                           rolling->if_contains("maxSurge"));
      if (unavailable == 0 && surge == 0)
        e.invalid(us.child("rollingUpdate").child("maxUnavailable"),
                  value_repr(rolling->at("maxUnavailable")), "may not be 0 when `maxSurge` is 0");
    }
  });
  using namespace schema;
  Schema strategy = object({{"type", string("OnDelete or RollingUpdate."), 1},
                            {"rollingUpdate",
                             object({{"maxUnavailable", int_or_string(), 1, kPointer},
                                     {"maxSurge", int_or_string(), 2, kPointer}}),
                             2, kPointer}});
  Schema status = object({
      {"currentNumberScheduled", integer(), 1, kAlways},
      {"numberMisscheduled", integer(), 2, kAlways},
      {"desiredNumberScheduled", integer(), 3, kAlways},
      {"numberReady", integer(), 4, kAlways},
      {"observedGeneration", int64(), 5},
      {"updatedNumberScheduled", integer(), 6},
      {"numberAvailable", integer(), 7},
      {"numberUnavailable", integer(), 8},
      {"collisionCount", integer(), 9, kPointer},
      {"conditions", workload_conditions(false), 10},
  });
  t.schema = share(resource("apps", "v1", "DaemonSet", "Runs a copy of a pod on every eligible node.",
                            {{"spec",
                              object({{"selector", label_selector(), 1, kPointer},
                                      {"template", pod_template_spec(), 2},
                                      {"updateStrategy", strategy, 3},
                                      {"minReadySeconds", integer(), 4},
                                      {"revisionHistoryLimit", integer(), 6, kPointer}}),
                              2},
                             {"status", status, 3}}));
  return t;
}

}  // namespace ukube::builtin
