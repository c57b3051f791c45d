#include "builtin_plugin.h"

#include <spdlog/logger.h>
#include <boost/json.hpp>

#include "core/pod_eviction.h"
#include "groups/reviews.h"
#include "registry.h"
#include "ukube/auth.h"
#include "ukube/client.h"
#include "ukube/errors.h"
#include "ukube/machinery/resources.h"

namespace ukube::builtin {

const std::vector<std::string>& BuiltinTypesPlugin::standard_namespaces() {
  static const std::vector<std::string> names = {"default", "kube-system", "kube-public", "kube-node-lease"};
  return names;
}

void BuiltinTypesPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  registry_ = &ctx.types();
  added_ = register_builtin_types(*registry_);
  // The reviews answer from the auth chains, so they are made with the context.
  for (auto make : {authorization_review_types, authentication_review_types})
    for (auto& t : make(ctx.auth())) {
      GroupVersionResource gvr = t.gvr();
      registry_->add(std::move(t));
      added_.push_back(std::move(gvr));
    }
  // The API server's own identity: namespaces exist before anyone's RBAC does.
  client_ = ctx.client(UserInfo{"system:apiserver", "", {"system:masters"}, {}});
  // Evictions read and write budgets and pods as the API server, whoever asked for them.
  registry_->extend(machinery::kPods,
                    [&](TypeInfo& t) { t.subresource_answers["eviction"] = pod_eviction(client_); });
  if (log_) log_->info("registered {} built-in types", added_.size());
}

void BuiltinTypesPlugin::start() {
  const GroupVersionResource namespaces{"", "v1", "namespaces"};
  for (const auto& name : standard_namespaces()) {
    boost::json::object ns{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
    try {
      client_->create(namespaces, "", ns);
      if (log_) log_->info("created namespace {}", name);
    } catch (const ApiError& e) {
      if (!is_already_exists(e)) throw;
    }
  }
}

void BuiltinTypesPlugin::stop() {
  if (registry_) unregister_builtin_types(*registry_, added_);
  added_.clear();
}

}  // namespace ukube::builtin
