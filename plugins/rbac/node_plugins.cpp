#include "node_plugins.h"

#include <boost/json.hpp>
#include <stdexcept>

#include "json_fields.h"
#include "node_restriction.h"
#include "rbac_authorizer.h"
#include "rbac_resources.h"
#include "ukube/auth.h"

namespace ukube::rbac {
namespace {

constexpr auto kSyncTimeout = std::chrono::seconds(60);
const GroupVersionResource kPods{"", "v1", "pods"};
const GroupVersionResource kNodes{"", "v1", "nodes"};
const GroupVersionResource kClaims{"", "v1", "persistentvolumeclaims"};

// The API server's own view: these plugins read every pod and node to judge kubelets.
UserInfo loopback_identity() {
  return UserInfo{"system:apiserver", "", {kMastersGroup}, {}};
}

void wait_for(const std::vector<Informer*>& informers, const char* what) {
  for (auto* informer : informers)
    if (!informer->wait_for_sync(kSyncTimeout))
      throw std::runtime_error(std::string("could not list ") + what + " within " +
                               std::to_string(kSyncTimeout.count()) + "s");
}

}  // namespace

NodeAuthorizerPlugin::~NodeAuthorizerPlugin() {
  stop();
  if (auth_) auth_->remove(uri_);
}

void NodeAuthorizerPlugin::init(InitContext& ctx) {
  uri_ = ctx.uri();
  auto client = ctx.client(loopback_identity());
  graph_ = std::make_shared<NodeGraph>();
  rules_ = std::make_shared<NodeRules>();
  auto pods = std::make_unique<Informer>(client, kPods);
  pods->add_handlers({[g = graph_.get()](const ObjectPtr& o) { g->put_pod(*o); },
                      [g = graph_.get()](const ObjectPtr&, const ObjectPtr& o) { g->put_pod(*o); },
                      [g = graph_.get()](const ObjectPtr& o) { g->remove_pod(*o); }});
  auto claims = std::make_unique<Informer>(client, kClaims);
  claims->add_handlers({[g = graph_.get()](const ObjectPtr& o) { g->put_claim(*o); },
                        [g = graph_.get()](const ObjectPtr&, const ObjectPtr& o) { g->put_claim(*o); },
                        [g = graph_.get()](const ObjectPtr& o) { g->remove_claim(*o); }});
  auto roles = std::make_unique<Informer>(client, kClusterRoles);
  auto set_rules = [r = rules_.get()](const ObjectPtr& o) {
    if (meta_string(*o, "name") == "system:node") r->set(parse_rules(*o));
  };
  roles->add_handlers({set_rules, [set_rules](const ObjectPtr&, const ObjectPtr& o) { set_rules(o); },
                       [r = rules_.get()](const ObjectPtr& o) {
                         if (meta_string(*o, "name") == "system:node") r->set({});
                       }});
  informers_.push_back(std::move(pods));
  informers_.push_back(std::move(claims));
  informers_.push_back(std::move(roles));
  auth_ = &ctx.auth();
  auth_->add_authorizer(uri_, std::make_shared<NodeAuthorizer>(graph_, rules_));
}

void NodeAuthorizerPlugin::start() {
  std::vector<Informer*> all;
  for (auto& informer : informers_) {
    informer->start();
    all.push_back(informer.get());
  }
  wait_for(all, "pods, claims and cluster roles for the Node authorizer");
}

void NodeAuthorizerPlugin::stop() {
  for (auto& informer : informers_) informer->stop();
}

NodeRestrictionPlugin::~NodeRestrictionPlugin() {
  stop();
  if (auth_) auth_->remove(uri_);
}

void NodeRestrictionPlugin::init(InitContext& ctx) {
  uri_ = ctx.uri();
  auto client = ctx.client(loopback_identity());
  pods_ = std::make_unique<Informer>(client, kPods);
  nodes_ = std::make_unique<Informer>(client, kNodes);
  auto pod_on = [pods = pods_.get()](
                    const std::string& ns,
                    const std::string& name) -> std::optional<std::pair<std::string, std::string>> {
    ObjectPtr pod = pods->get(ns + "/" + name);
    if (!pod) return std::nullopt;
    const auto* spec = object_at(*pod, {"spec"});
    return std::make_pair(spec ? string_at(*spec, {"nodeName"}) : std::string(), meta_string(*pod, "uid"));
  };
  auto node_uid = [nodes = nodes_.get()](const std::string& name) -> std::optional<std::string> {
    ObjectPtr node = nodes->get(name);
    if (!node) return std::nullopt;
    return meta_string(*node, "uid");
  };
  auth_ = &ctx.auth();
  auth_->add_admission(uri_, std::make_shared<NodeRestriction>(pod_on, node_uid));
}

void NodeRestrictionPlugin::start() {
  pods_->start();
  nodes_->start();
  wait_for({pods_.get(), nodes_.get()}, "pods and nodes for NodeRestriction");
}

void NodeRestrictionPlugin::stop() {
  if (pods_) pods_->stop();
  if (nodes_) nodes_->stop();
}

}  // namespace ukube::rbac
