// The schemas against the kernel's strict field validation and strategic merge patch:
// real-world manifests lose nothing, typos are reported, patches merge by key.
#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

// A pod spec using most fields people write by hand or tools generate.
constexpr const char* kRichPodSpec = R"({
  "volumes":[{"name":"cfg","configMap":{"name":"c","items":[{"key":"k","path":"p","mode":420}],"optional":true}},
             {"name":"sec","secret":{"secretName":"s","defaultMode":256}},
             {"name":"tmp","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}},
             {"name":"data","persistentVolumeClaim":{"claimName":"data","readOnly":false}},
             {"name":"token","projected":{"sources":[{"serviceAccountToken":{"path":"token","expirationSeconds":3600,"audience":"api"}},
                                                     {"downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}}]}}]}},
             {"name":"host","hostPath":{"path":"/var/log","type":"Directory"}},
             {"name":"nfs","nfs":{"server":"10.0.0.1","path":"/export","readOnly":true}}],
  "initContainers":[{"name":"init","image":"busybox","command":["sh","-c","true"],"restartPolicy":"Always"}],
  "containers":[{"name":"app","image":"registry/app:1.2","imagePullPolicy":"IfNotPresent","workingDir":"/app",
    "command":["/app"],"args":["--port=8080"],
    "ports":[{"name":"http","containerPort":8080,"protocol":"TCP","hostPort":0,"hostIP":""}],
    "env":[{"name":"A","value":"1"},{"name":"NODE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"spec.nodeName"}}},
           {"name":"CPU","valueFrom":{"resourceFieldRef":{"containerName":"app","resource":"limits.cpu","divisor":"1m"}}},
           {"name":"PW","valueFrom":{"secretKeyRef":{"name":"s","key":"pw","optional":false}}}],
    "envFrom":[{"prefix":"CFG_","configMapRef":{"name":"c","optional":true}},{"secretRef":{"name":"s"}}],
    "resources":{"limits":{"cpu":0.5,"memory":"256Mi"},"requests":{"cpu":"250m","memory":"128Mi"}},
    "resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}],
    "volumeMounts":[{"name":"cfg","mountPath":"/etc/app","readOnly":true,"subPath":"","mountPropagation":"None"}],
    "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP","httpHeaders":[{"name":"X","value":"y"}]},
                     "initialDelaySeconds":5,"periodSeconds":10,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3},
    "readinessProbe":{"tcpSocket":{"port":8080}},
    "startupProbe":{"exec":{"command":["true"]},"failureThreshold":30},
    "lifecycle":{"preStop":{"sleep":{"seconds":5}},"postStart":{"exec":{"command":["true"]}}},
    "securityContext":{"runAsUser":1000,"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false,
                       "capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}},
    "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"FallbackToLogsOnError",
    "stdin":false,"tty":false}],
  "restartPolicy":"Always","terminationGracePeriodSeconds":60,"dnsPolicy":"ClusterFirst",
  "nodeSelector":{"kubernetes.io/os":"linux"},"serviceAccountName":"app","automountServiceAccountToken":false,
  "securityContext":{"fsGroup":2000,"runAsGroup":3000,"supplementalGroups":[4000],"sysctls":[{"name":"net.ipv4.ip_local_port_range","value":"1024 65535"}]},
  "imagePullSecrets":[{"name":"regcred"}],"hostname":"app","subdomain":"apps",
  "affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{
     "labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}}]}},
  "tolerations":[{"key":"dedicated","operator":"Equal","value":"app","effect":"NoSchedule"}],
  "hostAliases":[{"ip":"127.0.0.1","hostnames":["app.local"]}],
  "priorityClassName":"","dnsConfig":{"nameservers":["1.1.1.1"],"searches":["svc.local"],"options":[{"name":"ndots","value":"2"}]},
  "readinessGates":[{"conditionType":"example.com/ready"}],"enableServiceLinks":false,
  "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway",
                                "labelSelector":{"matchLabels":{"app":"web"}}}],
  "os":{"name":"linux"},"schedulingGates":[{"name":"example.com/gate"}]
})";

TEST(StrictFields, RichManifestsKeepEveryField) {
  BuiltinKernel k;
  WriteOptions warn;
  std::vector<std::string> warnings;
  warn.field_validation = FieldValidation::Warn;
  warn.warnings = &warnings;

  json::object pod{{"metadata", {{"name", "p"}, {"labels", {{"app", "web"}}}, {"annotations", {{"a", "b"}}}}},
                   {"spec", json::parse(kRichPodSpec)}};
  auto created = k.client().create(kPods, "default", pod, warn);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(at(*created, "spec.affinity.podAntiAffinity").as_object().size(), 1u);
  EXPECT_EQ(created->at("spec").at("containers").at(0).at("resizePolicy").as_array().size(), 1u);

  json::object deploy =
      parse(R"({"metadata":{"name":"d"},"spec":{"replicas":2,"minReadySeconds":5,"paused":false,
      "selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["fe"]}]},
      "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":"10%"}},
      "template":{"metadata":{"labels":{"app":"web","tier":"fe"}}}}})");
  deploy["spec"].as_object()["template"].as_object()["spec"] = json::parse(kRichPodSpec);
  k.client().create(kDeployments, "default", deploy, warn);
  EXPECT_TRUE(warnings.empty()) << warnings.front();

  k.client().create(kServices, "default", parse(R"({"metadata":{"name":"s"},"spec":{"type":"LoadBalancer",
      "selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":"http","protocol":"TCP","appProtocol":"http"}],
      "sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},
      "externalTrafficPolicy":"Local","loadBalancerSourceRanges":["10.0.0.0/8"],"externalIPs":["192.0.2.10"],
      "publishNotReadyAddresses":true,"ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"]}})"),
                    warn);
  EXPECT_TRUE(warnings.empty()) << warnings.front();

  k.client().create(kCronJobs, "default",
                    parse(R"({"metadata":{"name":"c"},"spec":{"schedule":"@daily","timeZone":"UTC",
      "concurrencyPolicy":"Forbid","startingDeadlineSeconds":100,"successfulJobsHistoryLimit":1,
      "jobTemplate":{"metadata":{"labels":{"a":"b"}},"spec":{"backoffLimit":2,"activeDeadlineSeconds":600,"ttlSecondsAfterFinished":100,
        "template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"a","image":"x"}]}}}}}})"),
                    warn);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
}

TEST(StrictFields, TyposAreRejected) {
  BuiltinKernel k;
  WriteOptions strict;
  strict.field_validation = FieldValidation::Strict;
  auto e = expect_api_error([&] {
    k.client().create(
        kPods, "default",
        parse(
            R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","imagePullPolicyy":"Always"}]}})"),
        strict);
  });
  EXPECT_EQ(e.code(), 400);
  EXPECT_NE(std::string(e.what()).find("unknown field \"spec.containers[0].imagePullPolicyy\""),
            std::string::npos)
      << e.what();
}

TEST(StrictFields, StrategicMergeByName) {
  BuiltinKernel k;
  k.client().create(kDeployments, "default", parse(R"({"metadata":{"name":"d"},"spec":{
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
        {"name":"app","image":"app:1","env":[{"name":"A","value":"1"}]},{"name":"sidecar","image":"proxy:1"}]}}}})"));
  auto patched = k.client().patch(kDeployments, "default", "d", PatchType::StrategicMerge,
                                  R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2",
                                      "env":[{"name":"B","value":"2"}]}]}}}})");
  const auto& containers = patched->at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0].at("image"), "app:2");
  EXPECT_EQ(containers[0].at("env").as_array().size(), 2u);
  EXPECT_EQ(containers[1].at("name"), "sidecar");
}

}  // namespace
}  // namespace ukube::builtin::testing
