// The DaemonSet controller in the real daemon, with four kubelets on the fake runtime
// simulating four nodes, observed with real kubectl: a pod on every node, a NoSchedule
// taint that leaves a running pod alone, a node selector that takes it away, and a rolling
// update whose revisions `kubectl rollout history` lists and `kubectl rollout undo` restores.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const std::string kPlugins = kNodeSidePlugins +
                             "  - uri: ukube.controller.v1.daemonset\n"
                             "  - uri: ukube.controller.v1.garbagecollector\n"
                             "  - uri: ukube.runtime.v1.fake\n"
                             "  - uri: ukube.kubelet.v1.kubelet\n"
                             "    config: {node_name: sim, nodes: 4, port: 0}\n";

const std::string kDaemonSet =
    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n"
    "  selector:\n    matchLabels: {app: agent}\n"
    "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 2}\n"
    "  template:\n    metadata:\n      labels: {app: agent}\n"
    "    spec:\n      containers:\n      - name: c\n        image: nginx\n";

// Words of `text`, sorted.
std::vector<std::string> sorted_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words{std::istream_iterator<std::string>(in), {}};
  std::sort(words.begin(), words.end());
  return words;
}

class DaemonSetKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override {
    start_node(newest_kubectl(), kPlugins);
    ASSERT_TRUE(eventually(
        [&] {
          return get("nodes", R"(.items[*].status.conditions[?(@.type=="Ready")].status)") ==
                 "True True True True";
        },
        std::chrono::seconds(30)))
        << ok("get nodes -o yaml");
  }
  void rollout_done() { ok("rollout status daemonset/agent --timeout=90s"); }
  std::vector<std::string> pod_nodes() {
    return sorted_words(get("pods -l app=agent", ".items[*].spec.nodeName"));
  }
};

TEST_F(DaemonSetKubectl, OnePodPerNodeThenTaintsAndSelectors) {
  ok("create -f -", kDaemonSet);
  rollout_done();
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"sim-0", "sim-1", "sim-2", "sim-3"}));
  EXPECT_EQ(get("pods -l app=agent", ".items[*].status.phase"), "Running Running Running Running");
  EXPECT_EQ(get("ds agent", ".status.desiredNumberScheduled"), "4");
  EXPECT_EQ(get("ds agent", ".status.numberReady"), "4");
  EXPECT_EQ(get("ds agent", ".status.updatedNumberScheduled"), "4");
  // Daemon pods are bound by the scheduler to the node their affinity names.
  const std::string field =
      get("pods -l app=agent",
          ".items[0].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
          "nodeSelectorTerms[0].matchFields[0].key");
  EXPECT_EQ(field, "metadata.name");
  EXPECT_NE(ok("describe ds agent").find("Created pod: agent-"), std::string::npos);

  // A NoSchedule taint keeps new daemon pods off but leaves the running one.
  ok("taint node sim-3 dedicated=infra:NoSchedule");
  ASSERT_TRUE(reads("ds agent", ".status.numberMisscheduled", "1")) << ok("get ds agent -o yaml");
  EXPECT_EQ(get("ds agent", ".status.desiredNumberScheduled"), "3");
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"sim-0", "sim-1", "sim-2", "sim-3"}));

  // A node selector that excludes sim-3 takes its pod away.
  for (const char* n : {"sim-0", "sim-1", "sim-2"}) ok(std::string("label node ") + n + " role=agent");
  ok("patch ds agent --type=merge -p "
     "'{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"role\":\"agent\"}}}}}'");
  rollout_done();
  ASSERT_TRUE(eventually(
      [&] {
        return pod_nodes() == std::vector<std::string>{"sim-0", "sim-1", "sim-2"};
      },
      std::chrono::seconds(60)))
      << ok("get pods -o wide");
  EXPECT_TRUE(reads("ds agent", ".status.numberMisscheduled", "0"));
}

