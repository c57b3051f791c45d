// Upstream's visible defaults, applied by the kernel's pipeline on create.
#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

class Defaults : public ::testing::Test {
 protected:
  json::object create(const GroupVersionResource& gvr, std::string_view ns, std::string_view body) {
    return *k.client().create(gvr, ns, parse(body));
  }
  BuiltinKernel k;
};

struct Expect {
  const char* path;
  const char* json_value;
};

void expect_all(const json::object& o, std::initializer_list<Expect> list) {
  for (const auto& e : list) EXPECT_EQ(json::serialize(at(o, e.path)), e.json_value) << e.path;
}

TEST_F(Defaults, Pod) {
  auto pod = create(kPods, "default", R"({"metadata":{"name":"p"},"spec":{"containers":[
      {"name":"a","image":"nginx","ports":[{"containerPort":80}],
       "livenessProbe":{"httpGet":{"port":80}}},
      {"name":"b","image":"busybox:1.36"},
      {"name":"c","image":"registry.local:5000/app@sha256:abcd"}]}})");
  const auto& c0 = pod.at("spec").at("containers").at(0).as_object();
  expect_all(pod, {
                      {"spec.restartPolicy", "\"Always\""},
                      {"spec.dnsPolicy", "\"ClusterFirst\""},
                      {"spec.schedulerName", "\"default-scheduler\""},
                      {"spec.terminationGracePeriodSeconds", "30"},
                      {"spec.securityContext", "{}"},
                      {"spec.enableServiceLinks", "true"},
                      {"spec.serviceAccountName", "\"default\""},
                      {"spec.serviceAccount", "\"default\""},
                      {"spec.priority", "0"},
                      {"spec.preemptionPolicy", "\"PreemptLowerPriority\""},
                      {"status.phase", "\"Pending\""},
                      {"status.qosClass", "\"BestEffort\""},
                  });
  expect_all(c0, {
                     {"terminationMessagePath", "\"/dev/termination-log\""},
                     {"terminationMessagePolicy", "\"File\""},
                     {"imagePullPolicy", "\"Always\""},
                     {"resources", "{}"},
                     {"livenessProbe.timeoutSeconds", "1"},
                     {"livenessProbe.periodSeconds", "10"},
                     {"livenessProbe.successThreshold", "1"},
                     {"livenessProbe.failureThreshold", "3"},
                     {"livenessProbe.httpGet.path", "\"/\""},
                     {"livenessProbe.httpGet.scheme", "\"HTTP\""},
                 });
  EXPECT_EQ(c0.at("ports").at(0).at("protocol"), "TCP");
  EXPECT_EQ(pod.at("spec").at("containers").at(1).at("imagePullPolicy"), "IfNotPresent");
  EXPECT_EQ(pod.at("spec").at("containers").at(2).at("imagePullPolicy"), "IfNotPresent");
  // Not-ready / unreachable tolerations of 300 s, as DefaultTolerationSeconds adds them.
  const auto& tolerations = pod.at("spec").at("tolerations").as_array();
  ASSERT_EQ(tolerations.size(), 2u);
  EXPECT_EQ(tolerations[0].at("key"), "node.kubernetes.io/not-ready");
  EXPECT_EQ(tolerations[1].at("tolerationSeconds"), 300);
}

TEST_F(Defaults, PodQosClasses) {
  auto guaranteed = create(kPods, "default", R"({"metadata":{"name":"g"},"spec":{"containers":[
      {"name":"a","image":"x:1","resources":{"limits":{"cpu":"500m","memory":"128Mi"}}}]}})");
  EXPECT_EQ(at(guaranteed, "status.qosClass"), "Guaranteed");
  // Requests default to limits.
  EXPECT_EQ(guaranteed.at("spec").at("containers").at(0).at("resources").at("requests").at("cpu"), "500m");
  auto burstable = create(kPods, "default", R"({"metadata":{"name":"b"},"spec":{"containers":[
      {"name":"a","image":"x:1","resources":{"requests":{"cpu":"100m"}}}]}})");
  EXPECT_EQ(at(burstable, "status.qosClass"), "Burstable");
}

