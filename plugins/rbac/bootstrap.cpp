#include "bootstrap.h"

#include <spdlog/logger.h>
#include <set>

#include "bootstrap_policy.h"
#include "json_fields.h"
#include "reconcile.h"
#include "ukube/client.h"
#include "ukube/errors.h"
#include "ukube/machinery/policy_rule.h"
#include "ukube/machinery/resources.h"

namespace ukube::rbac {
namespace {

constexpr int kAttempts = 5;

using ReconcileFn = Reconciled (*)(const json::object&, const json::object*);

// `wanted` carries its namespace when it has one; what it is called in the report and the
// log: "clusterrole/admin", "role/kube-system/system:controller:token-cleaner".
void ensure(Client& client, const GroupVersionResource& gvr, const char* kind, const json::object& wanted,
            ReconcileFn reconcile, BootstrapReport& report, spdlog::logger* log) {
  const std::string name = meta_string(wanted, "name");
  const std::string ns = meta_string(wanted, "namespace");
  const std::string what = std::string(kind) + "/" + (ns.empty() ? name : ns + "/" + name);
  for (int attempt = 1;; ++attempt) {
    try {
      ObjectPtr existing;
      try {
        existing = client.get(gvr, ns, name);
      } catch (const ApiError& e) {
        if (!is_not_found(e)) throw;
      }
      Reconciled r = reconcile(wanted, existing.get());
      switch (r.action) {
        case Reconciled::Action::None: return;
        case Reconciled::Action::Protected:
          if (log)
            log->info("skipped reconcile-protected {} (its {} annotation is \"false\")", what,
                      kAutoUpdateAnnotation);
          report.protected_.push_back(what);
          return;
        case Reconciled::Action::Create:
          client.create(gvr, ns, r.object);
          if (log) log->debug("created {}", what);  // the plugin logs the totals
          report.created.push_back(what);
          return;
        case Reconciled::Action::Update:
          client.update(gvr, ns, r.object);
          if (log) log->debug("updated {} with missing bootstrap content", what);
          report.updated.push_back(what);
          return;
        case Reconciled::Action::Recreate:
          client.remove(gvr, ns, name);
          client.create(gvr, ns, r.object);
          if (log) log->info("recreated {}: its roleRef differed from the default", what);
          report.recreated.push_back(what);
          return;
      }
    } catch (const ApiError& e) {
      // Someone else wrote in between: read again and reconsider.
      bool raced = is_conflict(e) || is_already_exists(e) || is_not_found(e);
      if (!raced || attempt == kAttempts) throw;
    }
  }
}

// Upstream creates a namespace its bootstrap roles need when it is missing (kube-public
// on a cluster whose types plugin has not made it yet).
void ensure_bootstrap_namespace(Client& client, const std::string& ns, spdlog::logger* log) {
  try {
    client.get(machinery::kNamespaces, "", ns);
    return;
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  try {
    client.create(machinery::kNamespaces, "",
                  json::object{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
    if (log) log->info("created namespace {} for the bootstrap roles in it", ns);
  } catch (const ApiError& e) {
    if (!is_already_exists(e)) throw;
  }
}

}  // namespace

BootstrapReport ensure_bootstrap_policy(Client& client, spdlog::logger* log) {
  BootstrapReport report;
  for (const auto& role : bootstrap_cluster_roles())
    ensure(client, kClusterRoles, "clusterrole", role, reconcile_cluster_role, report, log);
  for (const auto& binding : bootstrap_cluster_role_bindings())
    ensure(client, kClusterRoleBindings, "clusterrolebinding", binding, reconcile_cluster_role_binding,
           report, log);
  // A role and its binding reconcile as a cluster role and its binding do (a role has no
  // aggregation rule; a binding's roleRef still cannot change).
  std::set<std::string> namespaces;
  for (const auto* objects : {&bootstrap_roles(), &bootstrap_role_bindings()})
    for (const auto& o : *objects) namespaces.insert(meta_string(o, "namespace"));
  for (const auto& ns : namespaces) ensure_bootstrap_namespace(client, ns, log);
  for (const auto& role : bootstrap_roles())
    ensure(client, kRoles, "role", role, reconcile_cluster_role, report, log);
  for (const auto& binding : bootstrap_role_bindings())
    ensure(client, kRoleBindings, "rolebinding", binding, reconcile_cluster_role_binding, report, log);
  return report;
}

}  // namespace ukube::rbac
