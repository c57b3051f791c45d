// rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

constexpr std::string_view kGroup = "rbac.authorization.k8s.io";

bool empty_list(const json::object& o, std::string_view key) {
  const auto* a = array_at(o, {key});
  return !a || a->empty();
}

void validate_rules(const json::object& o, bool namespaced, std::vector<FieldError>& out) {
  Errors e(out);
  for_each_object(array_at(o, {"rules"}), [&](const json::object& rule, size_t i) {
    FieldPath p = FieldPath("rules").index(i);
    if (empty_list(rule, "verbs")) e.required(p.child("verbs"), "verbs must contain at least one value");
    if (!empty_list(rule, "nonResourceURLs")) {
      if (namespaced)
        e.invalid(p.child("nonResourceURLs"), go_strings(machinery::strings_at(rule, {"nonResourceURLs"})),
                  "namespaced rules cannot apply to non-resource URLs");
      if (!empty_list(rule, "apiGroups") || !empty_list(rule, "resources") ||
          !empty_list(rule, "resourceNames"))
        e.invalid(p.child("nonResourceURLs"), go_strings(machinery::strings_at(rule, {"nonResourceURLs"})),
                  "rules cannot apply to both regular resources and non-resource URLs");
      return;
    }
    if (empty_list(rule, "apiGroups"))
      e.required(p.child("apiGroups"), "resource rules must supply at least one api group");
    if (empty_list(rule, "resources"))
      e.required(p.child("resources"), "resource rules must supply at least one resource");
  });
}

void default_binding(json::object& o) {
  set_default(child(o, "roleRef"), "apiGroup", json::string(kGroup));
  for_each_object(mutable_array(o, "subjects"), [](json::object& s, size_t) {
    std::string kind = string_at(s, {"kind"});
    if (kind == "User" || kind == "Group") set_default(s, "apiGroup", json::string(kGroup));
    if (kind == "ServiceAccount") set_default(s, "apiGroup", "");
  });
}

std::string go_role_ref(const json::object* ref) {
  const json::object empty;
  if (!ref) ref = &empty;
  return "rbac.RoleRef{APIGroup:" + quote(string_at(*ref, {"apiGroup"})) +
         ", Kind:" + quote(string_at(*ref, {"kind"})) + ", Name:" + quote(string_at(*ref, {"name"})) + "}";
}

void validate_binding(const json::object& o, const json::object* old, bool namespaced,
                      std::vector<FieldError>& out) {
  Errors e(out);
  FieldPath rp("roleRef");
  std::string group = string_at(o, {"roleRef", "apiGroup"});
  if (group != kGroup) e.unsupported(rp.child("apiGroup"), group, {std::string(kGroup)});
  std::string kind = string_at(o, {"roleRef", "kind"});
  std::vector<std::string> kinds =
      namespaced ? std::vector<std::string>{"Role", "ClusterRole"} : std::vector<std::string>{"ClusterRole"};
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
    e.unsupported(rp.child("kind"), kind, kinds);
  std::string name = string_at(o, {"roleRef", "name"});
  if (name.empty())
    e.required(rp.child("name"), "");
  else if (name.find('/') != std::string::npos)
    e.invalid(rp.child("name"), quote(name), "may not contain '/'");

  for_each_object(array_at(o, {"subjects"}), [&](const json::object& s, size_t i) {
    FieldPath sp = FieldPath("subjects").index(i);
    std::string skind = string_at(s, {"kind"});
    std::string sname = string_at(s, {"name"});
    std::string sgroup = string_at(s, {"apiGroup"});
    if (sname.empty()) e.required(sp.child("name"), "");
    if (skind == "ServiceAccount") {
      if (!sgroup.empty()) e.unsupported(sp.child("apiGroup"), sgroup, {""});
      if (!sname.empty()) report(e, sp.child("name"), sname, dns1123_subdomain_errors(sname));
      if (!namespaced && string_at(s, {"namespace"}).empty()) e.required(sp.child("namespace"), "");
    } else if (skind == "User" || skind == "Group") {
      if (sgroup != kGroup) e.unsupported(sp.child("apiGroup"), sgroup, {std::string(kGroup)});
    } else {
      e.unsupported(sp.child("kind"), skind, {"ServiceAccount", "User", "Group"});
    }
  });
  if (old) {
    const auto* before = object_at(*old, {"roleRef"});
    const auto* after = object_at(o, {"roleRef"});
    if (before && (!after || *before != *after)) e.invalid(rp, go_role_ref(after), "cannot change roleRef");
  }
}