TEST_F(Defaults, PodVolumes) {
  auto pod =
      create(kPods, "default", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x:1"}],
      "volumes":[{"name":"scratch"},{"name":"cfg","configMap":{"name":"c"}},{"name":"s","secret":{"secretName":"s"}},
                 {"name":"h","hostPath":{"path":"/tmp"}}]}})");
  const auto& v = pod.at("spec").at("volumes").as_array();
  EXPECT_EQ(json::serialize(v[0]), R"({"name":"scratch","emptyDir":{}})");
  EXPECT_EQ(v[1].at("configMap").at("defaultMode"), 420);
  EXPECT_EQ(v[2].at("secret").at("defaultMode"), 420);
  EXPECT_EQ(v[3].at("hostPath").at("type"), "");
}

TEST_F(Defaults, Deployment) {
  auto d = create(kDeployments, "default", R"({"metadata":{"name":"web"},"spec":{
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}})");
  expect_all(d, {
                    {"spec.replicas", "1"},
                    {"spec.strategy.type", "\"RollingUpdate\""},
                    {"spec.strategy.rollingUpdate.maxUnavailable", "\"25%\""},
                    {"spec.strategy.rollingUpdate.maxSurge", "\"25%\""},
                    {"spec.revisionHistoryLimit", "10"},
                    {"spec.progressDeadlineSeconds", "600"},
                    {"spec.template.spec.restartPolicy", "\"Always\""},
                    {"spec.template.spec.dnsPolicy", "\"ClusterFirst\""},
                    {"spec.template.spec.schedulerName", "\"default-scheduler\""},
                    {"spec.template.spec.terminationGracePeriodSeconds", "30"},
                    {"spec.template.spec.securityContext", "{}"},
                });
  // Admission-time pod defaults are for pods only, not templates.
  EXPECT_TRUE(at(d, "spec.template.spec.serviceAccountName").is_null());
  EXPECT_TRUE(at(d, "spec.template.spec.tolerations").is_null());
  EXPECT_EQ(d.at("spec").at("template").at("spec").at("containers").at(0).at("imagePullPolicy"),
            "IfNotPresent");
}

TEST_F(Defaults, RecreateDeploymentHasNoRollingUpdate) {
  auto d =
      create(kDeployments, "default", R"({"metadata":{"name":"web"},"spec":{"strategy":{"type":"Recreate"},
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}}})");
  EXPECT_TRUE(at(d, "spec.strategy.rollingUpdate").is_null());
}

TEST_F(Defaults, StatefulSetDaemonSet) {
  auto s = create(kStatefulSets, "default", R"({"metadata":{"name":"db"},"spec":{"serviceName":"db",
      "selector":{"matchLabels":{"app":"db"}},
      "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"pg","image":"postgres:16"}]}},
      "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
                               "resources":{"requests":{"storage":"1Gi"}}}}]}})");
  expect_all(s, {
                    {"spec.replicas", "1"},
                    {"spec.podManagementPolicy", "\"OrderedReady\""},
                    {"spec.updateStrategy.type", "\"RollingUpdate\""},
                    {"spec.updateStrategy.rollingUpdate.partition", "0"},
                    {"spec.revisionHistoryLimit", "10"},
                    {"spec.persistentVolumeClaimRetentionPolicy.whenDeleted", "\"Retain\""},
                    {"spec.persistentVolumeClaimRetentionPolicy.whenScaled", "\"Retain\""},
                });
  EXPECT_EQ(s.at("spec").at("volumeClaimTemplates").at(0).at("spec").at("volumeMode"), "Filesystem");

  auto ds = create(kDaemonSets, "default", R"({"metadata":{"name":"agent"},"spec":{
      "selector":{"matchLabels":{"app":"agent"}},
      "template":{"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"a","image":"agent:1"}]}}}})");
  expect_all(ds, {
                     {"spec.updateStrategy.type", "\"RollingUpdate\""},
                     {"spec.updateStrategy.rollingUpdate.maxUnavailable", "1"},
                     {"spec.updateStrategy.rollingUpdate.maxSurge", "0"},
                     {"spec.revisionHistoryLimit", "10"},
                 });
}

