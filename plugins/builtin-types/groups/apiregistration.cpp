// apiregistration.k8s.io/v1 APIService: which API server serves each group and version.
// The API server lists its own groups as Local ones; others may be registered, and are
// reported as they are (proxying to them comes later).
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

constexpr int64_t kMaxGroupPriority = 20000;
constexpr int64_t kMaxVersionPriority = 1000;

std::string available_cell(const json::object& o) {
  std::string out = "Unknown";
  for_each_object(array_at(o, {"status", "conditions"}), [&](const json::object& c, size_t) {
    if (string_at(c, {"type"}) != "Available") return;
    const std::string status = string_at(c, {"status"});
    out = status == "True" ? status : status + " (" + string_at(c, {"reason"}) + ")";
  });
  return out;
}

void validate_api_service(const json::object& o, std::vector<FieldError>& out) {
  Errors e(out);
  const FieldPath sp("spec");
  const std::string required_name = string_at(o, {"spec", "version"}) + "." + string_at(o, {"spec", "group"});
  const std::string name = string_at(o, {"metadata", "name"});
  if (name != required_name)
    e.invalid(FieldPath("metadata.name"), quote(name),
              "must be `spec.version+\".\"+spec.group`: " + quote(required_name));
  const int64_t group_priority = int_or(o, {"spec", "groupPriorityMinimum"}, 0);
  if (group_priority <= 0 || group_priority > kMaxGroupPriority)
    e.invalid_int(sp.child("groupPriorityMinimum"), group_priority, "must be positive and less than 20000");
  const int64_t version_priority = int_or(o, {"spec", "versionPriority"}, 0);
  if (version_priority <= 0 || version_priority > kMaxVersionPriority)
    e.invalid_int(sp.child("versionPriority"), version_priority, "must be positive and less than 1000");
  const json::object* service = object_at(o, {"spec", "service"});
  const bool skip_verify = bool_at(o, {"spec", "insecureSkipTLSVerify"}).value_or(false);
  const bool ca_bundle = !string_at(o, {"spec", "caBundle"}).empty();
  if (!service) {
    if (ca_bundle) e.invalid(sp.child("caBundle"), "\"...\"", "local APIServices may not have a caBundle");
    if (skip_verify)
      e.invalid(sp.child("insecureSkipTLSVerify"), "true",
                "local APIServices may not have insecureSkipTLSVerify");
    return;
  }
  if (string_at(*service, {"namespace"}).empty()) e.required(sp.child("service").child("namespace"));
  if (string_at(*service, {"name"}).empty()) e.required(sp.child("service").child("name"));
  if (auto port = int_at(*service, {"port"})) check_port_number(e, sp.child("service").child("port"), *port);
  if (skip_verify && ca_bundle)
    e.invalid(sp.child("insecureSkipTLSVerify"), "true", "may not be true if caBundle is present");
}

}  // namespace

TypeInfo apiservices_type() {
  TypeInfo t = make_type("apiregistration.k8s.io", "v1", "APIService", "apiservices", false);
  t.name_rule = TypeInfo::NameRule::PathSegment;
  t.status_subresource = true;
  t.printer_columns = {name_column(), column("Service", "string", "Where the API is served; Local: here."),
                       column("Available", "string", "Whether the API answers."), age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    const json::object* service = object_at(o, {"spec", "service"});
    const std::string where =
        service ? string_at(*service, {"namespace"}) + "/" + string_at(*service, {"name"}) : "Local";
    return json::array{name_of(o), where, available_cell(o), age_cell(o, now)};
  });
  t.defaulters.push_back([](json::object& o) {
    if (auto* service = object_at(o, {"spec", "service"}))
      if (!is_set(*service, "port")) machinery::child(machinery::child(o, "spec"), "service")["port"] = 443;
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    validate_api_service(o, out);
  });
  using namespace schema;
  Schema service =
      object({{"namespace", string(), 1}, {"name", string(), 2}, {"port", integer(), 3, kPointer}});
  t.schema = share(resource(
      "apiregistration.k8s.io", "v1", "APIService", "Where one group and version of the API is served.",
      {{"spec",
        object({{"service", service, 1, kPointer},
                {"group", string(), 2},
                {"version", string(), 3},
                {"insecureSkipTLSVerify", boolean(), 4},
                {"caBundle", bytes(), 5},
                {"groupPriorityMinimum", integer(), 7, kAlways},
                {"versionPriority", integer(), 8, kAlways}}),
        2},
       {"status",
        object(
            {{"conditions", conditions({}, {}, {.last_transition_time = 3, .reason = 4, .message = 5}), 1}}),
        3}}));
  return t;
}

}  // namespace ukube::builtin
