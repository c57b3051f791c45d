// The StatefulSet controller in the real daemon, with the kubelet on the fake runtime,
// observed with real kubectl: three replicas come up in order as web-0..2, scaling down
// removes the highest ordinal, an image update rolls from the top and respects the
// partition, `rollout history` / `rollout undo` work on the ControllerRevisions, and the
// claims of volumeClaimTemplates get upstream's names.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

// The fake runtime runs any image until it is stopped, Ready at once.
const std::string kPlugins = kNodeSidePlugins +
                             "  - uri: ukube.controller.v1.statefulset\n"
                             "  - uri: ukube.controller.v1.garbagecollector\n"
                             "  - uri: ukube.runtime.v1.fake\n"
                             "  - uri: ukube.kubelet.v1.kubelet\n"
                             "    config: {node_name: sts-node, port: 0}\n";

std::string set_yaml(const std::string& name, const std::string& spec) {
  return "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: " + name +
         "\nspec:\n  serviceName: " + name + "\n  selector:\n    matchLabels:\n      app: " + name + "\n" +
         spec + "  template:\n    metadata:\n      labels:\n        app: " + name +
         "\n    spec:\n      containers:\n      - name: main\n        image: nginx\n";
}

class StatefulSetKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kPlugins); }
  // `kubectl rollout status`; its output when it finished within `seconds`, else "".
  std::string rolled_out(const std::string& set, int seconds = 60) {
    CommandResult r =
        (*kubectl_)("rollout status sts/" + set + " --timeout=" + std::to_string(seconds) + "s");
    EXPECT_EQ(r.exit_code, 0) << r.out << ok("get sts " + set + " -o yaml") << ok("get pods -o yaml");
    return r.exit_code == 0 ? r.out : "";
  }
  std::string images(const std::string& selector) {
    return get("pods -l " + selector + " --sort-by=.metadata.name", ".items[*].spec.containers[0].image");
  }
};

