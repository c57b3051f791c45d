#include "node_authorizer.h"

#include <boost/json.hpp>
#include "ukube/machinery/json.h"

#include <mutex>

#include "ukube/machinery/node_identity.h"

namespace ukube::rbac {

namespace json = boost::json;
using namespace machinery;  // the shared JSON accessors
namespace {

AuthzResult allow() {
  return {AuthzResult::Decision::Allow, ""};
}
AuthzResult no_opinion(std::string reason) {
  return {AuthzResult::Decision::NoOpinion, std::move(reason)};
}

bool is(const RequestAttributes& a, std::string_view group, std::string_view resource) {
  return a.api_group == group && a.resource == resource;
}

}  // namespace

void NodeRules::set(std::vector<PolicyRule> rules) {
  std::unique_lock lock(mutex_);
  rules_ = std::move(rules);
}

bool NodeRules::allows(const RequestAttributes& a) const {
  const ResourceRequest request{a.verb, a.api_group, a.resource, a.subresource, a.name};
  std::shared_lock lock(mutex_);
  for (const auto& rule : rules_)
    if (a.resource_request ? allows_resource(rule, request) : allows_non_resource(rule, a.verb, a.path))
      return true;
  return false;
}

AuthzResult NodeAuthorizer::read_related(const std::string& node, NodeObject kind,
                                         const RequestAttributes& a) const {
  if (a.verb != "get" || a.name.empty()) return no_opinion("can only get individual resources of this type");
  if (!a.subresource.empty()) return no_opinion("cannot get subresource " + a.subresource);
  if (graph_->related(node, kind, a.namespace_, a.name)) return allow();
  return no_opinion("no relationship found between node '" + node + "' and this object");
}

AuthzResult NodeAuthorizer::own_object(const std::string& node, const RequestAttributes& a,
                                       const char* what) const {
  static const std::vector<std::string> kVerbs = {"get", "create", "update", "patch", "delete"};
  if (std::find(kVerbs.begin(), kVerbs.end(), a.verb) == kVerbs.end())
    return no_opinion("can only get, create, update, patch, or delete a " + std::string(what));
  if (!a.subresource.empty()) return no_opinion("cannot access subresource " + a.subresource);
  // A create names no object yet; NodeRestriction checks the name in the body.
  if (a.verb != "create" && a.name != node)
    return no_opinion("can only access " + std::string(what) + " with the same name as the requesting node");
  return allow();
}

AuthzResult NodeAuthorizer::authorize(const RequestAttributes& a) {
  auto node = node_name_of(a.user);
  if (!node) return no_opinion("");
  if (node->empty()) return no_opinion("unknown node for user \"" + a.user.name + "\"");
  if (a.resource_request) {
    if (is(a, "", "secrets")) return read_related(*node, NodeObject::Secret, a);
    if (is(a, "", "configmaps")) return read_related(*node, NodeObject::ConfigMap, a);
    if (is(a, "", "persistentvolumes")) return read_related(*node, NodeObject::Volume, a);
    if (is(a, "", "persistentvolumeclaims")) {
      if (a.subresource != "status") return read_related(*node, NodeObject::Claim, a);
      if (a.verb != "update" && a.verb != "patch")
        return no_opinion("can only update or patch a claim's status");
      if (graph_->related(*node, NodeObject::Claim, a.namespace_, a.name)) return allow();
      return no_opinion("no relationship found between node '" + *node + "' and this object");
    }
    if (is(a, "", "serviceaccounts")) {
      if (a.verb != "create" || a.name.empty())
        return no_opinion("can only create tokens for individual service accounts");
      if (a.subresource != "token") return no_opinion("can only create token subresource of serviceaccount");
      if (graph_->related(*node, NodeObject::ServiceAccount, a.namespace_, a.name)) return allow();
      return no_opinion("no relationship found between node '" + *node + "' and this object");
    }
    if (is(a, "coordination.k8s.io", "leases")) {
      if (a.namespace_ != "kube-node-lease")
        return no_opinion("can only access leases in the \"kube-node-lease\" system namespace");
      return own_object(*node, a, "node lease");
    }
    if (is(a, "storage.k8s.io", "csinodes")) return own_object(*node, a, "CSINode");
  }
  if (rules_->allows(a)) return allow();
  return no_opinion("");
}

}  // namespace ukube::rbac
