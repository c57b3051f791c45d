// The namespace controller (plugin ukube.controller.v1.namespace) in the real daemon,
// observed with real kubectl: a deleted namespace goes with its content, and one whose
// content is held by a finalizer stays Terminating with upstream's conditions until the
// finalizer is released.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const char* kNamespaceController = "  - uri: ukube.controller.v1.namespace\n";

class NamespaceKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kNamespaceController); }
  // `kubectl get namespace <name>` answers NotFound.
  bool gone(const std::string& name) {
    return eventually(
        [&] {
          CommandResult r = (*kubectl_)("get namespace " + name);
          return r.exit_code != 0 && r.out.find("NotFound") != std::string::npos;
        },
        std::chrono::seconds(60));
  }
  std::string condition(const std::string& ns, const std::string& type, const std::string& field) {
    return get("namespace " + ns, ".status.conditions[?(@.type==\"" + type + "\")]." + field);
  }
};

TEST_F(NamespaceKubectl, DeletingANamespaceRemovesItWithItsContent) {
  EXPECT_TRUE(
      eventually([&] { return node_->log().find("namespace controller started") != std::string::npos; },
                 std::chrono::seconds(30)))
      << node_->log();
  ok("create namespace doomed");
  ok("create configmap settings -n doomed --from-literal=mode=fast");
  ok("create secret generic token -n doomed --from-literal=token=abc");
  ok("run web -n doomed --image=registry.k8s.io/pause:3.9");
  ok("create namespace kept");
  ok("create configmap settings -n kept --from-literal=mode=slow");

  ok("delete namespace doomed --timeout=60s");
  ASSERT_TRUE(gone("doomed")) << ok("get namespace doomed -o yaml");
  std::string left = (*kubectl_)("get configmaps,secrets,pods -n doomed -o name").out;
  EXPECT_EQ(left.find("settings"), std::string::npos) << left;
  EXPECT_EQ(left.find("token"), std::string::npos) << left;
  EXPECT_EQ(left.find("web"), std::string::npos) << left;
  EXPECT_EQ(get("configmap settings -n kept", ".data.mode"), "slow");
  EXPECT_EQ(get("namespace kept", ".status.phase"), "Active");
}

TEST_F(NamespaceKubectl, ContentHeldByAFinalizerKeepsTheNamespaceTerminatingWithConditions) {
  ok("create -f -",
     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: held\nspec:\n  finalizers: [kubernetes]\n");
  ok("create -f -",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guarded\n  namespace: held\n"
     "  finalizers: [example.com/hold]\ndata: {a: b}\n");
  ok("create configmap loose -n held --from-literal=a=b");

  ok("delete namespace held --wait=false");
  EXPECT_TRUE(reads("namespace held", ".status.phase", "Terminating"));
  EXPECT_FALSE(get("namespace held", ".metadata.deletionTimestamp").empty());
  // The controller's pass (after its grace period) reports what holds the namespace.
  EXPECT_TRUE(eventually(
      [&] {
        return condition("held", "NamespaceContentRemaining", "message") ==
               "Some resources are remaining: configmaps. has 1 resource instances";
      },
      std::chrono::seconds(60)))
      << ok("get namespace held -o yaml");
  EXPECT_EQ(condition("held", "NamespaceContentRemaining", "reason"), "SomeResourcesRemain");
  EXPECT_EQ(
      condition("held", "NamespaceFinalizersRemaining", "message"),
      "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
  EXPECT_EQ(condition("held", "NamespaceDeletionContentFailure", "status"), "False")
      << ok("get namespace held -o yaml");
  EXPECT_EQ(condition("held", "NamespaceDeletionDiscoveryFailure", "reason"), "ResourcesDiscovered");
  EXPECT_NE((*kubectl_)("get configmap loose -n held").exit_code, 0);
  EXPECT_FALSE(get("configmap guarded -n held", ".metadata.deletionTimestamp").empty());

  // Released, the last object goes, and the namespace with it.
  ok("patch configmap guarded -n held --type=merge -p " + shell_quote(R"({"metadata":{"finalizers":null}})"));
  EXPECT_TRUE(gone("held")) << ok("get namespace held -o yaml");
}

}  // namespace
}  // namespace ukube::testing
