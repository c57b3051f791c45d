#include "rbac_plugin.h"

#include <spdlog/logger.h>
#include <boost/json.hpp>
#include <stdexcept>

#include "rbac_authorizer.h"
#include "ukube/auth.h"
#include "ukube/controller/informers.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/identities.h"
#include "ukube/machinery/policy_rule.h"
#include "ukube/types.h"

namespace ukube::rbac {
namespace {

constexpr auto kSyncTimeout = std::chrono::seconds(60);

}  // namespace

RbacPlugin::~RbacPlugin() {
  stop();
  // The authorizer's code lives in this library, which may be unloaded once we are gone.
  if (auth_) auth_->remove(uri_);
}

void RbacPlugin::init(InitContext& ctx) {
  uri_ = ctx.uri();
  log_ = ctx.logger();
  for (const auto& gvr : {kRoles, kClusterRoles, kRoleBindings, kClusterRoleBindings})
    if (!ctx.types().find(gvr))
      throw std::runtime_error("the RBAC type " + gvr.to_string() +
                               " is not registered; enable ukube.types.v1.builtin in the config");

  client_ = ctx.client(machinery::apiserver_identity());
  index_ = std::make_shared<PolicyIndex>();
  const std::pair<RbacKind, GroupVersionResource> kinds[] = {
      {RbacKind::Role, kRoles},
      {RbacKind::ClusterRole, kClusterRoles},
      {RbacKind::RoleBinding, kRoleBindings},
      {RbacKind::ClusterRoleBinding, kClusterRoleBindings}};
  for (const auto& [kind, gvr] : kinds) {
    auto informer = ctx.informers().informer(gvr);
    registrations_.push_back(informer->add_handlers(
        {[index = index_.get(), kind](const ObjectPtr& o) { index->put(kind, *o); },
         [index = index_.get(), kind](const ObjectPtr&, const ObjectPtr& o) { index->put(kind, *o); },
         [index = index_.get(), kind](const ObjectPtr& o) { index->remove(kind, *o); }}));
    if (kind == RbacKind::ClusterRole) {
      aggregation_ = std::make_unique<AggregationController>(client_, *informer, log_);
      registrations_.push_back(informer->add_handlers(aggregation_->handlers()));
    }
    informers_.push_back(std::move(informer));
  }

  auth_ = &ctx.auth();
  auth_->add_authorizer(uri_, std::make_shared<RbacAuthorizer>(index_));
}

void RbacPlugin::start() {
  report_ = ensure_bootstrap_policy(*client_, log_.get());
  if (log_)
    log_->info("bootstrap policy: {} created, {} updated, {} recreated, {} left alone (autoupdate=false)",
               report_.created.size(), report_.updated.size(), report_.recreated.size(),
               report_.protected_.size());
  std::vector<const Informer*> all;
  for (auto& informer : informers_) all.push_back(informer.get());
  controller::wait_for_sync(all, kSyncTimeout, "the RBAC objects", "requests would be refused");
  aggregation_->start();
  if (log_) log_->info("RBAC authorizer ready: {} bindings", index_->binding_count());
}

void RbacPlugin::stop() {
  // The shared informers run on for other plugins; ours stop calling us.
  registrations_.clear();
  if (aggregation_) aggregation_->stop();
}

bool RbacPlugin::synced() const {
  for (const auto& informer : informers_)
    if (!informer->has_synced()) return false;
  return !informers_.empty();
}

}  // namespace ukube::rbac