TEST_F(Defaults, JobGetsGeneratedSelector) {
  auto job = create(kJobs, "default", R"({"metadata":{"name":"pi"},"spec":{"template":{"spec":{
      "restartPolicy":"Never","containers":[{"name":"pi","image":"perl:5.34"}]}}}})");
  std::string uid(at(job, "metadata.uid").as_string());
  expect_all(job, {
                      {"spec.completions", "1"},
                      {"spec.parallelism", "1"},
                      {"spec.backoffLimit", "6"},
                      {"spec.completionMode", "\"NonIndexed\""},
                      {"spec.suspend", "false"},
                      {"spec.podReplacementPolicy", "\"TerminatingOrFailed\""},
                  });
  EXPECT_EQ(job.at("spec").at("selector").at("matchLabels").at("batch.kubernetes.io/controller-uid"),
            uid.c_str());
  const auto& labels = job.at("spec").at("template").at("metadata").at("labels").as_object();
  EXPECT_EQ(labels.at("job-name"), "pi");
  EXPECT_EQ(labels.at("batch.kubernetes.io/job-name"), "pi");
  EXPECT_EQ(labels.at("controller-uid"), uid.c_str());
}

TEST_F(Defaults, JobSelectorIsGeneratedUnlessManual) {
  // The user's template labels stay beside the generated ones (upstream's generateSelector).
  auto job = create(kJobs, "default", R"({"metadata":{"name":"pi"},"spec":{
      "template":{"metadata":{"labels":{"app":"pi"}},"spec":{
      "restartPolicy":"Never","containers":[{"name":"pi","image":"perl:5.34"}]}}}})");
  std::string uid(at(job, "metadata.uid").as_string());
  const auto& match = job.at("spec").at("selector").at("matchLabels").as_object();
  EXPECT_EQ(match.size(), 1u);
  EXPECT_EQ(match.at("batch.kubernetes.io/controller-uid"), uid.c_str());
  const auto& labels = job.at("spec").at("template").at("metadata").at("labels").as_object();
  EXPECT_EQ(labels.at("app"), "pi");
  EXPECT_EQ(labels.at("controller-uid"), uid.c_str());

  // A selector of the user's own needs manualSelector, as upstream.
  try {
    create(kJobs, "default", R"({"metadata":{"name":"own"},"spec":{"selector":{"matchLabels":{"app":"pi"}},
        "template":{"metadata":{"labels":{"app":"pi"}},"spec":{
        "restartPolicy":"Never","containers":[{"name":"pi","image":"perl:5.34"}]}}}})");
    ADD_FAILURE() << "a hand-written selector without manualSelector was accepted";
  } catch (const ApiError& e) {
    EXPECT_NE(std::string(e.what()).find("`selector` not auto-generated"), std::string::npos) << e.what();
  }

  // A conflicting job-name label is refused rather than overwritten.
  EXPECT_THROW(create(kJobs, "default", R"({"metadata":{"name":"other"},"spec":{
      "template":{"metadata":{"labels":{"job-name":"pi"}},"spec":{
      "restartPolicy":"Never","containers":[{"name":"pi","image":"perl:5.34"}]}}}})"),
               ApiError);

  // With manualSelector the selector is the user's alone.
  auto manual = create(kJobs, "default", R"({"metadata":{"name":"manual"},"spec":{"manualSelector":true,
      "selector":{"matchLabels":{"app":"m"}},
      "template":{"metadata":{"labels":{"app":"m"}},"spec":{
      "restartPolicy":"Never","containers":[{"name":"pi","image":"perl:5.34"}]}}}})");
  EXPECT_EQ(manual.at("spec").at("selector").at("matchLabels").as_object().size(), 1u);
  EXPECT_FALSE(
      manual.at("spec").at("template").at("metadata").at("labels").as_object().contains("controller-uid"));
}

TEST_F(Defaults, CronJob) {
  auto cj = create(kCronJobs, "default", R"({"metadata":{"name":"tick"},"spec":{"schedule":"*/5 * * * *",
      "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"t","image":"busybox"}]}}}}}})");
  expect_all(cj, {
                     {"spec.concurrencyPolicy", "\"Allow\""},
                     {"spec.suspend", "false"},
                     {"spec.successfulJobsHistoryLimit", "3"},
                     {"spec.failedJobsHistoryLimit", "1"},
                     {"spec.jobTemplate.spec.template.spec.dnsPolicy", "\"ClusterFirst\""},
                 });
}

