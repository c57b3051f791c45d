// The authorizer in a real kernel: requests through LocalClient are refused with
// upstream's message until a binding grants them, and only where it grants them.
#include "rbac_test_support.h"
#include "ukube/errors.h"

namespace ukube::rbac::testing {
namespace {

const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

json::object configmap(const std::string& name) {
  return json::object{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}};
}

template <class F>
bool refused(F&& f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e.code() == 403;
  }
  return false;
}

TEST(KernelAuthorization, AliceIsRefusedUntilARoleBindingGrantsEditInOneNamespace) {
  RbacKernel k;
  k.start_plugin();
  auto alice = k.client(person("alice"));

  ApiError e = ukube::testing::expect_error([&] { alice->list(kConfigMaps, "team-a"); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_STREQ(
      e.what(),
      "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the "
      "namespace \"team-a\"");
  e = ukube::testing::expect_error([&] { alice->get(kClusterRoles, "", "edit"); });
  EXPECT_STREQ(
      e.what(),
      "clusterroles.rbac.authorization.k8s.io \"edit\" is forbidden: User \"alice\" cannot get resource "
      "\"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope");

  k.admin().create(kRoleBindings, "team-a",
                   role_binding("team-a", "alice-edit", "ClusterRole", "edit", {user("alice")}));
  ASSERT_TRUE(eventually([&] { return !refused([&] { alice->list(kConfigMaps, "team-a"); }); }));
  EXPECT_NO_THROW(alice->create(kConfigMaps, "team-a", configmap("mine")));
  EXPECT_NO_THROW(alice->remove(kConfigMaps, "team-a", "mine"));

  // Nowhere else, and not the RBAC objects themselves: edit does not include them.
  e = ukube::testing::expect_error([&] { alice->list(kConfigMaps, "team-b"); });
  EXPECT_STREQ(
      e.what(),
      "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the "
      "namespace \"team-b\"");
  EXPECT_TRUE(refused([&] { alice->list(kConfigMaps, ""); }));
  EXPECT_TRUE(refused([&] {
    alice->create(kRoleBindings, "team-a",
                  role_binding("team-a", "x", "ClusterRole", "admin", {user("alice")}));
  }));

  // Taking the binding away takes the access away.
  k.admin().remove(kRoleBindings, "team-a", "alice-edit");
  EXPECT_TRUE(eventually([&] { return refused([&] { alice->list(kConfigMaps, "team-a"); }); }));
}

TEST(KernelAuthorization, BindingToAMissingRoleIsExplainedInTheRefusal) {
  RbacKernel k;
  k.start_plugin();
  k.admin().create(kRoleBindings, "team-a",
                   role_binding("team-a", "oops", "Role", "not-there", {user("alice")}));
  auto alice = k.client(person("alice"));
  const std::string expected =
      "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the "
      "namespace \"team-a\": RBAC: role.rbac.authorization.k8s.io \"not-there\" not found";
  EXPECT_TRUE(eventually([&] {
    try {
      alice->list(kConfigMaps, "team-a");
    } catch (const ApiError& e) {
      return e.what() == expected;
    }
    return false;
  }));
}

TEST(KernelAuthorization, SystemComponentsGetTheirDefaultBindings) {
  RbacKernel k;
  k.start_plugin();
  auto scheduler = k.client(person("system:kube-scheduler"));
  EXPECT_NO_THROW(scheduler->list({"", "v1", "nodes"}, ""));
  EXPECT_NO_THROW(scheduler->list({"", "v1", "pods"}, ""));
  EXPECT_TRUE(refused([&] { scheduler->list({"", "v1", "secrets"}, ""); }));
  auto controllers = k.client(person("system:kube-controller-manager"));
  EXPECT_NO_THROW(controllers->list({"", "v1", "secrets"}, ""));  // list/watch on everything
  EXPECT_TRUE(refused([&] { controllers->create(kConfigMaps, "default", configmap("x")); }));
  auto root = k.client(ukube::testing::test_admin());
  EXPECT_NO_THROW(root->create(kConfigMaps, "default", configmap("x")));
}

}  // namespace
}  // namespace ukube::rbac::testing
