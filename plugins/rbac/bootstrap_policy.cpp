#include "bootstrap_policy.h"

#include "json_fields.h"

namespace ukube::rbac {
namespace {

constexpr std::string_view kGroup = "rbac.authorization.k8s.io";

json::object metadata(const json::object& spec) {
  json::object labels{{kBootstrappingLabel, "rbac-defaults"}};
  if (const json::object* extra = object_at(spec, {"labels"}))
    for (const auto& [k, v] : *extra) labels[k] = v;
  return json::object{{"name", spec.at("name")},
                      {"labels", std::move(labels)},
                      {"annotations", json::object{{kAutoUpdateAnnotation, "true"}}}};
}

std::vector<json::object> build_roles() {
  std::vector<json::object> out;
  const json::value data = json::parse(bootstrap_cluster_roles_json());
  for (const json::value& v : data.as_array()) {
    const json::object& spec = v.as_object();
    json::object role{
        {"apiVersion", std::string(kGroup) + "/v1"}, {"kind", "ClusterRole"}, {"metadata", metadata(spec)}};
    if (const json::value* rule = spec.if_contains("aggregationRule")) role["aggregationRule"] = *rule;
    if (const json::value* rules = spec.if_contains("rules")) role["rules"] = *rules;
    out.push_back(std::move(role));
  }
  return out;
}

std::vector<json::object> build_bindings() {
  std::vector<json::object> out;
  const json::value data = json::parse(bootstrap_cluster_role_bindings_json());
  for (const json::value& v : data.as_array()) {
    const json::object& spec = v.as_object();
    json::object binding{
        {"apiVersion", std::string(kGroup) + "/v1"},
        {"kind", "ClusterRoleBinding"},
        {"metadata", metadata(spec)},
        {"roleRef", json::object{{"apiGroup", kGroup}, {"kind", "ClusterRole"}, {"name", spec.at("role")}}}};
    json::array subjects;
    for (const json::value& s : spec.at("subjects").as_array()) {
      json::object subject = s.as_object();
      subject["apiGroup"] = subject.at("kind") == "ServiceAccount" ? json::string() : json::string(kGroup);
      subjects.push_back(std::move(subject));
    }
    if (!subjects.empty()) binding["subjects"] = std::move(subjects);
    out.push_back(std::move(binding));
  }
  return out;
}

}  // namespace

const std::vector<json::object>& bootstrap_cluster_roles() {
  static const std::vector<json::object> roles = build_roles();
  return roles;
}

const std::vector<json::object>& bootstrap_cluster_role_bindings() {
  static const std::vector<json::object> bindings = build_bindings();
  return bindings;
}

}  // namespace ukube::rbac