std::vector<PrinterColumn> binding_columns() {
  return {name_column(),
          column("Role", "string", "The role the binding grants."),
          age_column(),
          column("Users", "string", "Users the role is granted to.", 1),
          column("Groups", "string", "Groups the role is granted to.", 1),
          column("ServiceAccounts", "string", "Service accounts the role is granted to.", 1)};
}

json::array binding_row(const json::object& o, Clock::time_point now) {
  std::vector<std::string> users, groups, accounts;
  for_each_object(array_at(o, {"subjects"}), [&](const json::object& s, size_t) {
    std::string kind = string_at(s, {"kind"});
    if (kind == "User") users.push_back(string_at(s, {"name"}));
    if (kind == "Group") groups.push_back(string_at(s, {"name"}));
    if (kind == "ServiceAccount")
      accounts.push_back(string_at(s, {"namespace"}) + "/" + string_at(s, {"name"}));
  });
  return json::array{
      name_of(o),         string_at(o, {"roleRef", "kind"}) + "/" + string_at(o, {"roleRef", "name"}),
      age_cell(o, now),   join(users, ", "),
      join(groups, ", "), join(accounts, ", ")};
}

schema::Schema rules_schema() {
  using namespace schema;
  Schema rule = object({{"verbs", atomic_list(string(), "Verbs allowed, or * for all."), 1, kAlways},
                        {"apiGroups", atomic_list(string(), "API groups; \"\" is the core group."), 2},
                        {"resources", atomic_list(string(), "Resources, or * for all."), 3},
                        {"resourceNames", atomic_list(string(), "Names the rule is limited to."), 4},
                        {"nonResourceURLs", atomic_list(string(), "URL paths, for cluster roles only."), 5}});
  return atomic_list(rule, "What the role allows.");
}

schema::Schema binding_schema(std::string_view kind, bool namespaced) {
  using namespace schema;
  Schema subject = object({{"kind", string("User, Group or ServiceAccount."), 1, kAlways},
                           {"apiGroup", string(), 2},
                           {"name", string(), 3, kAlways},
                           {"namespace", string("Namespace of a service account."), 4}});
  Schema ref = object({{"apiGroup", string(), 1, kAlways},
                       {"kind", string("Role or ClusterRole."), 2, kAlways},
                       {"name", string(), 3, kAlways}},
                      "The role granted; cannot change.");
  return resource(
      kGroup, "v1", kind,
      namespaced ? "Grants a role's permissions in a namespace."
                 : "Grants a cluster role's permissions everywhere.",
      {{"subjects", atomic_list(subject, "Who the role is granted to."), 2}, {"roleRef", ref, 3}});
}

}  // namespace

TypeInfo roles_type() {
  TypeInfo t = make_type(std::string(kGroup), "v1", "Role", "roles", true);
  t.name_rule = TypeInfo::NameRule::PathSegment;
  use_name_created_at_table(t);
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    validate_rules(o, true, out);
  });
  t.schema = schema::share(schema::resource(kGroup, "v1", "Role", "Permissions within a namespace.",
                                            {{"rules", rules_schema(), 2, schema::kAlways}}));
  return t;
}

TypeInfo clusterroles_type() {
  TypeInfo t = make_type(std::string(kGroup), "v1", "ClusterRole", "clusterroles", false);
  t.name_rule = TypeInfo::NameRule::PathSegment;
  use_name_created_at_table(t);
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    validate_rules(o, false, out);
  });
  using namespace schema;
  t.schema = share(resource(kGroup, "v1", "ClusterRole", "Permissions across the cluster.",
                            {{"rules", rules_schema(), 2, kAlways},
                             {"aggregationRule",
                              object({{"clusterRoleSelectors", atomic_list(label_selector()), 1}},
                                     "Builds the rules from other cluster roles."),
                              3, kPointer}}));
  return t;
}

TypeInfo rolebindings_type() {
  TypeInfo t = make_type(std::string(kGroup), "v1", "RoleBinding", "rolebindings", true);
  t.name_rule = TypeInfo::NameRule::PathSegment;
  t.printer_columns = binding_columns();
  t.table_row = at_call_time(binding_row);
  t.defaulters.push_back(default_binding);
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    validate_binding(o, old, true, out);
  });
  t.schema = schema::share(binding_schema("RoleBinding", true));
  return t;
}

TypeInfo clusterrolebindings_type() {
  TypeInfo t = make_type(std::string(kGroup), "v1", "ClusterRoleBinding", "clusterrolebindings", false);
  t.name_rule = TypeInfo::NameRule::PathSegment;
  t.printer_columns = binding_columns();
  t.table_row = at_call_time(binding_row);
  t.defaulters.push_back(default_binding);
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    validate_binding(o, old, false, out);
  });
  t.schema = schema::share(binding_schema("ClusterRoleBinding", false));
  return t;
}

}  // namespace ukube::builtin
