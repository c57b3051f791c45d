#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"
#include "ukube/types.h"

// rbac.authorization.k8s.io/v1: the resources, one PolicyRule and how a request matches
// it, with upstream's semantics (the "*" wildcards, "resource/subresource" and "*/subresource",
// resourceNames, nonResourceURLs ending in "*").
namespace ukube::rbac {

inline const GroupVersionResource kRoles{"rbac.authorization.k8s.io", "v1", "roles"};
inline const GroupVersionResource kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
inline const GroupVersionResource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
inline const GroupVersionResource kClusterRoleBindings{"rbac.authorization.k8s.io", "v1",
                                                       "clusterrolebindings"};

struct PolicyRule {
  std::vector<std::string> verbs;
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;
  std::vector<std::string> resource_names;
  std::vector<std::string> non_resource_urls;

  bool operator==(const PolicyRule&) const = default;
};

UKUBE_MACHINERY_API PolicyRule parse_rule(const boost::json::object& rule);
// The `rules` of a Role or ClusterRole; absent or null reads as none.
UKUBE_MACHINERY_API std::vector<PolicyRule> parse_rules(const boost::json::object& role);
// Empty lists are left out, as upstream's encoding omits them.
UKUBE_MACHINERY_API boost::json::object rule_to_json(const PolicyRule& rule);
UKUBE_MACHINERY_API boost::json::array rules_to_json(const std::vector<PolicyRule>& rules);

// What a resource request names; subresource and name may be empty.
struct ResourceRequest {
  std::string_view verb;
  std::string_view api_group;
  std::string_view resource;
  std::string_view subresource;
  std::string_view name;
};

UKUBE_MACHINERY_API bool allows_resource(const PolicyRule& rule, const ResourceRequest& request);
UKUBE_MACHINERY_API bool allows_non_resource(const PolicyRule& rule, std::string_view verb,
                                             std::string_view path);

// A ruleURL matches the path exactly, or as a prefix when it ends in "*".
UKUBE_MACHINERY_API bool non_resource_url_matches(std::string_view rule_url, std::string_view path);

}  // namespace ukube::rbac
