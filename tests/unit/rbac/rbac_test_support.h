#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "rbac/rbac_plugin.h"
#include "registry.h"
#include "tests/support/eventually.h"
#include "tests/support/plugin_context.h"
#include "tests/support/test_kernel.h"
#include "tests/unit/builtin-types/builtin_test_support.h"
#include "ukube/auth.h"
#include "ukube/client.h"
#include "ukube/machinery/policy_rule.h"

// Builders for RBAC objects and requests, and a real kernel with the built-in types in
// which the RBAC plugin can be started and restarted.
namespace ukube::rbac::testing {

namespace json = boost::json;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

inline json::array strings(const Strings& list) {
  return json::array(list.begin(), list.end());
}

inline json::object rule(const Strings& verbs, const Strings& groups, const Strings& resources,
                         const Strings& names = {}) {
  json::object r{
      {"verbs", strings(verbs)}, {"apiGroups", strings(groups)}, {"resources", strings(resources)}};
  if (!names.empty()) r["resourceNames"] = strings(names);
  return r;
}

inline json::object url_rule(const Strings& verbs, const Strings& urls) {
  return json::object{{"verbs", strings(verbs)}, {"nonResourceURLs", strings(urls)}};
}

inline json::object metadata(const std::string& ns, const std::string& name, json::object labels = {}) {
  json::object meta{{"name", name}};
  if (!ns.empty()) meta["namespace"] = ns;
  if (!labels.empty()) meta["labels"] = std::move(labels);
  return meta;
}

inline json::object cluster_role(const std::string& name, json::array rules, json::object labels = {}) {
  return json::object{{"apiVersion", "rbac.authorization.k8s.io/v1"},
                      {"kind", "ClusterRole"},
                      {"metadata", metadata("", name, std::move(labels))},
                      {"rules", std::move(rules)}};
}

inline json::object role(const std::string& ns, const std::string& name, json::array rules) {
  return json::object{{"apiVersion", "rbac.authorization.k8s.io/v1"},
                      {"kind", "Role"},
                      {"metadata", metadata(ns, name)},
                      {"rules", std::move(rules)}};
}

inline json::object user(const std::string& name) {
  return json::object{{"kind", "User"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", name}};
}
inline json::object group(const std::string& name) {
  return json::object{{"kind", "Group"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", name}};
}
inline json::object service_account(const std::string& name, const std::string& ns = "") {
  json::object s{{"kind", "ServiceAccount"}, {"apiGroup", ""}, {"name", name}};
  if (!ns.empty()) s["namespace"] = ns;
  return s;
}

inline json::object role_binding(const std::string& ns, const std::string& name, const std::string& role_kind,
                                 const std::string& role_name, json::array subjects) {
  return json::object{
      {"apiVersion", "rbac.authorization.k8s.io/v1"},
      {"kind", "RoleBinding"},
      {"metadata", metadata(ns, name)},
      {"roleRef",
       json::object{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", role_kind}, {"name", role_name}}},
      {"subjects", std::move(subjects)}};
}

inline json::object cluster_role_binding(const std::string& name, const std::string& role_name,
                                         json::array subjects) {
  json::object b = role_binding("", name, "ClusterRole", role_name, std::move(subjects));
  b["kind"] = "ClusterRoleBinding";
  return b;
}

inline UserInfo person(const std::string& name, Strings groups = {"system:authenticated"}) {
  return UserInfo{name, "", std::move(groups), {}};
}

inline RequestAttributes resource_request(const UserInfo& who, const std::string& verb,
                                          const std::string& group, const std::string& resource,
                                          const std::string& ns, const std::string& name = "",
                                          const std::string& subresource = "") {
  RequestAttributes a;
  a.user = who;
  a.verb = verb;
  a.api_group = group;
  a.api_version = "v1";
  a.resource = resource;
  a.subresource = subresource;
  a.namespace_ = ns;
  a.name = name;
  return a;
}

inline RequestAttributes url_request(const UserInfo& who, const std::string& verb, const std::string& path) {
  RequestAttributes a;
  a.user = who;
  a.verb = verb;
  a.resource_request = false;
  a.path = path;
  return a;
}

using ukube::testing::eventually;

// A kernel with the built-in types and a few namespaces; the RBAC plugin is started on
// demand and can be restarted over the same store.
class RbacKernel {
 public:
  RbacKernel() {
    builtin::testing::remove_stand_ins(kernel_.types());
    builtin::register_builtin_types(kernel_.types());
    admin_ = kernel_.client();
    for (const char* ns : {"default", "kube-system", "team-a", "team-b"})
      admin_->create(ukube::testing::kNamespaces, "",
                     json::object{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  }
  ~RbacKernel() { stop_plugin(); }

  RbacPlugin& start_plugin() {
    stop_plugin();
    plugin_ = std::make_unique<RbacPlugin>();
    plugin_->init(context_);
    plugin_->start();
    return *plugin_;
  }
  void stop_plugin() {
    if (!plugin_) return;
    plugin_->stop();
    plugin_.reset();
  }
  RbacPlugin& plugin() { return *plugin_; }

  Client& admin() { return *admin_; }
  std::shared_ptr<Client> client(const UserInfo& who) { return kernel_.client(who); }
  ukube::testing::TestKernel& kernel() { return kernel_; }

  // Waits until the aggregation controller has caught up with every change it has seen.
  bool aggregation_settled() {
    return eventually([&] { return plugin_->aggregation().idle(); });
  }

 private:
  ukube::testing::TestKernel kernel_;
  ukube::testing::PluginContext context_{kernel_, "ukube.authorizer.v1.rbac"};
  std::shared_ptr<Client> admin_;
  std::unique_ptr<RbacPlugin> plugin_;
};

}  // namespace ukube::rbac::testing
