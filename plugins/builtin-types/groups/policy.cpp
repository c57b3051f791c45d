// policy/v1 PodDisruptionBudget.
#include <boost/json.hpp>

#include "apps/workloads.h"
#include "common/field_errors.h"
#include "common/json.h"
#include "common/labels.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

std::string int_or_string_cell(const json::object& o, std::string_view key) {
  const auto* v = value_at(o, {"spec", key});
  if (!v || v->is_null()) return "N/A";
  if (auto n = as_int(*v)) return std::to_string(*n);
  return std::string(as_string(*v));
}

}  // namespace

TypeInfo poddisruptionbudgets_type() {
  TypeInfo t = make_type("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, {"pdb"});
  t.status_subresource = true;
  t.printer_columns = {name_column(), column("Min Available", "string", "Pods that must stay available."),
                       column("Max Unavailable", "string", "Pods that may be unavailable."),
                       column("Allowed Disruptions", "integer", "Evictions allowed right now.", 0,
                              ".status.disruptionsAllowed"),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), int_or_string_cell(o, "minAvailable"),
                       int_or_string_cell(o, "maxUnavailable"),
                       int_or(o, {"status", "disruptionsAllowed"}, 0), age_cell(o, now)};
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    const auto* spec = object_at(o, {"spec"});
    if (!spec) return;
    FieldPath sp("spec");
    if (is_set(*spec, "minAvailable") && is_set(*spec, "maxUnavailable"))
      e.invalid(sp, "policy.PodDisruptionBudgetSpec{...}",
                "minAvailable and maxUnavailable cannot be both set");
    check_int_or_percent(e, sp.child("minAvailable"), spec->if_contains("minAvailable"));
    check_int_or_percent(e, sp.child("maxUnavailable"), spec->if_contains("maxUnavailable"));
    if (const auto* sel = object_at(*spec, {"selector"}))
      validate_label_selector(e, sp.child("selector"), *sel);
    std::string policy = string_at(*spec, {"unhealthyPodEvictionPolicy"});
    if (!policy.empty() && policy != "IfHealthyBudget" && policy != "AlwaysAllow")
      e.unsupported(sp.child("unhealthyPodEvictionPolicy"), policy, {"AlwaysAllow", "IfHealthyBudget"});
  });
  using namespace schema;
  Schema status = object({{"observedGeneration", int64(), 1},
                          {"disruptedPods", map_of(date_time()), 2},
                          {"disruptionsAllowed", integer(), 3, kAlways},
                          {"currentHealthy", integer(), 4, kAlways},
                          {"desiredHealthy", integer(), 5, kAlways},
                          {"expectedPods", integer(), 6, kAlways},
                          {"conditions", conditions(), 7}});
  t.schema = share(
      resource("policy", "v1", "PodDisruptionBudget", "Limits voluntary disruption of a set of pods.",
               {{"spec",
                 object({{"minAvailable", int_or_string("Pods that must stay available."), 1, kPointer},
                         {"selector", label_selector(), 2, kPointer},
                         {"maxUnavailable", int_or_string("Pods that may be unavailable."), 3, kPointer},
                         {"unhealthyPodEvictionPolicy", string(), 4, kPointer}}),
                 2},
                {"status", status, 3}}));
  return t;
}

}  // namespace ukube::builtin
