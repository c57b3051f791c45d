// The six admission plugins in the real daemon, observed with real kubectl: quota
// refusals exactly as upstream prints them, usage that falls after deletes, LimitRange
// defaults, the service account and its token volume, namespace lifecycle and pod
// priorities from PriorityClasses.
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const char* kAdmission =
    "  - uri: ukube.admission.v1.namespace-lifecycle\n"
    "  - uri: ukube.admission.v1.limit-ranger\n"
    "  - uri: ukube.admission.v1.service-account\n"
    "  - uri: ukube.admission.v1.priority\n"
    "  - uri: ukube.admission.v1.default-toleration-seconds\n"
    "  - uri: ukube.admission.v1.resource-quota\n"
    "  - uri: ukube.controller.v1.serviceaccount\n"
    "  - uri: ukube.controller.v1.root-ca-cert-publisher\n";

const char* kPause = "registry.k8s.io/pause:3.9";

class AdmissionKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kAdmission); }
  std::string run(const std::string& pod, const std::string& ns) {
    return "run " + pod + " --image=" + kPause + " -n " + ns;
  }
};

TEST_F(AdmissionKubectl, QuotaRefusesTheThirdPodAndUsageFallsAfterADelete) {
  ok("create namespace quota-demo");
  EXPECT_EQ(ok("create quota q --hard=pods=2 -n quota-demo"), "resourcequota/q created\n");
  // The quota constrains once the controller has written its status.
  ASSERT_TRUE(reads("quota q -n quota-demo", ".status.used.pods", "0"));
  EXPECT_EQ(ok(run("p1", "quota-demo")), "pod/p1 created\n");
  EXPECT_EQ(ok(run("p2", "quota-demo")), "pod/p2 created\n");

  CommandResult third = refused(run("p3", "quota-demo"));
  EXPECT_EQ(
      third.out,
      "Error from server (Forbidden): pods \"p3\" is forbidden: exceeded quota: q, requested: pods=1, used: "
      "pods=2, limited: pods=2\n");
  third = refused("create -f - -n quota-demo",
                  "apiVersion: v1\nkind: Pod\nmetadata: {name: p3}\nspec:\n  containers: [{name: c, image: " +
                      std::string(kPause) + "}]\n");
  EXPECT_EQ(third.out,
            "Error from server (Forbidden): error when creating \"STDIN\": pods \"p3\" is forbidden: "
            "exceeded quota: "
            "q, requested: pods=1, used: pods=2, limited: pods=2\n");

  std::string yaml = ok("get quota q -n quota-demo -o yaml");
  EXPECT_NE(yaml.find("status:\n  hard:\n    pods: \"2\"\n  used:\n    pods: \"2\"\n"), std::string::npos)
      << yaml;
  EXPECT_EQ(get("quota q -n quota-demo", ".status.used.pods"), "2");

  ok("delete pod p1 -n quota-demo --wait=false");
  ASSERT_TRUE(reads("quota q -n quota-demo", ".status.used.pods", "1"));
  EXPECT_EQ(ok(run("p3", "quota-demo")), "pod/p3 created\n");
  EXPECT_EQ(get("quota q -n quota-demo", ".status.used.pods"), "2");
  // kubectl's own view of the quota.
  std::string described = ok("describe quota q -n quota-demo");
  EXPECT_TRUE(std::regex_search(described, std::regex("pods\\s+2\\s+2"))) << described;
}

TEST_F(AdmissionKubectl, ComputeQuotaNeedsRequestsAndLimitRangesProvideThem) {
  ok("create namespace compute");
  ok("create quota compute --hard=requests.cpu=1,limits.memory=1Gi -n compute");
  ASSERT_TRUE(reads("quota compute -n compute", ".status.used.requests\\.cpu", "0"));
  CommandResult bare = refused(run("bare", "compute"));
  EXPECT_EQ(bare.out,
            "Error from server (Forbidden): pods \"bare\" is forbidden: failed quota: compute: must specify "
            "limits.memory for: bare; requests.cpu for: bare\n");
  // A LimitRange supplies what the quota requires; the pod is then charged what it got.
  ok("apply -n compute -f -", R"(apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {memory: 512Mi}
    defaultRequest: {cpu: 250m}
)");
  EXPECT_EQ(ok(run("fed", "compute")), "pod/fed created\n");
  EXPECT_EQ(get("quota compute -n compute", ".status.used"),
            R"({"limits.memory":"512Mi","requests.cpu":"250m"})");
}

