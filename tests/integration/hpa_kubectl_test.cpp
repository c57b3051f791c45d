// The horizontal pod autoscaler in the real daemon with real kubectl: pods run by the
// kubelet on the fake runtime, whose images report a fixed CPU usage, read back through
// metrics.k8s.io. `kubectl autoscale` (autoscaling/v1 before kubectl 1.32, v2 since) scales a
// busy Deployment up to its maximum, and an idle one comes down to its minimum.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

// burner: 400m of CPU per container, so 400% of a 100m request.
const std::string kPlugins = kNodeSidePlugins +
                             "  - uri: ukube.controller.v1.replicaset\n"
                             "  - uri: ukube.controller.v1.deployment\n"
                             "  - uri: ukube.controller.v1.garbagecollector\n"
                             "  - uri: ukube.controller.v1.horizontalpodautoscaling\n"
                             "    config: {sync_period_ms: 1000, cpu_initialization_period_ms: 1000}\n"
                             "  - uri: ukube.runtime.v1.fake\n"
                             "    config: {images: {burner: {cpu_nanocores: 400000000}}}\n"
                             "  - uri: ukube.kubelet.v1.kubelet\n"
                             "    config: {node_name: busy, port: 0}\n";

class HpaKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kPlugins); }
  // The kubelets' usage needs two samples 10 s apart before metrics.k8s.io reports it.
  bool soon(const std::function<bool()>& check) { return eventually(check, std::chrono::seconds(90)); }
  std::string events_with(const std::string& reason) {
    return get("events --field-selector reason=" + reason, ".items[*].message");
  }
};

TEST_F(HpaKubectl, KubectlAutoscaleScalesABusyDeploymentUpToItsMaximum) {
  ok("create deployment web --image=burner --replicas=1");
  ok("set resources deployment web --requests=cpu=100m");
  // kubectl before 1.32 writes autoscaling/v1; newer ones v2. Both land in one object.
  const std::string old_kubectl = kubectl_binary("1.30");
  if (!old_kubectl.empty()) {
    Kubectl v1_client(old_kubectl, *node_);
    CommandResult r = v1_client("autoscale deployment web --cpu-percent=50 --min=1 --max=4");
    ASSERT_EQ(r.exit_code, 0) << r.out;
  } else {
    ok("autoscale deployment web --cpu-percent=50 --min=1 --max=4");
  }
  EXPECT_EQ(get("horizontalpodautoscalers.v1.autoscaling web", ".spec.targetCPUUtilizationPercentage"), "50");
  EXPECT_EQ(get("horizontalpodautoscalers.v2.autoscaling web",
                ".spec.metrics[0].resource.target.averageUtilization"),
            "50");

  ASSERT_TRUE(soon([&] { return get("deployment web", ".spec.replicas") == "4"; }))
      << ok("get hpa,deploy,pods -o wide") << ok("describe hpa web");
  EXPECT_NE(events_with("SuccessfulRescale")
                .find("New size: 4; reason: cpu resource utilization (percentage of request) above target"),
            std::string::npos)
      << ok("get events");
  EXPECT_TRUE(soon([&] {
    return get("hpa web", ".status.currentMetrics[0].resource.current.averageUtilization") == "400" &&
           get("hpa web", ".status.currentReplicas") == "4";
  })) << ok("get hpa web -o yaml");
  // At its maximum it says so, and v1 clients read the same state.
  EXPECT_TRUE(soon([&] {
    return get("hpa web", R"(.status.conditions[?(@.type=="ScalingLimited")].reason)") == "TooManyReplicas";
  })) << ok("get hpa web -o yaml");
  EXPECT_EQ(get("horizontalpodautoscalers.v1.autoscaling web", ".status.currentCPUUtilizationPercentage"),
            "400");
  const std::string table = ok("get hpa web");
  EXPECT_NE(table.find("Deployment/web"), std::string::npos) << table;
  EXPECT_NE(table.find("cpu: 400%/50%"), std::string::npos) << table;
  const std::string described = ok("describe hpa web");
  EXPECT_NE(described.find("SuccessfulRescale"), std::string::npos) << described;
  EXPECT_NE(described.find("ScalingActive"), std::string::npos) << described;
}

TEST_F(HpaKubectl, AnIdleDeploymentComesDownToItsMinimum) {
  ok("create deployment idle --image=idle --replicas=3");
  ok("set resources deployment idle --requests=cpu=100m");
  ok("apply -f -", R"(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: idle}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: idle}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 0}
)");
  ASSERT_TRUE(soon([&] { return get("deployment idle", ".spec.replicas") == "1"; }))
      << ok("get hpa,deploy,pods -o wide") << ok("describe hpa idle");
  EXPECT_NE(events_with("SuccessfulRescale").find("New size: 1; reason: All metrics below target"),
            std::string::npos)
      << ok("get events");
  // The defaults of spec.behavior were filled in on the way to the store.
  EXPECT_EQ(get("hpa idle", ".spec.behavior.scaleUp.policies[0].type"), "Pods");
  EXPECT_EQ(get("hpa idle", ".spec.behavior.scaleDown.selectPolicy"), "Max");
}

}  // namespace
}  // namespace ukube::testing
