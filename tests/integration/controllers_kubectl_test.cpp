// The controllers in the real daemon, observed with real kubectl. No kubelet runs pods
// yet: where a controller reads pod status, the test writes it as a kubelet would.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const char* kControllers =
    "  - uri: ukube.controller.v1.replicaset\n"
    "  - uri: ukube.controller.v1.replicationcontroller\n"
    "  - uri: ukube.controller.v1.deployment\n"
    "  - uri: ukube.controller.v1.garbagecollector\n";

std::string replicaset_yaml(const std::string& name, int replicas) {
  return "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: " + name +
         "\nspec:\n  replicas: " + std::to_string(replicas) +
         "\n  selector:\n    matchLabels: {app: " + name +
         "}\n  template:\n    metadata:\n      labels: {app: " + name +
         "}\n    spec:\n      containers:\n      - name: c\n        image: registry.k8s.io/pause:3.9\n";
}

std::set<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::set<std::string> out;
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

class ControllersKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kControllers); }
  std::set<std::string> pods(const std::string& selector) {
    return words(get("pods -l " + selector, ".items[*].metadata.name"));
  }
  bool pod_count(const std::string& selector, size_t n) {
    return eventually([&] { return pods(selector).size() == n; }, std::chrono::seconds(30));
  }
  // What the kubelet would report for a started, ready pod.
  void mark_ready(const std::string& pod) {
    ok("patch pod " + pod + " --subresource=status --type=merge -p " +
       shell_quote(R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})"));
  }
};

TEST_F(ControllersKubectl, ReplicaSetCreatesScalesAndReplacesItsPods) {
  ok("create -f -", replicaset_yaml("web", 3));
  ASSERT_TRUE(pod_count("app=web", 3)) << ok("get pods -o wide");
  EXPECT_TRUE(reads("rs web", ".status.replicas", "3"));
  for (const auto& pod : pods("app=web")) {
    EXPECT_EQ(pod.rfind("web-", 0), 0u) << pod;
    EXPECT_EQ(get("pod " + pod, ".metadata.ownerReferences[0].kind"), "ReplicaSet");
    EXPECT_EQ(get("pod " + pod, ".metadata.ownerReferences[0].controller"), "true");
  }
  EXPECT_NE(ok("describe rs web").find("SuccessfulCreate"), std::string::npos);

  std::string first = *pods("app=web").begin();
  mark_ready(first);
  EXPECT_TRUE(reads("rs web", ".status.readyReplicas", "1"));
  EXPECT_TRUE(reads("rs web", ".status.availableReplicas", "1"));

  ok("scale rs web --replicas=1");
  ASSERT_TRUE(pod_count("app=web", 1)) << ok("get pods");
  // The ready pod ranks last for deletion: it is the one left.
  EXPECT_EQ(*pods("app=web").begin(), first);
  EXPECT_TRUE(reads("rs web", ".status.replicas", "1"));

  ok("delete pod " + first + " --wait=false");
  ASSERT_TRUE(eventually(
      [&] {
        auto now = pods("app=web");
        return now.size() == 1 && !now.count(first);
      },
      std::chrono::seconds(30)))
      << ok("get pods");
  EXPECT_NE(ok("get events --field-selector reason=SuccessfulDelete").find("Deleted pod: "),
            std::string::npos);
}

TEST_F(ControllersKubectl, ReplicaSetAdoptsMatchingOrphansAndReleasesPodsThatStopMatching) {
  ok("run orphan --image=registry.k8s.io/pause:3.9 --labels=app=api");
  ok("create -f -", replicaset_yaml("api", 2));
  ASSERT_TRUE(pod_count("app=api", 2)) << ok("get pods");
  EXPECT_TRUE(reads("pod orphan", ".metadata.ownerReferences[0].name", "api"));

  ok("label pod orphan app=released --overwrite");
  EXPECT_TRUE(reads("pod orphan", ".metadata.ownerReferences", ""));
  // Released, it no longer counts: a replacement brings the set back to two.
  ASSERT_TRUE(pod_count("app=api", 2)) << ok("get pods --show-labels");
  EXPECT_FALSE(pods("app=api").count("orphan"));
}

TEST_F(ControllersKubectl, ReplicationControllerKeepsItsReplicas) {
  ok("create -f -",
     "apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: legacy\nspec:\n  replicas: 2\n"
     "  selector: {app: legacy}\n  template:\n    metadata:\n      labels: {app: legacy}\n    spec:\n"
     "      containers:\n      - name: c\n        image: registry.k8s.io/pause:3.9\n");
  ASSERT_TRUE(pod_count("app=legacy", 2)) << ok("get pods");
  for (const auto& pod : pods("app=legacy"))
    EXPECT_EQ(get("pod " + pod, ".metadata.ownerReferences[0].kind"), "ReplicationController");
  EXPECT_TRUE(reads("rc legacy", ".status.replicas", "2"));
  ok("scale rc legacy --replicas=0");
  ASSERT_TRUE(pod_count("app=legacy", 0)) << ok("get pods");
}

