// The node lifecycle controller in the real daemon with real kubectl. A Node nobody runs a
// kubelet for (created with kubectl) stands for a machine that went away: the controller
// turns its conditions Unknown after the grace period, taints it unreachable, and evicts
// its pods as their tolerations allow; a node whose kubelet heartbeats stays untainted.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const std::string kPlugins =
    kNodeSidePlugins +
    "  - uri: ukube.controller.v1.replicaset\n"
    "  - uri: ukube.controller.v1.garbagecollector\n"
    "  - uri: ukube.controller.v1.nodelifecycle\n"
    "    config: {node_monitor_grace_period_seconds: 4, node_monitor_period_ms: 300}\n"
    "  - uri: ukube.runtime.v1.fake\n"
    "  - uri: ukube.kubelet.v1.kubelet\n"
    "    config: {node_name: live, port: 0, lease_renew_seconds: 1}\n";

std::string pod_on(const std::string& name, const std::string& node, const std::string& tolerations) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  nodeName: " + node +
         "\n  containers: [{name: c, image: pause}]\n" + tolerations;
}

class NodeLifecycleKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kPlugins); }
  bool soon(const std::function<bool()>& check) { return eventually(check, std::chrono::seconds(40)); }
};

TEST_F(NodeLifecycleKubectl, ASilentNodeIsTaintedAndItsPodsAreEvicted) {
  ok("create -f -", "apiVersion: v1\nkind: Node\nmetadata: {name: gone}\n");
  ok("create -f -", pod_on("stranded", "gone", ""));
  ok("create -f -",
     pod_on("patient", "gone",
            "  tolerations:\n  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: "
            "NoExecute, tolerationSeconds: 2}\n"));
  ok("create -f -", pod_on("loyal", "gone", "  tolerations:\n  - {operator: Exists}\n"));

  EXPECT_TRUE(soon([&] {
    return get("node gone", R"(.status.conditions[?(@.type=="Ready")].status)") == "Unknown";
  })) << ok("get node gone -o yaml");
  EXPECT_EQ(get("node gone", R"(.status.conditions[?(@.type=="Ready")].message)"),
            "Kubelet never posted node status.");
  EXPECT_TRUE(soon([&] {
    return get("node gone", R"(.spec.taints[?(@.effect=="NoExecute")].key)") ==
           "node.kubernetes.io/unreachable";
  })) << ok("get node gone -o yaml");
  EXPECT_EQ(get("node gone", R"(.spec.taints[?(@.effect=="NoSchedule")].key)"),
            "node.kubernetes.io/unreachable");

  // Tolerating the unreachable taint for 2 s: evicted after them. With no kubelet to finish
  // them, evicted pods stay Terminating, as upstream's do.
  EXPECT_TRUE(soon([&] { return !get("pod patient", ".metadata.deletionTimestamp").empty(); }));
  EXPECT_EQ(get("pod patient", R"(.status.conditions[?(@.type=="DisruptionTarget")].reason)"),
            "DeletionByTaintManager");
  EXPECT_TRUE(soon([&] {
    return ok("get events --field-selector involvedObject.name=patient").find("TaintManagerEviction") !=
           std::string::npos;
  }));
  // Every pod tolerates unreachable for 300 s by default; a NoExecute taint it does not
  // tolerate at all evicts it at once. Tolerating everything keeps a pod there.
  EXPECT_EQ(get("pod stranded", ".metadata.deletionTimestamp"), "");
  ok("taint node gone maintenance=now:NoExecute");
  EXPECT_TRUE(soon([&] { return !get("pod stranded", ".metadata.deletionTimestamp").empty(); }));
  EXPECT_EQ(get("pod loyal", ".metadata.deletionTimestamp"), "");

  // The node with a kubelet is left alone.
  EXPECT_EQ(get("node live", R"(.status.conditions[?(@.type=="Ready")].status)"), "True");
  EXPECT_EQ(get("node live", ".spec.taints"), "");
}

TEST_F(NodeLifecycleKubectl, AReplicaSetsPodEvictedFromASilentNodeIsRecreatedElsewhere) {
  ok("create -f -", "apiVersion: v1\nkind: Node\nmetadata: {name: gone}\n");
  // The pod starts out on the silent node (tolerating it for 1 s rather than the default
  // 300); the ReplicaSet adopts it as its one replica.
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: first, labels: {app: web}}\nspec:\n  nodeName: gone\n"
     "  containers: [{name: c, image: pause}]\n  tolerations:\n  - {key: node.kubernetes.io/unreachable, "
     "operator: Exists, effect: NoExecute, tolerationSeconds: 1}\n");
  ok("create -f -",
     "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
     "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
     "    spec: {containers: [{name: c, image: pause}]}\n");
  ASSERT_TRUE(soon([&] { return get("pod first", ".metadata.ownerReferences[0].name") == "web"; }));

  // Tainted unreachable, the node loses the pod (it stays Terminating: no kubelet ends
  // it), and the ReplicaSet's replacement runs on the node that is alive.
  EXPECT_TRUE(soon([&] { return !get("pod first", ".metadata.deletionTimestamp").empty(); }))
      << ok("get node gone -o yaml");
  EXPECT_TRUE(soon([&] {
    return get("pods -l app=web --field-selector=status.phase=Running", ".items[*].spec.nodeName") == "live";
  })) << ok("get pods -o wide");
  EXPECT_TRUE(reads("rs web", ".status.readyReplicas", "1"));
}

TEST_F(NodeLifecycleKubectl, ANodeThatReportsReadyAgainLosesItsTaints) {
  ok("create -f -", "apiVersion: v1\nkind: Node\nmetadata: {name: flaky}\n");
  ASSERT_TRUE(soon([&] { return !get("node flaky", ".spec.taints").empty(); }))
      << ok("get node flaky -o yaml");
  // What a kubelet coming back writes: a fresh heartbeat with Ready True.
  const std::string now = run_command("date -u +%Y-%m-%dT%H:%M:%SZ").out.substr(0, 20);
  ok("patch node flaky --subresource=status --type=merge -p " +
     shell_quote(R"({"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady",)"
                 R"("lastHeartbeatTime":")" +
                 now + R"(","lastTransitionTime":")" + now + R"("}]}})"));
  EXPECT_TRUE(soon([&] { return get("node flaky", ".spec.taints").empty(); }))
      << ok("get node flaky -o yaml");
}

}  // namespace
}  // namespace ukube::testing
