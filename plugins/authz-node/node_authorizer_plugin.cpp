#include "node_authorizer_plugin.h"

#include <boost/json.hpp>
#include <stdexcept>

#include "ukube/auth.h"
#include "ukube/controller/informers.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/policy_rule.h"
#include "ukube/machinery/resources.h"

namespace ukube::rbac {
namespace {

constexpr auto kSyncTimeout = std::chrono::seconds(60);
using machinery::kPods;

}  // namespace

NodeAuthorizerPlugin::~NodeAuthorizerPlugin() {
  stop();
  if (auth_) auth_->remove(uri_);
}

void NodeAuthorizerPlugin::init(InitContext& ctx) {
  uri_ = ctx.uri();
  graph_ = std::make_shared<NodeGraph>();
  rules_ = std::make_shared<NodeRules>();
  auto pods = ctx.informers().informer(kPods);
  registrations_.push_back(
      pods->add_handlers({[g = graph_.get()](const ObjectPtr& o) { g->put_pod(*o); },
                          [g = graph_.get()](const ObjectPtr&, const ObjectPtr& o) { g->put_pod(*o); },
                          [g = graph_.get()](const ObjectPtr& o) { g->remove_pod(*o); }}));
  auto claims = ctx.informers().informer(machinery::kPersistentVolumeClaims);
  registrations_.push_back(
      claims->add_handlers({[g = graph_.get()](const ObjectPtr& o) { g->put_claim(*o); },
                            [g = graph_.get()](const ObjectPtr&, const ObjectPtr& o) { g->put_claim(*o); },
                            [g = graph_.get()](const ObjectPtr& o) { g->remove_claim(*o); }}));
  auto roles = ctx.informers().informer(kClusterRoles);
  auto set_rules = [r = rules_.get()](const ObjectPtr& o) {
    if (machinery::meta_string(*o, "name") == "system:node") r->set(parse_rules(*o));
  };
  registrations_.push_back(
      roles->add_handlers({set_rules, [set_rules](const ObjectPtr&, const ObjectPtr& o) { set_rules(o); },
                           [r = rules_.get()](const ObjectPtr& o) {
                             if (machinery::meta_string(*o, "name") == "system:node") r->set({});
                           }}));
  informers_ = {std::move(pods), std::move(claims), std::move(roles)};
  auth_ = &ctx.auth();
  auth_->add_authorizer(uri_, std::make_shared<NodeAuthorizer>(graph_, rules_));
}

void NodeAuthorizerPlugin::start() {
  std::vector<const Informer*> all;
  for (auto& informer : informers_) all.push_back(informer.get());
  controller::wait_for_sync(all, kSyncTimeout, "pods, claims and cluster roles for the Node authorizer");
}

void NodeAuthorizerPlugin::stop() {
  // The shared informers run on for other plugins; ours stop calling us.
  registrations_.clear();
}

}  // namespace ukube::rbac