TEST_F(ControllersKubectl, DeploymentRollsOutANewImage) {
  ok("create deployment web --image=registry.k8s.io/pause:3.9 --replicas=2");
  ASSERT_TRUE(pod_count("app=web", 2)) << ok("get pods,rs -o wide");
  auto replica_sets = [&] { return words(get("rs -l app=web", ".items[*].metadata.name")); };
  EXPECT_EQ(replica_sets().size(), 1u);
  // The kubelet's part: every pod that appears becomes ready.
  auto mark_all_ready = [&] {
    for (const auto& pod : pods("app=web"))
      if (get("pod " + pod, ".status.phase") != "Running") mark_ready(pod);
  };
  auto settles = [&](const std::string& what, const std::string& jsonpath, const std::string& want) {
    return eventually(
        [&] {
          mark_all_ready();
          return get(what, jsonpath) == want;
        },
        std::chrono::seconds(60));
  };
  ASSERT_TRUE(settles("deployment web", ".status.availableReplicas", "2"))
      << ok("get deploy,rs,pods -o wide");
  EXPECT_NE(ok("rollout status deployment/web --timeout=60s").find("successfully rolled out"),
            std::string::npos);

  ok("set image deployment/web pause=registry.k8s.io/pause:3.10");
  ASSERT_TRUE(eventually([&] { return replica_sets().size() == 2; }, std::chrono::seconds(30)))
      << ok("get rs");
  // The old ReplicaSet ends at zero, the new one at two.
  ASSERT_TRUE(eventually(
      [&] {
        mark_all_ready();
        return words(get("rs -l app=web", ".items[*].spec.replicas")) == std::set<std::string>{"0", "2"} &&
               get("deployment web", ".status.updatedReplicas") == "2" &&
               get("deployment web", ".status.availableReplicas") == "2";
      },
      std::chrono::seconds(60)))
      << ok("get deploy,rs,pods -o wide");
  EXPECT_NE(ok("rollout status deployment/web --timeout=60s").find("successfully rolled out"),
            std::string::npos);
  const std::string history = ok("rollout history deployment/web");
  EXPECT_NE(history.find("\n1 "), std::string::npos) << history;
  EXPECT_NE(history.find("\n2 "), std::string::npos) << history;
  EXPECT_NE(ok("get events --field-selector reason=ScalingReplicaSet").find("Scaled down replica set"),
            std::string::npos);
}

// What each propagation policy leaves, as upstream: the API server records the policy in
// the Deployment's finalizers and the garbage collector does the rest.
TEST_F(ControllersKubectl, DeletingADeploymentLeavesWhatEachPropagationPolicyLeaves) {
  for (const char* app : {"bg", "fg", "or"}) {
    ok(std::string("create deployment ") + app + " --image=registry.k8s.io/pause:3.9 --replicas=2");
    ASSERT_TRUE(pod_count(std::string("app=") + app, 2)) << ok("get pods,rs -o wide");
  }
  auto replica_sets = [&](const std::string& app) {
    return words(get("rs -l app=" + app, ".items[*].metadata.name"));
  };

  // Background: the Deployment goes at once, its ReplicaSet and pods after it.
  ok("delete deployment bg");
  EXPECT_TRUE(eventually([&] { return replica_sets("bg").empty() && pods("app=bg").empty(); },
                         std::chrono::seconds(30)))
      << ok("get rs,pods -l app=bg -o wide");

  // Foreground: the Deployment waits, marked, until its ReplicaSet and pods are gone. A
  // pod held by a finalizer of its own keeps the whole chain waiting.
  const std::string held = *pods("app=fg").begin();
  ok("patch pod " + held + " --type=merge -p " +
     shell_quote(R"({"metadata":{"finalizers":["example.com/hold"]}})"));
  ok("delete deployment fg --cascade=foreground --wait=false");
  EXPECT_EQ(get("deployment fg", ".metadata.finalizers"), R"(["foregroundDeletion"])");
  const std::string fg_rs = *replica_sets("fg").begin();
  EXPECT_TRUE(reads("rs " + fg_rs, ".metadata.finalizers", R"(["foregroundDeletion"])"))
      << "a dependent with dependents of its own goes in the foreground too";
  EXPECT_TRUE(
      eventually([&] { return pods("app=fg") == std::set<std::string>{held}; }, std::chrono::seconds(30)));
  EXPECT_NE(get("pod " + held, ".metadata.deletionTimestamp"), "");
  EXPECT_NE(get("deployment fg", ".metadata.deletionTimestamp"), "") << "still waiting for the held pod";
  ok("patch pod " + held + " --type=merge -p " + shell_quote(R"({"metadata":{"finalizers":null}})"));
  ok("wait --for=delete deployment/fg --timeout=30s");
  EXPECT_TRUE(replica_sets("fg").empty()) << "the owner goes last";
  EXPECT_TRUE(pods("app=fg").empty());

  // Orphan: the ReplicaSet stays, without its owner reference, and keeps its pods.
  const std::string or_rs = *replica_sets("or").begin();
  ok("delete deployment or --cascade=orphan");
  EXPECT_EQ(replica_sets("or"), std::set<std::string>{or_rs});
  EXPECT_EQ(get("rs " + or_rs, ".metadata.ownerReferences"), "");
  EXPECT_EQ(pods("app=or").size(), 2u);
  for (const auto& pod : pods("app=or"))
    EXPECT_EQ(get("pod " + pod, ".metadata.ownerReferences[0].name"), or_rs) << pod;
}

