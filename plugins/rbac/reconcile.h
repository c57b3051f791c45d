#pragma once

#include <boost/json.hpp>

// How a bootstrap object is brought into an existing cluster, as upstream's reconcile
// does at API server start: only ever adds (labels, annotations, rules, aggregation
// selectors, subjects), never takes away, and leaves alone any object annotated
// rbac.authorization.kubernetes.io/autoupdate=false.
namespace ukube::rbac {

struct Reconciled {
  enum class Action {
    None,       // already as wanted
    Create,     // missing
    Update,     // write `object` over the existing one
    Recreate,   // a binding's roleRef differs and cannot change: delete, then create `object`
    Protected,  // would change, but its owner opted out of updates
  } action = Action::None;
  boost::json::object object;
};

// `existing` is null when the object does not exist. They serve namespaced Roles and
// RoleBindings as well: a Role has no aggregation rule, a RoleBinding's roleRef is as fixed.
Reconciled reconcile_cluster_role(const boost::json::object& wanted, const boost::json::object* existing);
Reconciled reconcile_cluster_role_binding(const boost::json::object& wanted,
                                          const boost::json::object* existing);

}  // namespace ukube::rbac
