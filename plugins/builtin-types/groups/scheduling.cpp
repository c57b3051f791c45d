// scheduling.k8s.io/v1 PriorityClass: cluster-scoped priority values for pods.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {
constexpr int64_t kHighestUserPriority = 1000000000;
constexpr int64_t kLowestPriority = -2147483648LL;
}  // namespace

TypeInfo priorityclasses_type() {
  TypeInfo t = make_type("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, {"pc"});
  t.printer_columns = {
      name_column(), column("Value", "integer", "Priority of pods that use the class.", 0, ".value"),
      column("Global-Default", "boolean", "Whether pods without a class get this one.", 0, ".globalDefault"),
      age_column(),
      column("PreemptionPolicy", "string", "Whether these pods may preempt lower ones.", 0,
             ".preemptionPolicy")};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), int_or(o, {"value"}, 0), bool_at(o, {"globalDefault"}).value_or(false),
                       age_cell(o, now), string_at(o, {"preemptionPolicy"})};
  });
  t.defaulters.push_back([](json::object& o) { set_default(o, "preemptionPolicy", "PreemptLowerPriority"); });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    std::string name = string_at(o, {"metadata", "name"});
    const bool system = name == "system-node-critical" || name == "system-cluster-critical";
    if (!system && name.starts_with("system-"))
      e.invalid(FieldPath("metadata.name"), quote(name),
                "priority class names with 'system-' prefix are reserved");
    auto value = int_at(o, {"value"});
    if (!value)
      e.required(FieldPath("value"), "");
    else if (!system && *value > kHighestUserPriority)
      e.forbidden(FieldPath("value"), "maximum allowed value of a user defined priority is 1000000000");
    else if (*value < kLowestPriority)
      e.invalid_int(FieldPath("value"), *value, "must be greater than or equal to -2147483648");
    std::string policy = string_at(o, {"preemptionPolicy"});
    if (policy != "PreemptLowerPriority" && policy != "Never")
      e.unsupported(FieldPath("preemptionPolicy"), policy, {"Never", "PreemptLowerPriority"});
    if (old) {
      auto before = int_at(*old, {"value"});
      if (before && value && *before != *value)
        e.forbidden(FieldPath("value"), "may not be changed in an update.");
      if (string_at(*old, {"preemptionPolicy"}) != policy)
        e.invalid(FieldPath("preemptionPolicy"), quote(policy), "field is immutable");
    }
  });
  using namespace schema;
  t.schema = share(resource("scheduling.k8s.io", "v1", "PriorityClass", "A named pod priority.",
                            {{"value", integer("The priority; higher is more important."), 2, kAlways},
                             {"globalDefault", boolean("Pods without a class get this one."), 3},
                             {"description", string(), 4},
                             {"preemptionPolicy", string("PreemptLowerPriority or Never."), 5, kPointer}}));
  return t;
}

}  // namespace ukube::builtin
