// core/v1 Namespace: cluster-scoped, names are DNS labels, phase Active until deleted.
#include <boost/json.hpp>

#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {

TypeInfo namespaces_type() {
  TypeInfo t = make_type("", "v1", "Namespace", "namespaces", false, {"ns"});
  t.status_subresource = true;
  // Upstream offers no deletecollection on namespaces.
  t.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};

  t.printer_columns = {name_column(),
                       column("Status", "string", "Lifecycle phase of the namespace.", 0, ".status.phase"),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), string_at(o, {"status", "phase"}), age_cell(o, now)};
  });
  t.selectable_fields.push_back({"status.phase", [](const json::object& o) {
                                   return string_at(o, {"status", "phase"});
                                 }});

  t.defaulters.push_back([](json::object& o) {
    // Every namespace is selectable by its own name (kubernetes.io/metadata.name).
    std::string name = string_at(o, {"metadata", "name"});
    if (!name.empty()) child(child(o, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
    set_default(child(o, "status"), "phase", "Active");
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    check_name_is_label(e, string_at(o, {"metadata", "name"}));
    std::string phase = string_at(o, {"status", "phase"});
    if (!phase.empty() && phase != "Active" && phase != "Terminating")
      e.unsupported(FieldPath("status.phase"), phase, {"Active", "Terminating"});
  });

  using namespace schema;
  t.schema = share(resource(
      "", "v1", "Namespace", "A scope for names; most objects live in one.",
      {{"spec",
        object({{"finalizers", atomic_list(string(), "Must be empty before the namespace is removed."), 1}}),
        2},
       {"status",
        object({{"phase", string("Active or Terminating."), 1},
                {"conditions", conditions({}, {}, kCoreCondition), 2}}),
        3}}));
  return t;
}

}  // namespace ukube::builtin
