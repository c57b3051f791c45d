#pragma once

#include "ukube/types.h"

namespace ukube::rbac {

inline const GroupVersionResource kRoles{"rbac.authorization.k8s.io", "v1", "roles"};
inline const GroupVersionResource kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
inline const GroupVersionResource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
inline const GroupVersionResource kClusterRoleBindings{"rbac.authorization.k8s.io", "v1",
                                                       "clusterrolebindings"};

}  // namespace ukube::rbac
