// Upstream's field paths, reasons and messages for the common mistakes, through the
// kernel's pipeline (422 Invalid with one cause per problem).
#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

struct Case {
  const char* name;
  GroupVersionResource gvr;
  const char* ns;
  const char* body;
  const char* field;
  const char* reason;
  const char* message;
};

constexpr const char* kLabelRule =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const std::vector<Case> kCases = {
    {"pod without containers", kPods, "default", R"({"metadata":{"name":"p"},"spec":{}})", "spec.containers",
     "FieldValueRequired", "Required value"},
    {"pod container without image", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}})", "spec.containers[0].image",
     "FieldValueRequired", "Required value"},
    {"pod container without name", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"image":"x"}]}})", "spec.containers[0].name",
     "FieldValueRequired", "Required value"},
    {"pod container name not a label", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"Web_1","image":"x"}]}})",
     "spec.containers[0].name", "FieldValueInvalid", ""},
    {"pod duplicate container names", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}})",
     "spec.containers[1].name", "FieldValueDuplicate", "Duplicate value: \"a\""},
    {"pod port out of range", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","ports":[{"containerPort":70000}]}]}})",
     "spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"},
    {"pod bad protocol", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","ports":[{"containerPort":80,"protocol":"HTTP"}]}]}})",
     "spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
     "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""},
    {"pod bad restart policy", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"restartPolicy":"Sometimes","containers":[{"name":"a","image":"x"}]}})",
     "spec.restartPolicy", "FieldValueNotSupported",
     "Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\", \"OnFailure\""},
    {"pod mount of unknown volume", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","volumeMounts":[{"name":"data","mountPath":"/d"}]}]}})",
     "spec.containers[0].volumeMounts[0].name", "FieldValueNotFound", "Not found: \"data\""},
    {"pod requests above limits", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"1"},"requests":{"cpu":"2"}}}]}})",
     "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
     "Invalid value: \"2\": must be less than or equal to cpu limit of 1"},
    {"pod pull policy", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","imagePullPolicy":"Sometimes"}]}})",
     "spec.containers[0].imagePullPolicy", "FieldValueNotSupported",
     "Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\""},
    {"pod two volume sources", kPods, "default",
     R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"}],"volumes":[{"name":"v","emptyDir":{},"hostPath":{"path":"/"}}]}})",
     "spec.volumes[0].hostPath", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type"},
    {"deployment without selector", kDeployments, "default",
     R"({"metadata":{"name":"d"},"spec":{"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"a","image":"x"}]}}}})",
     "spec.selector", "FieldValueRequired", "Required value"},
    {"deployment selector does not match", kDeployments, "default",
     R"({"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"api","tier":"be"}},"spec":{"containers":[{"name":"a","image":"x"}]}}}})",
     "spec.template.metadata.labels", "FieldValueInvalid",
     "Invalid value: map[string]string{\"app\":\"api\", \"tier\":\"be\"}: `selector` does not match template "
     "`labels`"},
    {"deployment negative replicas", kDeployments, "default",
     R"({"metadata":{"name":"d"},"spec":{"replicas":-1,"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"a","image":"x"}]}}}})",
     "spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"},
    {"deployment template image", kDeployments, "default",
     R"({"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"a"}]}}}})",
     "spec.template.spec.containers[0].image", "FieldValueRequired", "Required value"},
    {"deployment restart policy", kDeployments, "default",
     R"({"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}})",
     "spec.template.spec.restartPolicy", "FieldValueNotSupported",
     "Unsupported value: \"Never\": supported values: \"Always\""},
    {"job default restart policy", kJobs, "default",
     R"({"metadata":{"name":"j"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}})",
     "spec.template.spec.restartPolicy", "FieldValueNotSupported",
     "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""},
    {"cronjob schedule", kCronJobs, "default",
     R"({"metadata":{"name":"c"},"spec":{"schedule":"every minute","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}}}})",
     "spec.schedule", "FieldValueInvalid", ""},
    {"service without ports", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"selector":{"app":"x"}}})", "spec.ports", "FieldValueRequired",
     "Required value"},
    {"service port zero", kServices, "default", R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":0}]}})",
     "spec.ports[0].port", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive"},
    {"service bad type", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"type":"Public","ports":[{"port":80}]}})", "spec.type",
     "FieldValueNotSupported",
     "Unsupported value: \"Public\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", "
     "\"NodePort\""},
    {"service unnamed ports", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":80},{"name":"b","port":81}]}})",
     "spec.ports[0].name", "FieldValueRequired", "Required value"},
    {"service node port on ClusterIP", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"nodePort":30000}]}})", "spec.ports[0].nodePort",
     "FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'"},
    {"service name is DNS-1035", kServices, "default",
     R"({"metadata":{"name":"1web"},"spec":{"ports":[{"port":80}]}})", "metadata.name", "FieldValueInvalid",
     ""},
    {"service None among two cluster IPs", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"clusterIP":"None","clusterIPs":["None","10.43.0.5"],"ports":[{"port":80}]}})",
     "spec.clusterIPs", "FieldValueInvalid",
     "Invalid value: []string{\"None\", \"10.43.0.5\"}: 'None' must be the first and only value"},
    {"service two cluster IPs of one family", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5","10.43.0.6"],
     "ipFamilyPolicy":"PreferDualStack","ports":[{"port":80}]}})",
     "spec.clusterIPs", "FieldValueInvalid",
     "Invalid value: []string{\"10.43.0.5\", \"10.43.0.6\"}: may specify no more than one IP for each IP "
     "family"},
    {"service cluster IP of the wrong family", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"clusterIP":"fd00::5","ipFamilies":["IPv4"],"ports":[{"port":80}]}})",
     "spec.clusterIPs[0]", "FieldValueInvalid",
     "Invalid value: \"fd00::5\": expected an IPv4 value as indicated by `ipFamilies[0]`"},
    {"service unknown IP family", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"ipFamilies":["IPv5"],"ports":[{"port":80}]}})",
     "spec.ipFamilies[0]", "FieldValueNotSupported",
     "Unsupported value: \"IPv5\": supported values: \"IPv4\", \"IPv6\""},
    {"externalname with cluster IP families", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"type":"ExternalName","externalName":"example.com","ipFamilies":["IPv4"]}})",
     "spec.ipFamilies", "FieldValueForbidden", "Forbidden: may not be set for ExternalName services"},
    {"netpol peer without a kind", kNetworkPolicies, "default",
     R"({"metadata":{"name":"p"},"spec":{"podSelector":{},"ingress":[{"from":[{}]}]}})",
     "spec.ingress[0].from[0]", "FieldValueRequired", "Required value: must specify a peer"},
    {"netpol ipBlock beside a selector", kNetworkPolicies, "default",
     R"({"metadata":{"name":"p"},"spec":{"podSelector":{},"egress":[{"to":[{"podSelector":{},
     "ipBlock":{"cidr":"10.0.0.0/8"}}]}]}})",
     "spec.egress[0].to[0]", "FieldValueForbidden", "Forbidden: may not specify more than 1 peer"},
    {"netpol except outside the cidr", kNetworkPolicies, "default",
     R"({"metadata":{"name":"p"},"spec":{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/8",
     "except":["192.168.0.0/16"]}}]}]}})",
     "spec.ingress[0].from[0].ipBlock.except[0]", "FieldValueInvalid",
     "Invalid value: \"192.168.0.0/16\": must be a strict subset of `cidr`"},
    {"netpol endPort below port", kNetworkPolicies, "default",
     R"({"metadata":{"name":"p"},"spec":{"podSelector":{},"ingress":[{"ports":[{"port":90,"endPort":80}]}]}})",
     "spec.ingress[0].ports[0].endPort", "FieldValueInvalid",
     "Invalid value: 80: must be greater than or equal to `port`"},
    {"netpol unknown protocol", kNetworkPolicies, "default",
     R"({"metadata":{"name":"p"},"spec":{"podSelector":{},"ingress":[{"ports":[{"protocol":"ICMP"}]}]}})",
     "spec.ingress[0].ports[0].protocol", "FieldValueNotSupported",
     "Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""},
    {"netpol unknown policy type", kNetworkPolicies, "default",
     R"({"metadata":{"name":"p"},"spec":{"podSelector":{},"policyTypes":["Sideways"]}})",
     "spec.policyTypes[0]", "FieldValueNotSupported",
     "Unsupported value: \"Sideways\": supported values: \"Egress\", \"Ingress\""},
    {"servicecidr without cidrs", kServiceCIDRs, "", R"({"metadata":{"name":"c"},"spec":{}})", "spec.cidrs",
     "FieldValueRequired", "Required value: at least one CIDR required"},
    {"servicecidr not a cidr", kServiceCIDRs, "",
     R"({"metadata":{"name":"c"},"spec":{"cidrs":["10.1.0.0"]}})", "spec.cidrs[0]", "FieldValueInvalid",
     "Invalid value: \"10.1.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"},
    {"servicecidr two of a family", kServiceCIDRs, "",
     R"({"metadata":{"name":"c"},"spec":{"cidrs":["10.1.0.0/16","10.2.0.0/16"]}})", "spec.cidrs",
     "FieldValueInvalid",
     "Invalid value: []string{\"10.1.0.0/16\", \"10.2.0.0/16\"}: may specify no more than one IP for each IP "
     "family, i.e 192.168.0.0/24 and 2001:db8::/64"},
    {"ipaddress named by no address", kIPAddresses, "",
     R"({"metadata":{"name":"web"},"spec":{"parentRef":{"resource":"services","namespace":"default","name":"s"}}})",
     "metadata.name", "FieldValueInvalid",
     "Invalid value: \"web\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"},
    {"ipaddress not canonical", kIPAddresses, "",
     R"({"metadata":{"name":"fd00:0::1"},"spec":{"parentRef":{"resource":"services","name":"s"}}})",
     "metadata.name", "FieldValueInvalid",
     "Invalid value: \"fd00:0::1\": must be in canonical form (\"fd00::1\")"},
    {"ipaddress without parent", kIPAddresses, "", R"({"metadata":{"name":"10.43.0.9"},"spec":{}})",
     "spec.parentRef", "FieldValueRequired", "Required value"},
    {"ipaddress parent without resource", kIPAddresses, "",
     R"({"metadata":{"name":"10.43.0.9"},"spec":{"parentRef":{"name":"s"}}})", "spec.parentRef.resource",
     "FieldValueRequired", "Required value"},
    {"externalname needs a name", kServices, "default",
     R"({"metadata":{"name":"s"},"spec":{"type":"ExternalName"}})", "spec.externalName", "FieldValueRequired",
     "Required value"},
    {"namespace name is a label", kNamespaces, "", R"({"metadata":{"name":"team.a"}})", "metadata.name",
     "FieldValueInvalid", ""},
    {"configmap bad key", kConfigMaps, "default", R"({"metadata":{"name":"c"},"data":{"bad key":"v"}})",
     "data[bad key]", "FieldValueInvalid", ""},
    {"secret tls keys", kSecrets, "default",
     R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA=="}})", "data[tls.key]",
     "FieldValueRequired", "Required value"},
    {"rolebinding without roleRef name", kRoleBindings, "default",
     R"({"metadata":{"name":"rb"},"roleRef":{"kind":"Role"}})", "roleRef.name", "FieldValueRequired",
     "Required value"},
    {"rolebinding bad subject kind", kRoleBindings, "default",
     R"({"metadata":{"name":"rb"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"Robot","name":"x"}]})",
     "subjects[0].kind", "FieldValueNotSupported",
     "Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\""},
    {"clusterrole name with a slash", kClusterRoles, "", R"({"metadata":{"name":"a/b"},"rules":[]})",
     "metadata.name", "FieldValueInvalid", "Invalid value: \"a/b\": may not contain '/'"},
    {"clusterrole rule without verbs", kClusterRoles, "",
     R"({"metadata":{"name":"cr"},"rules":[{"apiGroups":[""],"resources":["pods"]}]})", "rules[0].verbs",
     "FieldValueRequired", "Required value: verbs must contain at least one value"},
    {"node pod CIDR not a CIDR", kNodes, "", R"({"metadata":{"name":"n"},"spec":{"podCIDRs":["10.42.0.0"]}})",
     "spec.podCIDRs[0]", "FieldValueInvalid",
     "Invalid value: \"10.42.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"},
    {"node podCIDR alone not a CIDR", kNodes, "",
     R"({"metadata":{"name":"n"},"spec":{"podCIDR":"10.42.0.0/33"}})", "spec.podCIDRs[0]",
     "FieldValueInvalid",
     "Invalid value: \"10.42.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"},
    {"node two IPv4 pod CIDRs", kNodes, "",
     R"({"metadata":{"name":"n"},"spec":{"podCIDRs":["10.42.0.0/24","10.42.1.0/24"]}})", "spec.podCIDRs",
     "FieldValueInvalid",
     "Invalid value: []string{\"10.42.0.0/24\", \"10.42.1.0/24\"}: may specify no more than one CIDR for "
     "each IP "
     "family"},
    {"node duplicate pod CIDRs", kNodes, "",
     R"({"metadata":{"name":"n"},"spec":{"podCIDRs":["10.42.0.0/24","10.42.0.0/24"]}})", "spec.podCIDRs[1]",
     "FieldValueDuplicate", "Duplicate value: \"10.42.0.0/24\""},
    {"clusterrole non-resource URLs beside resources", kClusterRoles, "",
     R"({"metadata":{"name":"r"},"rules":[{"nonResourceURLs":["/metrics","/healthz"],"resources":["pods"],"verbs":["get"]}]})",
     "rules[0].nonResourceURLs", "FieldValueInvalid",
     "Invalid value: []string{\"/metrics\", \"/healthz\"}: rules cannot apply to both regular resources and "
     "non-resource URLs"},
};

