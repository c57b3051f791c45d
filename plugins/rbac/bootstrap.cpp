#include "bootstrap.h"

#include <spdlog/logger.h>

#include "bootstrap_policy.h"
#include "json_fields.h"
#include "reconcile.h"
#include "ukube/client.h"
#include "ukube/errors.h"
#include "ukube/machinery/policy_rule.h"

namespace ukube::rbac {
namespace {

constexpr int kAttempts = 5;

using ReconcileFn = Reconciled (*)(const json::object&, const json::object*);

void ensure(Client& client, const GroupVersionResource& gvr, const char* kind, const json::object& wanted,
            ReconcileFn reconcile, BootstrapReport& report, spdlog::logger* log) {
  const std::string name = meta_string(wanted, "name");
  const std::string what = std::string(kind) + "/" + name;
  for (int attempt = 1;; ++attempt) {
    try {
      ObjectPtr existing;
      try {
        existing = client.get(gvr, "", name);
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
          client.create(gvr, "", r.object);
          if (log) log->info("created {}", what);
          report.created.push_back(what);
          return;
        case Reconciled::Action::Update:
          client.update(gvr, "", r.object);
          if (log) log->info("updated {} with missing bootstrap content", what);
          report.updated.push_back(what);
          return;
        case Reconciled::Action::Recreate:
          client.remove(gvr, "", name);
          client.create(gvr, "", r.object);
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

}  // namespace

BootstrapReport ensure_bootstrap_policy(Client& client, spdlog::logger* log) {
  BootstrapReport report;
  for (const auto& role : bootstrap_cluster_roles())
    ensure(client, kClusterRoles, "clusterrole", role, reconcile_cluster_role, report, log);
  for (const auto& binding : bootstrap_cluster_role_bindings())
    ensure(client, kClusterRoleBindings, "clusterrolebinding", binding, reconcile_cluster_role_binding,
           report, log);
  return report;
}

}  // namespace ukube::rbac
