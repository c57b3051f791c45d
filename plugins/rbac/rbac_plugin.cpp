#include "rbac_plugin.h"

#include <spdlog/logger.h>
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "rbac_authorizer.h"
#include "ukube/auth.h"
#include "ukube/controller/informers.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/identities.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/policy_rule.h"
#include "ukube/types.h"

namespace ukube::rbac {
namespace {

constexpr auto kSyncTimeout = std::chrono::seconds(60);

const GroupVersionResource kPolicyResources[] = {kRoles, kClusterRoles, kRoleBindings, kClusterRoleBindings};

int64_t revision_of(const std::string& resource_version) {
  return resource_version.empty() ? 0 : std::strtoll(resource_version.c_str(), nullptr, 10);
}

}  // namespace

RbacPlugin::~RbacPlugin() {
  stop();
  // The authorizer's code lives in this library, which may be unloaded once we are gone.
  if (auth_) auth_->remove(uri_);
}

void RbacPlugin::init(InitContext& ctx) {
  uri_ = ctx.uri();
  log_ = ctx.logger();
  for (const auto& gvr : kPolicyResources)
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
  for (size_t i = 0; i < std::size(kinds); ++i) {
    const auto& [kind, gvr] = kinds[i];
    auto informer = ctx.informers().informer(gvr);
    // Each event is in the index before its revision counts as seen.
    auto put = [index = index_.get(), kind, seen = &indexed_revision_[i]](const ObjectPtr& o) {
      index->put(kind, *o);
      const int64_t revision = revision_of(machinery::meta_string(*o, "resourceVersion"));
      if (revision > seen->load()) seen->store(revision);
    };
    registrations_.push_back(informer->add_handlers(
        {put, [put](const ObjectPtr&, const ObjectPtr& o) { put(o); },
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
  if (report_.writes() > 0) wait_for_policy_written();
  aggregation_->start();
  if (log_) log_->info("RBAC authorizer ready: {} bindings", index_->binding_count());
}

// The shared informers may have made their first lists before the bootstrap policy was
// written, so being synced does not mean holding it: wait until the index holds the newest
// object of each kind, so no component that starts after us is refused.
void RbacPlugin::wait_for_policy_written() {
  const auto deadline = std::chrono::steady_clock::now() + kSyncTimeout;
  for (size_t i = 0; i < informers_.size(); ++i) {
    int64_t newest = 0;
    for (const auto& item : client_->list(kPolicyResources[i], "").items)
      newest = std::max(newest, revision_of(machinery::meta_string(*item, "resourceVersion")));
    while (indexed_revision_[i].load() < newest) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("the RBAC caches did not see the bootstrap policy within " +
                                 std::to_string(kSyncTimeout.count()) + "s; requests would be refused");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
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