TEST_F(StatefulSetKubectl, ReplicasComeUpInOrderScaleDownAndRollFromTheTop) {
  ok("create -f -", set_yaml("web", "  replicas: 3\n"));
  EXPECT_NE(rolled_out("web"), "");
  EXPECT_EQ(get("pods -l app=web --sort-by=.metadata.name", ".items[*].metadata.name"), "web-0 web-1 web-2");
  EXPECT_EQ(get("pod web-1", ".spec.hostname"), "web-1");
  EXPECT_EQ(get("pod web-1", ".spec.subdomain"), "web");
  EXPECT_EQ(get("pod web-1", R"(.metadata.labels.statefulset\.kubernetes\.io/pod-name)"), "web-1");
  EXPECT_EQ(get("pod web-1", R"(.metadata.labels.apps\.kubernetes\.io/pod-index)"), "1");
  EXPECT_EQ(get("pod web-1", ".metadata.ownerReferences[0].kind"), "StatefulSet");
  // OrderedReady: each pod was made only once the one before it was Ready.
  for (const auto& [before, after] : {std::pair{"web-0", "web-1"}, std::pair{"web-1", "web-2"}}) {
    const std::string ready =
        get(std::string("pod ") + before, R"(.status.conditions[?(@.type=="Ready")].lastTransitionTime)");
    const std::string created = get(std::string("pod ") + after, ".metadata.creationTimestamp");
    EXPECT_LE(ready, created) << before << " ready at " << ready << ", " << after << " created at "
                              << created;
  }
  EXPECT_EQ(get("sts web", ".status.readyReplicas"), "3");
  EXPECT_EQ(get("sts web", ".status.availableReplicas"), "3");
  EXPECT_EQ(get("sts web", ".status.currentRevision"), get("sts web", ".status.updateRevision"));
  const std::string revision = get("sts web", ".status.updateRevision");
  EXPECT_EQ(get("pod web-2", R"(.metadata.labels.controller-revision-hash)"), revision);
  EXPECT_EQ(get("controllerrevisions", ".items[*].metadata.name"), revision);
  const std::string events = ok("describe sts web");
  for (const char* expected : {"SuccessfulCreate", "create Pod web-0 in StatefulSet web successful",
                               "create Pod web-2 in StatefulSet web successful"})
    EXPECT_NE(events.find(expected), std::string::npos) << expected << " missing from\n" << events;

  // Scale down: web-2 goes, the others stay.
  ok("scale sts web --replicas=2");
  EXPECT_TRUE(reads("pods -l app=web --sort-by=.metadata.name", ".items[*].metadata.name", "web-0 web-1"))
      << ok("get pods -o wide");
  EXPECT_TRUE(reads("sts web", ".status.replicas", "2"));
  EXPECT_NE(ok("describe sts web").find("delete Pod web-2 in StatefulSet web successful"), std::string::npos);

  // An image update with partition 1: only web-1 rolls.
  ok("scale sts web --replicas=3");
  EXPECT_NE(rolled_out("web"), "");
  ok("patch sts web -p " + shell_quote(R"({"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}})"));
  ok("set image sts/web main=nginx:2");
  EXPECT_NE(rolled_out("web").find("partitioned roll out complete"), std::string::npos);
  EXPECT_EQ(images("app=web"), "nginx nginx:2 nginx:2");
  EXPECT_EQ(get("sts web", ".status.updatedReplicas"), "2");
  EXPECT_EQ(get("sts web", ".status.currentRevision"), revision);
  // Partition 0: web-0 follows, and the update revision becomes the current one.
  ok("patch sts web -p " + shell_quote(R"({"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}})"));
  EXPECT_NE(rolled_out("web"), "");
  EXPECT_EQ(images("app=web"), "nginx:2 nginx:2 nginx:2");
  EXPECT_TRUE(reads("sts web", ".status.currentReplicas", "3"));
  EXPECT_NE(get("sts web", ".status.currentRevision"), revision);

  // History has both templates; undo goes back to the first.
  const std::string history = ok("rollout history sts/web");
  EXPECT_NE(history.find("\n1 "), std::string::npos) << history;
  EXPECT_NE(history.find("\n2 "), std::string::npos) << history;
  ok("rollout undo sts/web");
  EXPECT_TRUE(reads("sts web", ".spec.template.spec.containers[0].image", "nginx"));
  EXPECT_NE(rolled_out("web"), "");
  EXPECT_TRUE(reads("pods -l app=web --sort-by=.metadata.name", ".items[*].spec.containers[0].image",
                    "nginx nginx nginx"));
  EXPECT_EQ(get("sts web", ".status.currentRevision"), revision);
}

TEST_F(StatefulSetKubectl, ClaimsFromVolumeClaimTemplatesGetUpstreamNames) {
  ok("create -f -",
     set_yaml("db",
              "  replicas: 2\n  podManagementPolicy: Parallel\n"
              "  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n    whenScaled: Delete\n"
              "  volumeClaimTemplates:\n  - metadata:\n      name: data\n"
              "    spec:\n      accessModes: [ReadWriteOnce]\n"
              "      resources:\n        requests:\n          storage: 1Gi\n"));
  EXPECT_TRUE(
      reads("pvc -l app=db --sort-by=.metadata.name", ".items[*].metadata.name", "data-db-0 data-db-1"))
      << ok("get pvc -o yaml") << ok("describe sts db");
  EXPECT_EQ(get("pvc data-db-0", ".metadata.ownerReferences[0].kind"), "StatefulSet");
  EXPECT_EQ(get("pod db-1", R"(.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName)"),
            "data-db-1");
  // No provisioner binds them; the pods run regardless (the kubelet skips such volumes).
  EXPECT_NE(rolled_out("db"), "");
  EXPECT_NE(ok("describe sts db").find("create Claim data-db-0 Pod db-0 in StatefulSet db success"),
            std::string::npos);
  // whenScaled: Delete: the claim of a pod scaled away goes with it (it is the pod's now).
  ok("scale sts db --replicas=1");
  EXPECT_TRUE(reads("pvc -l app=db", ".items[*].metadata.name", "data-db-0")) << ok("get pvc -o yaml");
  // whenDeleted: Delete: the set's claims go with the set.
  ok("delete sts db --wait=false");
  EXPECT_TRUE(reads("pvc -l app=db", ".items[*].metadata.name", "")) << ok("get pvc -o yaml");
}

}  // namespace
}  // namespace ukube::testing