TEST(Validation, CommonMistakes) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    BuiltinKernel k;
    auto e = expect_api_error([&] { k.client().create(c.gvr, c.ns, parse(c.body)); });
    EXPECT_EQ(e.code(), 422) << e.what();
    bool found = false;
    for (const auto& cause : e.causes) {
      if (cause.field != c.field) continue;
      found = true;
      EXPECT_EQ(cause.reason, c.reason) << cause.message;
      if (*c.message) {
        EXPECT_EQ(cause.message, c.message);
      }
    }
    EXPECT_TRUE(found) << "no cause for " << c.field << " in: " << e.what();
  }
}

TEST(Validation, InvalidMessageNamesKindAndField) {
  BuiltinKernel k;
  auto e = expect_api_error([&] {
    k.client().create(kDeployments, "default",
                      parse(R"({"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx"}]}}}})"));
  });
  EXPECT_STREQ(e.what(),
               "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value");
  auto label =
      expect_api_error([&] { k.client().create(kNamespaces, "", parse(R"({"metadata":{"name":"a.b"}})")); });
  ASSERT_EQ(label.causes.size(), 1u);
  EXPECT_EQ(label.causes[0].message, std::string("Invalid value: \"a.b\": ") + kLabelRule);
}

TEST(Validation, DeploymentSelectorIsImmutable) {
  BuiltinKernel k;
  auto d = *k.client().create(kDeployments, "default", parse(R"({"metadata":{"name":"web"},"spec":{
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web","v":"1"}},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}}})"));
  d["spec"].as_object()["selector"] = parse(R"({"matchLabels":{"app":"web","v":"1"}})");
  auto e = expect_api_error([&] { k.client().update(kDeployments, "default", d); });
  ASSERT_FALSE(e.causes.empty()) << e.what();
  EXPECT_EQ(e.causes[0].field, "spec.selector");
  EXPECT_EQ(e.causes[0].message,
            "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"v\":\"1\"}, "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
}

TEST(Validation, PodSpecUpdatesAreRestricted) {
  BuiltinKernel k;
  auto pod = *k.client().create(
      kPods, "default",
      parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"nginx:1"}]}})"));
  // The image may change; labels may change.
  pod["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "nginx:2";
  pod["metadata"].as_object()["labels"] = json::object{{"x", "y"}};
  pod = *k.client().update(kPods, "default", pod);
  EXPECT_EQ(pod.at("spec").at("containers").at(0).at("image"), "nginx:2");
  // The restart policy may not.
  pod["spec"].as_object()["restartPolicy"] = "Never";
  auto e = expect_api_error([&] { k.client().update(kPods, "default", pod); });
  ASSERT_EQ(e.causes.size(), 1u) << e.what();
  EXPECT_EQ(e.causes[0].field, "spec");
  EXPECT_EQ(e.causes[0].reason, "FieldValueForbidden");
}