TEST_F(DaemonSetKubectl, RollingUpdateHistoryAndUndo) {
  ok("create -f -", kDaemonSet);
  rollout_done();
  ok("set image daemonset/agent c=nginx:2");
  rollout_done();
  ASSERT_TRUE(eventually(
      [&] {
        return get("pods -l app=agent", ".items[*].spec.containers[0].image") ==
               "nginx:2 nginx:2 nginx:2 nginx:2";
      },
      std::chrono::seconds(60)))
      << ok("get pods -o yaml");
  EXPECT_EQ(get("ds agent", ".status.updatedNumberScheduled"), "4");
  EXPECT_EQ(sorted_words(get("controllerrevisions", ".items[*].revision")),
            (std::vector<std::string>{"1", "2"}));
  const std::string history = ok("rollout history daemonset/agent");
  EXPECT_NE(history.find("REVISION"), std::string::npos) << history;
  EXPECT_NE(history.find("\n1 "), std::string::npos) << history;
  EXPECT_NE(history.find("\n2 "), std::string::npos) << history;
  const std::string revision = ok("rollout history daemonset/agent --revision=1");
  EXPECT_NE(revision.find("nginx"), std::string::npos) << revision;

  ok("rollout undo daemonset/agent");
  rollout_done();
  ASSERT_TRUE(eventually(
      [&] {
        return get("pods -l app=agent", ".items[*].spec.containers[0].image") == "nginx nginx nginx nginx";
      },
      std::chrono::seconds(60)))
      << ok("get pods -o yaml");
  // The restored template is the newest revision again.
  EXPECT_TRUE(eventually([&] {
    return sorted_words(get("controllerrevisions", ".items[*].revision")) ==
           std::vector<std::string>{"2", "3"};
  })) << ok("get controllerrevisions -o yaml");
  EXPECT_EQ(get("ds agent", ".spec.template.spec.containers[0].image"), "nginx");
}

TEST_F(DaemonSetKubectl, NodesAddedAndRemoved) {
  ok("create -f -", kDaemonSet);
  rollout_done();
  // A Node object with no kubelet behind it still gets its daemon pod (it stays Pending).
  ok("create -f -", "apiVersion: v1\nkind: Node\nmetadata:\n  name: extra\n");
  ASSERT_TRUE(reads("ds agent", ".status.desiredNumberScheduled", "5")) << ok("get ds agent -o yaml");
  ASSERT_TRUE(eventually([&] {
    return sorted_words(get("pods -l app=agent", ".items[*].metadata.name")).size() == 5;
  })) << ok("get pods -o wide");
  ok("delete node extra");
  ASSERT_TRUE(reads("ds agent", ".status.desiredNumberScheduled", "4")) << ok("get ds agent -o yaml");
  EXPECT_TRUE(eventually([&] {
    return pod_nodes() == std::vector<std::string>{"sim-0", "sim-1", "sim-2", "sim-3"};
  })) << ok("get pods -o wide");
  EXPECT_TRUE(eventually([&] {
    return sorted_words(get("pods -l app=agent", ".items[*].metadata.name")).size() == 4;
  })) << ok("get pods -o wide");
  rollout_done();
}

TEST_F(DaemonSetKubectl, SurgeUpdateStartsNewPodsBesideOldOnes) {
  std::string surge = kDaemonSet;
  surge.replace(surge.find("{maxUnavailable: 2}"), std::string("{maxUnavailable: 2}").size(),
                "{maxUnavailable: 0, maxSurge: 1}");
  ok("create -f -", surge);
  rollout_done();
  ok("set image daemonset/agent c=nginx:2");
  rollout_done();
  ASSERT_TRUE(eventually(
      [&] {
        return get("pods -l app=agent", ".items[*].spec.containers[0].image") ==
               "nginx:2 nginx:2 nginx:2 nginx:2";
      },
      std::chrono::seconds(60)))
      << ok("get pods -o yaml");
  EXPECT_EQ(get("ds agent", ".status.numberAvailable"), "4");
}

}  // namespace
}  // namespace ukube::testing
