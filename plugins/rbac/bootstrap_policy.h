#pragma once

#include <string_view>
#include <vector>

#include <boost/json.hpp>

// The policy a fresh cluster starts with: upstream's default cluster roles and cluster
// role bindings (its controllers' roles among them) and the roles and role bindings it
// keeps in kube-system and kube-public for its controllers, as complete objects ready to
// create.
namespace ukube::rbac {

inline constexpr std::string_view kAutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
inline constexpr std::string_view kBootstrappingLabel = "kubernetes.io/bootstrapping";
// A controller's role is named after its ServiceAccount in kube-system:
// system:controller:<name> is bound to system:serviceaccount:kube-system:<name>.
inline constexpr std::string_view kControllerRolePrefix = "system:controller:";
inline constexpr std::string_view kControllerNamespace = "kube-system";

const std::vector<boost::json::object>& bootstrap_cluster_roles();
const std::vector<boost::json::object>& bootstrap_cluster_role_bindings();
// Namespaced: each object carries metadata.namespace.
const std::vector<boost::json::object>& bootstrap_roles();
const std::vector<boost::json::object>& bootstrap_role_bindings();

// The data the objects are built from (bootstrap_data.cpp). Each controller role also
// gets a cluster role binding of its own name to its ServiceAccount.
std::string_view bootstrap_cluster_roles_json();
std::string_view bootstrap_cluster_role_bindings_json();
std::string_view bootstrap_controller_roles_json();
std::string_view bootstrap_roles_json();
std::string_view bootstrap_role_bindings_json();

}  // namespace ukube::rbac
