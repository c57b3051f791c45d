// The scheduler plugin in the real daemon, observed with real kubectl: Node objects are
// created by the test (there is no kubelet), pods are scheduled onto them.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const char* kScheduler =
    "  - uri: ukube.scheduler.v1.default\n"
    "    config: {podInitialBackoffSeconds: 1, podMaxBackoffSeconds: 1}\n";

std::string node_yaml(const std::string& name, const std::string& cpu, const std::string& labels = "",
                      const std::string& spec = "{}") {
  return "apiVersion: v1\nkind: Node\nmetadata:\n  name: " + name +
         "\n  labels:\n    kubernetes.io/hostname: " + name + "\n" + labels + "spec: " + spec +
         "\nstatus:\n  capacity: {cpu: \"" + cpu +
         "\", memory: 8Gi, pods: \"110\"}\n  allocatable: {cpu: \"" + cpu +
         "\", memory: 8Gi, pods: \"110\"}\n";
}

std::string pod_yaml(const std::string& name, const std::string& cpu, const std::string& spec_extra = "",
                     const std::string& labels = "{}") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  labels: " + labels +
         "\nspec:\n  containers:\n  - name: c\n    image: registry.k8s.io/pause:3.9\n    resources: "
         "{requests: {cpu: \"" +
         cpu + "\"}}\n" + spec_extra;
}

class SchedulerKubectl : public KubectlFixture<> {
 protected:
  void start(const std::string& extra = kScheduler) { start_node(newest_kubectl(), extra); }
  std::string node_of(const std::string& pod) { return get("pod " + pod, ".spec.nodeName"); }
  std::string failed_scheduling(const std::string& pod) {
    return (*kubectl_)("get events --field-selector involvedObject.name=" + pod +
                       ",reason=FailedScheduling -o jsonpath='{.items[*].message}'")
        .out;
  }
};

TEST_F(SchedulerKubectl, UnschedulablePodGetsEventAndConditionThenFitsANewNode) {
  start();
  ok("create -f -", node_yaml("small", "1"));
  ok("create -f -", pod_yaml("web", "2"));
  ASSERT_TRUE(reads("pod web", ".status.conditions[?(@.type==\"PodScheduled\")].reason", "Unschedulable"));
  EXPECT_EQ(
      get("pod web", ".status.conditions[?(@.type==\"PodScheduled\")].message"),
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption "
      "victims found for incoming pod.");
  ASSERT_TRUE(
      eventually([&] { return failed_scheduling("web").find("Insufficient cpu") != std::string::npos; }));
  EXPECT_NE(ok("describe pod web").find("FailedScheduling"), std::string::npos);

  ok("create -f -", node_yaml("big", "4"));
  EXPECT_TRUE(reads("pod web", ".spec.nodeName", "big"));
  EXPECT_TRUE(reads("pod web", ".status.conditions[?(@.type==\"PodScheduled\")].status", "True"));
  EXPECT_NE(
      ok("get events --field-selector reason=Scheduled").find("Successfully assigned default/web to big"),
      std::string::npos);
}

TEST_F(SchedulerKubectl, TaintsAndTolerations) {
  start();
  ok("create -f -", node_yaml("n1", "4"));
  ok("taint node n1 dedicated=infra:NoSchedule");
  ok("create -f -", pod_yaml("plain", "100m"));
  ok("create -f -",
     pod_yaml("tolerant", "100m",
              "  tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]\n"));
  EXPECT_TRUE(reads("pod tolerant", ".spec.nodeName", "n1"));
  ASSERT_TRUE(eventually([&] {
    return failed_scheduling("plain").find(
               "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}") !=
           std::string::npos;
  })) << failed_scheduling("plain");
  ok("taint node n1 dedicated=infra:NoSchedule-");
  EXPECT_TRUE(reads("pod plain", ".spec.nodeName", "n1"));
}