TEST_F(Defaults, ServiceFields) {
  auto svc = create(kServices, "default", R"({"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},
      "ports":[{"port":80}]}})");
  expect_all(svc, {
                      {"spec.type", "\"ClusterIP\""},
                      {"spec.sessionAffinity", "\"None\""},
                      {"spec.ports", R"([{"port":80,"protocol":"TCP","targetPort":80}])"},
                      {"spec.ipFamilies", R"(["IPv4"])"},
                      {"spec.ipFamilyPolicy", "\"SingleStack\""},
                      {"spec.internalTrafficPolicy", "\"Cluster\""},
                      {"status.loadBalancer", "{}"},
                  });
  EXPECT_TRUE(at(svc, "spec.externalTrafficPolicy").is_null());
  auto np = create(kServices, "default", R"({"metadata":{"name":"np"},"spec":{"type":"LoadBalancer",
      "clusterIP":"10.96.0.10","ports":[{"port":80,"nodePort":30080}]}})");
  expect_all(np, {
                     {"spec.externalTrafficPolicy", "\"Cluster\""},
                     {"spec.allocateLoadBalancerNodePorts", "true"},
                     {"spec.clusterIPs", R"(["10.96.0.10"])"},
                 });
}

TEST_F(Defaults, NetworkPolicyTypesFollowItsRules) {
  auto ingress_only =
      create(kNetworkPolicies, "default", R"({"metadata":{"name":"a"},"spec":{"podSelector":{},
      "ingress":[{"ports":[{"port":80}]}]}})");
  expect_all(ingress_only, {{"spec.policyTypes", R"(["Ingress"])"},
                            {"spec.ingress", R"([{"ports":[{"port":80,"protocol":"TCP"}]}])"}});
  auto both = create(kNetworkPolicies, "default", R"({"metadata":{"name":"b"},"spec":{"podSelector":{},
      "egress":[{}]}})");
  EXPECT_EQ(at(both, "spec.policyTypes"), json::parse(R"(["Ingress","Egress"])"));
  auto kept = create(kNetworkPolicies, "default", R"({"metadata":{"name":"c"},"spec":{"podSelector":{},
      "policyTypes":["Egress"]}})");
  EXPECT_EQ(at(kept, "spec.policyTypes"), json::parse(R"(["Egress"])"));
}

TEST_F(Defaults, NamespaceSecretAndBindings) {
  auto ns = create(kNamespaces, "", R"({"metadata":{"name":"team-a"}})");
  EXPECT_EQ(at(ns, "status.phase"), "Active");
  EXPECT_EQ(ns.at("metadata").at("labels").at("kubernetes.io/metadata.name"), "team-a");
  EXPECT_EQ(at(ns, "spec.finalizers"), json::parse(R"(["kubernetes"])"));  // the namespace controller's

  auto secret = create(kSecrets, "default", R"({"metadata":{"name":"s"},"stringData":{"user":"admin"}})");
  EXPECT_EQ(at(secret, "type"), "Opaque");
  EXPECT_EQ(secret.at("data").at("user"), "YWRtaW4=");
  EXPECT_FALSE(secret.contains("stringData"));

  auto rb = create(kRoleBindings, "default", R"({"metadata":{"name":"rb"},
      "roleRef":{"kind":"ClusterRole","name":"view"},
      "subjects":[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"bot","namespace":"default"}]})");
  EXPECT_EQ(at(rb, "roleRef.apiGroup"), "rbac.authorization.k8s.io");
  EXPECT_EQ(rb.at("subjects").at(0).at("apiGroup"), "rbac.authorization.k8s.io");
  EXPECT_EQ(rb.at("subjects").at(1).at("apiGroup"), "");
}

TEST_F(Defaults, UpdateKeepsDefaultsStable) {
  auto d = create(kDeployments, "default", R"({"metadata":{"name":"web"},"spec":{
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}})");
  // Re-sending the stored object changes nothing: defaulting is idempotent.
  auto again = *k.client().update(kDeployments, "default", d);
  EXPECT_EQ(at(again, "metadata.generation"), at(d, "metadata.generation"));
  EXPECT_EQ(at(again, "metadata.resourceVersion"), at(d, "metadata.resourceVersion"));
}

}  // namespace
}  // namespace ukube::builtin::testing
