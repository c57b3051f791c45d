#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "common/time.h"
#include "registry.h"
#include "tests/support/test_kernel.h"

// A real kernel (store, bus, registry, pipeline) with the built-in types registered in
// place of the kernel tests' stand-ins, and small helpers to write tests compactly.
namespace ukube::builtin::testing {

namespace json = boost::json;

inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kNamespaces{"", "v1", "namespaces"};
inline const GroupVersionResource kServices{"", "v1", "services"};
inline const GroupVersionResource kServiceCIDRs{"networking.k8s.io", "v1", "servicecidrs"};
inline const GroupVersionResource kIPAddresses{"networking.k8s.io", "v1", "ipaddresses"};
inline const GroupVersionResource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies"};
inline const GroupVersionResource kNodes{"", "v1", "nodes"};
inline const GroupVersionResource kSecrets{"", "v1", "secrets"};
inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};
inline const GroupVersionResource kEvents{"", "v1", "events"};
inline const GroupVersionResource kDeployments{"apps", "v1", "deployments"};
inline const GroupVersionResource kStatefulSets{"apps", "v1", "statefulsets"};
inline const GroupVersionResource kDaemonSets{"apps", "v1", "daemonsets"};
inline const GroupVersionResource kReplicaSets{"apps", "v1", "replicasets"};
inline const GroupVersionResource kJobs{"batch", "v1", "jobs"};
inline const GroupVersionResource kCronJobs{"batch", "v1", "cronjobs"};
inline const GroupVersionResource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
inline const GroupVersionResource kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};

inline json::object parse(std::string_view text) {
  return json::parse(text).as_object();
}

// Removes the kernel tests' stand-ins for built-in types (configmaps, deployments, ...).
inline void remove_stand_ins(TypeRegistry& types) {
  for (const auto& t : builtin_types()) types.remove(t.gvr());
}

class BuiltinKernel {
 public:
  // With namespaces registered the kernel requires them to exist: create "default".
  BuiltinKernel() {
    remove_stand_ins(kernel_.types());
    register_builtin_types(kernel_.types());
    client_ = kernel_.client();
    client_->create({"", "v1", "namespaces"}, "", parse(R"({"metadata":{"name":"default"}})"));
  }
  Client& client() { return *client_; }
  const std::shared_ptr<Client>& shared_client() const { return client_; }
  TypeRegistry& types() { return kernel_.types(); }
  TypeInfoPtr type(const GroupVersionResource& gvr) { return kernel_.types().find(gvr); }

 private:
  ukube::testing::TestKernel kernel_;
  std::shared_ptr<Client> client_;
};

// The ApiError `f` throws; a test failure when it throws none.
template <class F>
ApiError expect_api_error(F&& f) {
  return ukube::testing::expect_error(std::forward<F>(f));
}

// A value at a dotted path ("spec.template.spec.restartPolicy"), or null.
inline json::value at(const json::object& o, std::string_view dotted) {
  const json::value* cur = nullptr;
  const json::object* obj = &o;
  while (!dotted.empty()) {
    auto dot = dotted.find('.');
    std::string_view key = dotted.substr(0, dot);
    if (!obj) return nullptr;
    cur = obj->if_contains(key);
    if (!cur) return nullptr;
    obj = cur->if_object();
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return cur ? *cur : json::value();
}

// The sub-schema at `path` of an object schema; "[]" steps into a list's items.
inline const json::object& schema_node(const json::object& schema,
                                       std::initializer_list<std::string_view> path) {
  const json::object* cur = &schema;
  for (auto step : path)
    cur = step == "[]" ? &cur->at("items").as_object() : &cur->at("properties").at(step).as_object();
  return *cur;
}

// The type of `plural` in `group` among `all`; throws when there is none.
inline const TypeInfo& find_type(const std::vector<TypeInfo>& all, std::string_view plural,
                                 std::string_view group = "") {
  for (const auto& t : all)
    if (t.plural == plural && t.group == group) return t;
  throw std::runtime_error("missing type " + std::string(plural));
}

// An RFC 3339 timestamp `ago` before now.
inline std::string ago(std::chrono::seconds ago) {
  return format_time(Clock::now() - ago);
}

}  // namespace ukube::builtin::testing