TEST_F(SchedulerKubectl, NodeAffinityAndPodAntiAffinity) {
  start();
  ok("create -f -", node_yaml("a", "4", "    zone: east\n"));
  ok("create -f -", node_yaml("b", "4", "    zone: west\n"));
  ok("create -f -", pod_yaml("west", "100m", "  nodeSelector: {zone: west}\n"));
  EXPECT_TRUE(reads("pod west", ".spec.nodeName", "b"));

  const std::string anti =
      "  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "      - topologyKey: kubernetes.io/hostname\n        labelSelector: {matchLabels: {app: db}}\n";
  for (const char* name : {"db-1", "db-2", "db-3"})
    ok("create -f -", pod_yaml(name, "100m", anti, "{app: db}"));
  ASSERT_TRUE(eventually([&] { return !node_of("db-1").empty() && !node_of("db-2").empty(); }));
  EXPECT_NE(node_of("db-1"), node_of("db-2"));
  ASSERT_TRUE(eventually([&] {
    return failed_scheduling("db-3").find("2 node(s) didn't match pod anti-affinity rules") !=
           std::string::npos;
  })) << failed_scheduling("db-3");
  EXPECT_EQ(node_of("db-3"), "");
}

TEST_F(SchedulerKubectl, TopologySpreadAcrossZones) {
  start();
  ok("create -f -", node_yaml("a1", "8", "    zone: east\n"));
  ok("create -f -", node_yaml("a2", "8", "    zone: east\n"));
  ok("create -f -", node_yaml("b1", "8", "    zone: west\n"));
  const std::string spread =
      "  topologySpreadConstraints:\n  - maxSkew: 1\n    topologyKey: zone\n    whenUnsatisfiable: "
      "DoNotSchedule\n"
      "    labelSelector: {matchLabels: {app: web}}\n";
  for (int i = 0; i < 4; ++i)
    ok("create -f -", pod_yaml("web-" + std::to_string(i), "100m", spread, "{app: web}"));
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < 4; ++i)
      if (node_of("web-" + std::to_string(i)).empty()) return false;
    return true;
  }));
  int west = 0;
  for (int i = 0; i < 4; ++i) west += node_of("web-" + std::to_string(i)) == "b1";
  EXPECT_EQ(west, 2);  // two zones, four pods, skew at most one
}

TEST_F(SchedulerKubectl, PreemptionEvictsALowerPriorityPod) {
  start();
  ok("create -f -",
     "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: urgent}\nvalue: 1000\n");
  ok("create -f -", node_yaml("n1", "2"));
  ok("create -f -", pod_yaml("low", "2"));
  ASSERT_TRUE(reads("pod low", ".spec.nodeName", "n1"));
  ok("create -f -", pod_yaml("high", "2", "  priorityClassName: urgent\n"));
  // The victim is deleted gracefully; no kubelet runs on n1 to finish that, so the test
  // does the kubelet's final delete once the scheduler evicted it.
  ASSERT_TRUE(eventually([&] { return !get("pod low", ".metadata.deletionTimestamp").empty(); },
                         std::chrono::seconds(30)));
  ok("delete pod low --grace-period=0 --force");
  EXPECT_TRUE(reads("pod high", ".spec.nodeName", "n1"));
}

#ifdef UKUBE_SDK_EXAMPLE_DIR
// The out-of-tree example plugin, loaded from its own folder by config, decides placement.
TEST_F(SchedulerKubectl, ThirdPartyScorePluginChangesPlacement) {
  start(std::string("  - uri: ukube.scheduler-plugin.v1.prefer-label\n") +
        "  - uri: ukube.scheduler.v1.default\n"
        "    config:\n"
        "      profiles:\n"
        "      - plugins: {score: {enabled: [{name: PreferLabel, weight: 50}]}}\n"
        "        pluginConfig: [{name: PreferLabel, args: {label: disktype, value: ssd}}]\n"
        "plugin_dirs: [\"" UKUBE_SDK_EXAMPLE_DIR "\"]\n");
  // Alone, the default scores spread these pods over both nodes; the plugin puts all of them
  // on the ssd node.
  ok("create -f -", node_yaml("busy", "8", "    disktype: ssd\n"));
  ok("create -f -", node_yaml("idle", "8"));
  for (int i = 0; i < 3; ++i) ok("create -f -", pod_yaml("p" + std::to_string(i), "1"));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(reads("pod p" + std::to_string(i), ".spec.nodeName", "busy"));
  EXPECT_NE(node_->log().find("framework plugin PreferLabel available"), std::string::npos);
}
#endif

}  // namespace
}  // namespace ukube::testing
