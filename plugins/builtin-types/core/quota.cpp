// core/v1 LimitRange and ResourceQuota.
#include <map>

#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/quantity.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

void check_quantities(Errors& e, const FieldPath& p, const json::object* list) {
  if (!list) return;
  for (const auto& kv : *list) {
    auto q = Quantity::from_json(kv.value());
    if (!q)
      e.invalid(p.key(kv.key()), quote(quantity_text(kv.value())), kQuantityPattern);
    else if (q->is_negative())
      e.invalid(p.key(kv.key()), quote(quantity_text(kv.value())), "must be greater than or equal to 0");
  }
}

}  // namespace

TypeInfo limitranges_type() {
  TypeInfo t = make_type("", "v1", "LimitRange", "limitranges", true, {"limits"});
  use_name_created_at_table(t);
  t.defaulters.push_back([](json::object& o) {
    // A container limit with a max but no default defaults to the max; requests to the default.
    for_each_object(mutable_array(child(o, "spec"), "limits"), [](json::object& item, size_t) {
      if (string_at(item, {"type"}) != "Container") return;
      if (const auto* max = object_at(item, {"max"})) {
        auto& def = child(item, "default");
        for (const auto& kv : *max)
          if (!def.contains(kv.key())) def[kv.key()] = kv.value();
      }
      if (const auto* def = object_at(item, {"default"})) {
        json::object copy = *def;
        auto& req = child(item, "defaultRequest");
        for (const auto& kv : copy)
          if (!req.contains(kv.key())) req[kv.key()] = kv.value();
      }
    });
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    for_each_object(array_at(o, {"spec", "limits"}), [&](const json::object& item, size_t i) {
      FieldPath p = FieldPath("spec.limits").index(i);
      if (string_at(item, {"type"}).empty()) e.required(p.child("type"), "");
      for (const char* f : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"})
        check_quantities(e, p.child(f), object_at(item, {f}));
    });
  });
  using namespace schema;
  Schema item = object({{"type", string("Container, Pod or PersistentVolumeClaim."), 1, kAlways},
                        {"max", quantity_map(), 2},
                        {"min", quantity_map(), 3},
                        {"default", quantity_map("Default limits."), 4},
                        {"defaultRequest", quantity_map("Default requests."), 5},
                        {"maxLimitRequestRatio", quantity_map(), 6}});
  t.schema = share(resource("", "v1", "LimitRange", "Per-object resource bounds and defaults in a namespace.",
                            {{"spec", object({{"limits", atomic_list(item), 1, kAlways}}), 2}}));
  return t;
}

TypeInfo resourcequotas_type() {
  TypeInfo t = make_type("", "v1", "ResourceQuota", "resourcequotas", true, {"quota"});
  t.status_subresource = true;
  t.printer_columns = {name_column(), age_column(),
                       column("Request", "string", "Used and hard request quotas."),
                       column("Limit", "string", "Used and hard limit quotas.")};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::map<std::string, std::string> hard;
    if (const auto* h = object_at(o, {"spec", "hard"}))
      for (const auto& kv : *h) hard[std::string(kv.key())] = quantity_text(kv.value());
    const auto* used = object_at(o, {"status", "used"});
    std::vector<std::string> requests, limits;
    for (const auto& [name, value] : hard) {
      const auto* u = used ? used->if_contains(name) : nullptr;
      std::string cell = name + ": " + (u ? quantity_text(*u) : "0") + "/" + value;
      (name.starts_with("limits.") ? limits : requests).push_back(cell);
    }
    return json::array{name_of(o), age_cell(o, now), join(requests, ", "), join(limits, ", ")};
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    check_quantities(e, FieldPath("spec.hard"), object_at(o, {"spec", "hard"}));
  });
  using namespace schema;
  Schema scope_req = object({{"scopeName", string(), 1, kAlways},
                             {"operator", string(), 2, kAlways},
                             {"values", atomic_list(string()), 3}});
  t.schema = share(resource(
      "", "v1", "ResourceQuota", "Limits on the total resources a namespace may consume.",
      {{"spec",
        object({{"hard", quantity_map("Hard limits by resource name."), 1},
                {"scopes", atomic_list(string()), 2},
                {"scopeSelector", object({{"matchExpressions", atomic_list(scope_req), 1}}), 3, kPointer}}),
        2},
       {"status", object({{"hard", quantity_map(), 1}, {"used", quantity_map(), 2}}), 3}}));
  return t;
}

}  // namespace ukube::builtin