// upstream's v1 conversion keeps spec.podCIDR and spec.podCIDRs in step, and
// ValidateNodeUpdate lets them change only from unset.
TEST(Validation, NodePodCidrsAreSetOnceAndKeptInStep) {
  BuiltinKernel k;
  auto node =
      *k.client().create(kNodes, "", parse(R"({"metadata":{"name":"n"},"spec":{"podCIDR":"10.42.3.0/24"}})"));
  EXPECT_EQ(json::serialize(node.at("spec").at("podCIDRs")), R"(["10.42.3.0/24"])");
  auto unset = *k.client().create(kNodes, "", parse(R"({"metadata":{"name":"fresh"}})"));
  EXPECT_FALSE(unset.contains("spec") && unset.at("spec").as_object().contains("podCIDRs"));
  // From unset to a dual-stack pair: allowed, podCIDR follows the first entry.
  unset["spec"] = parse(R"({"podCIDRs":["10.42.4.0/24","fd00:42:0:4::/64"]})");
  unset = *k.client().update(kNodes, "", unset);
  EXPECT_EQ(unset.at("spec").at("podCIDR"), "10.42.4.0/24");

  const std::string forbidden = "Forbidden: node updates may not change podCIDR except from \"\" to valid";
  for (const char* spec : {R"({"podCIDRs":["10.42.9.0/24"]})", R"({"podCIDRs":[]})",
                           R"({"podCIDRs":["10.42.3.0/24","fd00:42::/64"]})"}) {
    SCOPED_TRACE(spec);
    json::object changed = node;
    changed["spec"] = parse(spec);
    auto e = expect_api_error([&] { k.client().update(kNodes, "", changed); });
    EXPECT_EQ(e.code(), 422);
    ASSERT_FALSE(e.causes.empty()) << e.what();
    EXPECT_EQ(e.causes.back().field, "spec.podCIDRs");
    EXPECT_EQ(e.causes.back().reason, "FieldValueForbidden");
    EXPECT_EQ(e.causes.back().message, forbidden);
  }
  auto e = expect_api_error([&] {
    k.client().patch(kNodes, "", "n", PatchType::JsonMerge, R"({"spec":{"podCIDRs":["10.42.9.0/24"]}})");
  });
  EXPECT_STREQ(
      e.what(),
      "Node \"n\" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "
      "\"\" to valid");
  // podCIDR alone follows podCIDRs, as upstream's conversion makes it: the change is dropped.
  auto kept =
      *k.client().patch(kNodes, "", "n", PatchType::JsonMerge, R"({"spec":{"podCIDR":"10.42.9.0/24"}})");
  EXPECT_EQ(kept.at("spec").at("podCIDR"), "10.42.3.0/24");
  // Anything else may still change.
  kept = *k.client().patch(kNodes, "", "n", PatchType::JsonMerge, R"({"spec":{"unschedulable":true}})");
  EXPECT_EQ(json::serialize(kept.at("spec").at("podCIDRs")), R"(["10.42.3.0/24"])");
}

