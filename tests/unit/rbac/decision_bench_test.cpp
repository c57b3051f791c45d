// How long one decision takes over a policy of realistic size. Prints its figures and
// asserts only the decisions, never the time.
#include <chrono>
#include <cstdio>

#include "rbac/policy_index.h"
#include "rbac/rbac_authorizer.h"
#include "rbac_test_support.h"

namespace ukube::rbac::testing {
namespace {

constexpr int kNamespaces = 500;
constexpr int kBindingsPerNamespace = 10;
constexpr int kClusterBindings = 300;

std::shared_ptr<PolicyIndex> large_policy() {
  auto index = std::make_shared<PolicyIndex>();
  index->put(RbacKind::ClusterRole,
             cluster_role("edit-ish",
                          {rule({"get", "list", "watch"}, {"", "apps"}, {"pods", "services", "deployments"}),
                           rule({"create", "update", "patch", "delete"}, {""}, {"configmaps", "secrets"}),
                           rule({"patch"}, {"apps"}, {"*/scale"})}));
  for (int c = 0; c < kClusterBindings; ++c) {
    std::string role = "cluster-role-" + std::to_string(c);
    index->put(RbacKind::ClusterRole,
               cluster_role(role, {rule({"get"}, {"example.com"}, {"things" + std::to_string(c)})}));
    index->put(RbacKind::ClusterRoleBinding, cluster_role_binding("crb-" + std::to_string(c), role,
                                                                  {user("cluster-user-" + std::to_string(c)),
                                                                   group("group-" + std::to_string(c))}));
  }
  for (int n = 0; n < kNamespaces; ++n) {
    std::string ns = "ns-" + std::to_string(n);
    for (int b = 0; b < kBindingsPerNamespace; ++b)
      index->put(RbacKind::RoleBinding, role_binding(ns, "rb-" + std::to_string(b), "ClusterRole", "edit-ish",
                                                     {user("user-" + std::to_string(b)),
                                                      service_account("sa-" + std::to_string(b))}));
  }
  return index;
}

template <class F>
double ns_per_call(int iterations, F&& f) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f(i);
  auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration<double, std::nano>(elapsed).count() / iterations;
}

TEST(DecisionBench, PrintsNanosecondsPerDecision) {
  RbacAuthorizer authorizer(large_policy());
  const int n = 200000;
  const auto allow = AuthzResult::Decision::Allow;
  const UserInfo bound = person("user-7", {"system:authenticated", "group-12", "group-250"});
  const UserInfo stranger = person("nobody", {"system:authenticated", "devs", "ops"});

  struct Scenario {
    const char* name;
    RequestAttributes request;
    bool allowed;
  } scenarios[] = {
      {"allow via role binding", resource_request(bound, "list", "", "pods", "ns-321"), true},
      {"allow via role binding subresource",
       resource_request(bound, "patch", "apps", "deployments", "ns-3", "d", "scale"), true},
      {"allow via cluster binding group",
       resource_request(bound, "get", "example.com", "things250", "ns-1", "t"), true},
      {"deny, bound user, wrong verb", resource_request(bound, "escalate", "", "pods", "ns-321", "p"), false},
      {"deny, unbound user", resource_request(stranger, "list", "", "pods", "ns-321"), false},
      {"system:masters", resource_request(person("root", {"system:masters"}), "list", "", "pods", "ns-1"),
       true},
  };
  std::printf("policy: %d namespaces x %d role bindings, %d cluster role bindings\n", kNamespaces,
              kBindingsPerNamespace, kClusterBindings);
  for (const auto& s : scenarios) {
    ASSERT_EQ(authorizer.authorize(s.request).decision == allow, s.allowed) << s.name;
    int allowed = 0;
    double ns = ns_per_call(n, [&](int) { allowed += authorizer.authorize(s.request).decision == allow; });
    EXPECT_EQ(allowed, s.allowed ? n : 0);
    std::printf("  %-40s %8.1f ns/decision\n", s.name, ns);
  }
}

}  // namespace
}  // namespace ukube::rbac::testing
