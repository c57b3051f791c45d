#pragma once

#include <string_view>
#include <vector>

#include <boost/json.hpp>

// The policy a fresh cluster starts with: upstream's default cluster roles and cluster
// role bindings, as complete objects ready to create.
namespace ukube::rbac {

inline constexpr std::string_view kAutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
inline constexpr std::string_view kBootstrappingLabel = "kubernetes.io/bootstrapping";

const std::vector<boost::json::object>& bootstrap_cluster_roles();
const std::vector<boost::json::object>& bootstrap_cluster_role_bindings();

// The data the objects are built from (bootstrap_data.cpp).
std::string_view bootstrap_cluster_roles_json();
std::string_view bootstrap_cluster_role_bindings_json();

}  // namespace ukube::rbac