TEST(Validation, ValidObjectsPass) {
  BuiltinKernel k;
  auto& c = k.client();
  EXPECT_NO_THROW(c.create(
      kServices, "default",
      parse(R"({"metadata":{"name":"headless"},"spec":{"clusterIP":"None","selector":{"app":"x"}}})")));
  EXPECT_NO_THROW(c.create(
      kServices, "default",
      parse(R"({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"example.com"}})")));
  EXPECT_NO_THROW(
      c.create(kCronJobs, "default",
               parse(R"({"metadata":{"name":"c"},"spec":{"schedule":"0 */2 * * MON-FRI","timeZone":"Etc/UTC",
      "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}}}}}})")));
  EXPECT_NO_THROW(c.create(
      kSecrets, "default",
      parse(
          R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA==","tls.key":"eA=="}})")));
  EXPECT_NO_THROW(c.create(
      kClusterRoles, "",
      parse(
          R"({"metadata":{"name":"metrics"},"rules":[{"nonResourceURLs":["/metrics"],"verbs":["get"]}]})")));
  // RBAC names are path segments, not DNS names: upstream's bootstrap roles use colons.
  EXPECT_NO_THROW(c.create(kClusterRoles, "", parse(R"({"metadata":{"name":"system:node"},"rules":[]})")));
  EXPECT_NO_THROW(
      c.create(kRoleBindings, "default",
               parse(R"({"metadata":{"name":"system:Reader"},"roleRef":{"kind":"ClusterRole","name":"view"},
      "subjects":[{"kind":"User","name":"alice"}]})")));
  EXPECT_NO_THROW(c.create(
      {"", "v1", "persistentvolumeclaims"}, "default",
      parse(
          R"({"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}})")));
}

}  // namespace
}  // namespace ukube::builtin::testing