TEST_F(AdmissionKubectl, LimitRangeDefaultsServiceAccountAndTolerations) {
  ok("create namespace lr-demo");
  ok("apply -n lr-demo -f -", R"(apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
)");
  EXPECT_EQ(ok(run("web", "lr-demo")), "pod/web created\n");
  EXPECT_EQ(get("pod web -n lr-demo", ".spec.containers[0].resources"),
            R"({"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}})");
  EXPECT_EQ(
      get("pod web -n lr-demo", ".metadata.annotations.kubernetes\\.io/limit-ranger"),
      "LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web");

  EXPECT_EQ(get("pod web -n lr-demo", ".spec.serviceAccountName"), "default");
  std::string volume = get("pod web -n lr-demo", ".spec.volumes[0].name");
  EXPECT_TRUE(std::regex_match(volume, std::regex("kube-api-access-[a-z0-9]{5}"))) << volume;
  EXPECT_EQ(get("pod web -n lr-demo",
                ".spec.volumes[0].projected.sources[*].serviceAccountToken.expirationSeconds"),
            "3607");
  EXPECT_EQ(get("pod web -n lr-demo", ".spec.volumes[0].projected.sources[1].configMap.name"),
            "kube-root-ca.crt");
  EXPECT_EQ(get("pod web -n lr-demo",
                ".spec.volumes[0].projected.sources[2].downwardAPI.items[0].fieldRef.fieldPath"),
            "metadata.namespace");
  EXPECT_EQ(get("pod web -n lr-demo", ".spec.containers[0].volumeMounts[0]"),
            R"({"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":")" + volume +
                R"(","readOnly":true})");
  EXPECT_EQ(get("pod web -n lr-demo", ".spec.tolerations[*].key"),
            "node.kubernetes.io/not-ready node.kubernetes.io/unreachable");
  EXPECT_EQ(get("pod web -n lr-demo", ".spec.tolerations[*].tolerationSeconds"), "300 300");

  // The controllers behind the plugin: a default account and the CA in every namespace.
  EXPECT_EQ(get("serviceaccount default -n lr-demo", ".metadata.name"), "default");
  std::string ca = read_file(node_->dir() / "data" / "pki" / "ca.crt");
  ASSERT_FALSE(ca.empty());
  ASSERT_TRUE(reads("configmap kube-root-ca.crt -n lr-demo", ".data.ca\\.crt", ca));

  CommandResult ghost = refused("run ghost --image=" + std::string(kPause) +
                                " -n lr-demo --overrides='{\"spec\":{\"serviceAccountName\":\"ghost\"}}'");
  EXPECT_EQ(ghost.out,
            "Error from server (Forbidden): pods \"ghost\" is forbidden: error looking up service account "
            "lr-demo/ghost: serviceaccount \"ghost\" not found\n");
}

TEST_F(AdmissionKubectl, NamespaceLifecycle) {
  ok("create namespace closing");
  ok("create -n closing -f -",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [example.com/hold]}\n");
  ok("delete namespace closing --wait=false");
  ASSERT_TRUE(reads("namespace closing", ".status.phase", "Terminating"));
  CommandResult answer = refused(run("late", "closing"));
  EXPECT_EQ(
      answer.out,
      "Error from server (Forbidden): pods \"late\" is forbidden: unable to create new content in namespace "
      "closing because it is being terminated\n");
  answer = refused(run("lost", "nowhere"));
  EXPECT_EQ(answer.out, "Error from server (NotFound): namespaces \"nowhere\" not found\n");
  answer = refused("delete namespace kube-public");
  EXPECT_EQ(
      answer.out,
      "Error from server (Forbidden): namespaces \"kube-public\" is forbidden: this namespace may not be "
      "deleted\n");
}

TEST_F(AdmissionKubectl, PriorityClassNamesResolveToPodPriority) {
  EXPECT_EQ(ok("create priorityclass high --value=1000"), "priorityclass.scheduling.k8s.io/high created\n");
  EXPECT_EQ(ok(run("vip", "default") + " --overrides='{\"spec\":{\"priorityClassName\":\"high\"}}'"),
            "pod/vip created\n");
  EXPECT_EQ(get("pod vip", ".spec.priority"), "1000");
  EXPECT_EQ(get("pod vip", ".spec.preemptionPolicy"), "PreemptLowerPriority");

  CommandResult lost =
      refused(run("lost", "default") + " --overrides='{\"spec\":{\"priorityClassName\":\"missing\"}}'");
  EXPECT_EQ(
      lost.out,
      "Error from server (Forbidden): pods \"lost\" is forbidden: no PriorityClass with name missing was "
      "found\n");
  // The system classes exist from the start, as in any upstream cluster.
  EXPECT_EQ(get("priorityclass system-node-critical", ".value"), "2000001000");
}

}  // namespace
}  // namespace ukube::testing