#ifdef UKUBE_SDK_CONTROLLER_DIR
// sdk/examples/controller, built out of tree against the staged SDK, loaded from its own
// folder by config, and authorised by the RBAC a third party ships with it.
class ThirdPartyController : public KubectlFixture<> {};

TEST_F(ThirdPartyController, RunsFromItsOwnFolderAsItsServiceAccount) {
  start_node(newest_kubectl(),
             "  - uri: ukube.controller.v1.pod-counter\n"
             "plugin_dirs: [\"" UKUBE_SDK_CONTROLLER_DIR "\"]\n");
  ok("apply -f " UKUBE_SDK_CONTROLLER_RBAC);
  ok("run a --image=registry.k8s.io/pause:3.9");
  ok("run b --image=registry.k8s.io/pause:3.9");
  EXPECT_TRUE(reads("configmap pod-count", ".data.pods", "2"));
  ok("delete pod a --wait=false");
  EXPECT_TRUE(reads("configmap pod-count", ".data.pods", "1"));
  // Without its ClusterRoleBinding, the controller is refused like any other client.
  ok("delete clusterrolebinding example:pod-counter");
  ok("create namespace other");
  ok("-n other run c --image=registry.k8s.io/pause:3.9");
  EXPECT_TRUE(eventually(
      [&] {
        return node_->log().find("User \"system:serviceaccount:kube-system:pod-counter\" cannot") !=
               std::string::npos;
      },
      std::chrono::seconds(30)));
  EXPECT_NE((*kubectl_)("-n other get configmap pod-count").exit_code, 0);
}

// A third party's controller for a resource of its own: the Greeting its CRD defines.
TEST_F(ThirdPartyController, OwnsACustomResourceOfItsOwn) {
  start_node(newest_kubectl(),
             "  - uri: ukube.types.v1.apiextensions\n"
             "  - uri: ukube.controller.v1.greeting\n"
             "plugin_dirs: [\"" UKUBE_SDK_CONTROLLER_DIR "\"]\n");
  ok("apply -f " UKUBE_SDK_CONTROLLER_RBAC);
  ok("apply -f " UKUBE_SDK_GREETING_CRD);
  ok("wait --for=condition=Established crd/greetings.example.com --timeout=30s");
  ok("apply -f -",
     "apiVersion: example.com/v1\nkind: Greeting\nmetadata:\n  name: hi\nspec:\n  name: world\n");
  EXPECT_TRUE(reads("configmap greeting-hi", ".data.message", "Hello, world!"));
  EXPECT_TRUE(reads("greeting hi", ".status.message", "Hello, world!"));
  EXPECT_EQ(get("greeting hi", R"(.status.conditions[?(@.type=="Ready")].status)"), "True");
  EXPECT_EQ(get("configmap greeting-hi", ".metadata.ownerReferences[0].kind"), "Greeting");
  const std::string table = ok("get greetings");
  EXPECT_NE(table.find("Hello, world!"), std::string::npos) << table;
  // A change of the spec reaches the ConfigMap and the status, with the generation it saw.
  ok(R"(patch greeting hi --type=merge -p '{"spec":{"greeting":"Goodbye"}}')");
  EXPECT_TRUE(reads("configmap greeting-hi", ".data.message", "Goodbye, world!"));
  EXPECT_TRUE(reads("greeting hi", ".status.observedGeneration", "2"));
  // The schema holds for the controller's users as for any resource.
  auto refused_greeting =
      refused("apply -f -", "apiVersion: example.com/v1\nkind: Greeting\nmetadata:\n  name: bad\nspec: {}\n");
  EXPECT_NE(refused_greeting.out.find("spec.name: Required value"), std::string::npos)
      << refused_greeting.out;
}
#endif

}  // namespace
}  // namespace ukube::testing
