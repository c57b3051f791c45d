#include "bootstrap_policy.h"

#include <stdexcept>
#include <string>

#include "json_fields.h"

namespace ukube::rbac {
namespace {

constexpr std::string_view kGroup = "rbac.authorization.k8s.io";

json::object bootstrap_metadata(const json::object& spec) {
  json::object labels{{kBootstrappingLabel, "rbac-defaults"}};
  if (const json::object* extra = object_at(spec, {"labels"}))
    for (const auto& [k, v] : *extra) labels[k] = v;
  json::object meta{{"name", spec.at("name")}};
  if (const json::value* ns = spec.if_contains("namespace")) meta["namespace"] = *ns;
  meta["labels"] = std::move(labels);
  meta["annotations"] = json::object{{kAutoUpdateAnnotation, "true"}};
  return meta;
}

// kind: ClusterRole or Role.
json::object role_object(const json::object& spec, std::string_view kind) {
  json::object role{
      {"apiVersion", std::string(kGroup) + "/v1"}, {"kind", kind}, {"metadata", bootstrap_metadata(spec)}};
  if (const json::value* rule = spec.if_contains("aggregationRule")) role["aggregationRule"] = *rule;
  if (const json::value* rules = spec.if_contains("rules")) role["rules"] = *rules;
  return role;
}

// kind: ClusterRoleBinding (of a ClusterRole) or RoleBinding (of a Role).
json::object binding_object(const json::object& spec, std::string_view kind, std::string_view role_kind) {
  json::object binding{
      {"apiVersion", std::string(kGroup) + "/v1"},
      {"kind", kind},
      {"metadata", bootstrap_metadata(spec)},
      {"roleRef", json::object{{"apiGroup", kGroup}, {"kind", role_kind}, {"name", spec.at("role")}}}};
  json::array subjects;
  for (const json::value& s : spec.at("subjects").as_array()) {
    json::object subject = s.as_object();
    subject["apiGroup"] = subject.at("kind") == "ServiceAccount" ? json::string() : json::string(kGroup);
    subjects.push_back(std::move(subject));
  }
  if (!subjects.empty()) binding["subjects"] = std::move(subjects);
  return binding;
}

// What upstream binds each controller role to: a cluster role binding of the same name
// whose one subject is the controller's ServiceAccount in kube-system.
json::object controller_binding_spec(const json::object& role_spec) {
  const std::string_view name = role_spec.at("name").as_string();
  if (!name.starts_with(kControllerRolePrefix))
    throw std::logic_error("bootstrap controller role \"" + std::string(name) + "\" does not start with \"" +
                           std::string(kControllerRolePrefix) + "\"");
  json::object account{{"kind", "ServiceAccount"},
                       {"name", name.substr(kControllerRolePrefix.size())},
                       {"namespace", kControllerNamespace}};
  return json::object{{"name", name}, {"role", name}, {"subjects", json::array{std::move(account)}}};
}

json::array parse_specs(std::string_view data) {
  return json::parse(data).as_array();
}

std::vector<json::object> build_cluster_roles() {
  std::vector<json::object> out;
  for (std::string_view data : {bootstrap_cluster_roles_json(), bootstrap_controller_roles_json()})
    for (const json::value& v : parse_specs(data)) out.push_back(role_object(v.as_object(), "ClusterRole"));
  return out;
}

std::vector<json::object> build_cluster_role_bindings() {
  std::vector<json::object> out;
  for (const json::value& v : parse_specs(bootstrap_cluster_role_bindings_json()))
    out.push_back(binding_object(v.as_object(), "ClusterRoleBinding", "ClusterRole"));
  for (const json::value& v : parse_specs(bootstrap_controller_roles_json()))
    out.push_back(
        binding_object(controller_binding_spec(v.as_object()), "ClusterRoleBinding", "ClusterRole"));
  return out;
}

std::vector<json::object> build_roles() {
  std::vector<json::object> out;
  for (const json::value& v : parse_specs(bootstrap_roles_json()))
    out.push_back(role_object(v.as_object(), "Role"));
  return out;
}

std::vector<json::object> build_role_bindings() {
  std::vector<json::object> out;
  for (const json::value& v : parse_specs(bootstrap_role_bindings_json()))
    out.push_back(binding_object(v.as_object(), "RoleBinding", "Role"));
  return out;
}

}  // namespace

const std::vector<json::object>& bootstrap_cluster_roles() {
  static const std::vector<json::object> roles = build_cluster_roles();
  return roles;
}

const std::vector<json::object>& bootstrap_cluster_role_bindings() {
  static const std::vector<json::object> bindings = build_cluster_role_bindings();
  return bindings;
}

const std::vector<json::object>& bootstrap_roles() {
  static const std::vector<json::object> roles = build_roles();
  return roles;
}

const std::vector<json::object>& bootstrap_role_bindings() {
  static const std::vector<json::object> bindings = build_role_bindings();
  return bindings;
}

}  // namespace ukube::rbac
