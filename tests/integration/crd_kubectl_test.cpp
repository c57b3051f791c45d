// Custom resources served like built-in types, driven with real kubectl 1.30 and 1.33:
// a CustomResourceDefinition in the style of popular operators (printer columns, status
// and scale subresources, defaults, enums, int-or-string, a list map), applied, explained,
// used, watched, scaled, survived across a restart and deleted with its instances; and
// one served in two versions converted by an HTTPS conversion webhook.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/integration/kubectl_fixture.h"
#include "tests/integration/webhook_server.h"
#include "ukube/base64.h"
#include "ukube/pki.h"

namespace ukube::testing {
namespace {

const std::string kWidgetCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Color
      type: string
      jsonPath: .spec.color
    - name: Ready
      type: string
      jsonPath: .status.conditions[?(@.type=="Ready")].status
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A Widget is a thing made of parts.
        properties:
          spec:
            type: object
            required: [color]
            x-kubernetes-validations:
            - rule: "self.replicas <= 5 || self.color != 'red'"
              message: red widgets run at most 5 replicas
            properties:
              tier:
                type: string
                maxLength: 16
                x-kubernetes-validations:
                - rule: self == oldSelf
                  messageExpression: "'tier ' + oldSelf + ' is immutable'"
              replicas:
                type: integer
                minimum: 0
                default: 1
                description: How many copies of the widget run.
              color:
                type: string
                enum: [red, green, blue]
              port:
                x-kubernetes-int-or-string: true
              size:
                type: object
                description: The widget's outer dimensions.
                properties:
                  width:
                    type: integer
                    description: Width in millimetres, at least 10.
                    minimum: 10
          status:
            type: object
            properties:
              replicas:
                type: integer
              selector:
                type: string
              conditions:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [type]
                items:
                  type: object
                  required: [type, status]
                  properties:
                    type: {type: string}
                    status: {type: string}
)";

std::string widget(const std::string& name, const std::string& spec) {
  return "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: " + name + "\nspec:\n" + spec;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CrdKubectl : public KubectlFixture<::testing::TestWithParam<std::string>> {
 protected:
  void SetUp() override {
    const std::string binary = kubectl_binary(GetParam());
    if (binary.empty()) GTEST_SKIP() << "kubectl " << GetParam() << " is not installed";
    start_node(binary, "  - uri: ukube.types.v1.apiextensions\n");
    ok("apply -f -", kWidgetCrd);
    wait_established();
  }
  // What users run before using a new definition: it is served once Established.
  void wait_established() { ok("wait --for=condition=Established crd/widgets.example.com --timeout=30s"); }
};

TEST_P(CrdKubectl, AppliedDefinitionIsServedListedAndExplained) {
  const std::string crds = ok("get crd");
  EXPECT_TRUE(contains(crds, "CREATED AT")) << crds;
  EXPECT_TRUE(contains(crds, "widgets.example.com")) << crds;
  EXPECT_EQ(get("crd widgets.example.com", R"(.status.conditions[?(@.type=="NamesAccepted")].reason)"),
            "NoConflicts");
  EXPECT_EQ(get("crd widgets.example.com", ".status.acceptedNames.kind"), "Widget");
  EXPECT_EQ(get("crd widgets.example.com", ".status.storedVersions[0]"), "v1");

  const std::string resources = ok("api-resources --api-group=example.com");
  EXPECT_TRUE(contains(resources, "widgets")) << resources;
  EXPECT_TRUE(contains(resources, "wd")) << resources;
  EXPECT_TRUE(contains(resources, "Widget")) << resources;

  const std::string explained = ok("explain widgets.spec.size");
  EXPECT_TRUE(contains(explained, "The widget's outer dimensions.")) << explained;
  EXPECT_TRUE(contains(explained, "width")) << explained;
  const std::string field = ok("explain widgets.spec.size.width");
  EXPECT_TRUE(contains(field, "Width in millimetres, at least 10.")) << field;
}

TEST_P(CrdKubectl, InstancesAreDefaultedListedWithTheirColumnsAndValidated) {
  ok("apply -f -", widget("w1", "  color: red\n  port: http\n"));
  EXPECT_EQ(get("widget w1", ".spec.replicas"), "1") << "the schema's default";
  EXPECT_EQ(get("wd w1", ".spec.port"), "http");
  const std::string table = ok("get widgets");
  EXPECT_TRUE(contains(table, "REPLICAS")) << table;
  EXPECT_TRUE(contains(table, "COLOR")) << table;
  EXPECT_TRUE(contains(table, "READY")) << table;
  EXPECT_TRUE(contains(table, "AGE")) << table;
  EXPECT_TRUE(contains(table, "red")) << table;
  EXPECT_TRUE(contains(ok("get all"), "widget.example.com/w1"));

  auto enum_error = refused("apply -f -", widget("w2", "  color: pink\n"));
  EXPECT_TRUE(contains(enum_error.out,
                       R"(spec.color: Unsupported value: "pink": supported values: "red", "green", "blue")"))
      << enum_error.out;
  auto type_error = refused("apply -f -", widget("w2", "  color: red\n  replicas: many\n"));
  EXPECT_TRUE(contains(
      type_error.out,
      R"(spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string")"))
      << type_error.out;
  auto several = refused("apply -f -", widget("w2", "  replicas: -1\n  size: {width: 5}\n"));
  EXPECT_TRUE(contains(several.out, "spec.color: Required value")) << several.out;
  EXPECT_TRUE(contains(several.out,
                       "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than "
                       "or equal to 0"))
      << several.out;
  EXPECT_TRUE(contains(several.out,
                       "spec.size.width: Invalid value: 5: spec.size.width in body should be greater "
                       "than or equal to 10"))
      << several.out;
  EXPECT_FALSE(contains(ok("get widgets -o name"), "w2"));

  // kubectl validates strictly by default: an unknown field is refused; without
  // validation it is dropped, as upstream prunes it.
  auto unknown = refused("apply -f -", widget("w3", "  color: blue\n  bogus: 1\n"));
  EXPECT_TRUE(contains(unknown.out, R"(unknown field "spec.bogus")")) << unknown.out;
  ok("apply --validate=false -f -", widget("w3", "  color: blue\n  bogus: 1\n"));
  EXPECT_EQ(get("widget w3", ".spec"), R"({"color":"blue","replicas":1})");
}

TEST_P(CrdKubectl, ScaleStatusPatchesApplyAndWatch) {
  ok("apply -f -", widget("w1", "  color: green\n"));
  BackgroundCommand watch(kubectl_->command("get widgets -w --output-watch-events"),
                          node_->dir() / "watch.out");

  ok("scale widget w1 --replicas=3");
  EXPECT_EQ(get("widget w1", ".spec.replicas"), "3");
  EXPECT_EQ(get("widget w1", ".metadata.generation"), "2");

  ok(R"(patch widget w1 --subresource=status --type=merge -p '{"status":{"replicas":3,"selector":"app=w1","conditions":[{"type":"Ready","status":"True"}]}}')");
  EXPECT_EQ(get("widget w1", ".status.replicas"), "3");
  EXPECT_EQ(get("widget w1", ".metadata.generation"), "2") << "status writes leave the generation";
  EXPECT_TRUE(contains(ok("get widget w1"), "True"));
  EXPECT_EQ(get("widget w1", ".status.selector"), "app=w1");
  // The main resource does not take status, the status subresource takes nothing else.
  ok(R"(patch widget w1 --type=merge -p '{"status":{"replicas":9}}')");
  EXPECT_EQ(get("widget w1", ".status.replicas"), "3");

  // Custom resources take no strategic merge patch: upstream's 415.
  auto strategic = refused(R"(patch widget w1 -p '{"spec":{"color":"blue"}}')");
  EXPECT_TRUE(contains(strategic.out,
                       "the body of the request was in an unknown format - accepted media types "
                       "include: application/json-patch+json, application/merge-patch+json, "
                       "application/apply-patch+yaml"))
      << strategic.out;
  // Client-side apply falls back to a JSON merge patch; server-side apply works as for any type.
  ok("apply -f -", widget("w1", "  color: blue\n"));
  EXPECT_EQ(get("widget w1", ".spec.color"), "blue");
  ok("apply --server-side --force-conflicts -f -", widget("w1", "  color: red\n  replicas: 2\n"));
  EXPECT_EQ(get("widget w1", ".spec.color"), "red");
  EXPECT_EQ(get("widget w1", ".spec.replicas"), "2");

  ok("apply -f -", widget("w2", "  color: red\n"));
  ASSERT_TRUE(eventually([&] { return contains(watch.output(), "ADDED") && contains(watch.output(), "w2"); },
                         std::chrono::seconds(20)))
      << watch.output();
  EXPECT_TRUE(contains(watch.output(), "MODIFIED")) << watch.output();
}

TEST_P(CrdKubectl, DefinitionAndInstancesSurviveARestartAndGoWithTheDefinition) {
  ok("apply -f -", widget("w1", "  color: red\n"));
  ok("create namespace other");
  ok("apply -n other -f -", widget("w9", "  color: blue\n"));

  node_->kill_daemon();
  node_->start_daemon();
  ASSERT_TRUE(eventually([&] { return (*kubectl_)("get widgets").exit_code == 0; }, std::chrono::seconds(30)))
      << node_->log();
  EXPECT_EQ(get("widget w1", ".spec.color"), "red");
  EXPECT_EQ(get("widget -n other w9", ".spec.replicas"), "1");

  ok("delete crd widgets.example.com --timeout=60s");
  EXPECT_TRUE(eventually([&] { return (*kubectl_)("get crd widgets.example.com").exit_code != 0; },
                         std::chrono::seconds(30)));
  // The resource type is gone, and so are its instances: a new definition finds none.
  auto gone = (*kubectl_)("get widgets");
  EXPECT_NE(gone.exit_code, 0) << gone.out;
  ok("apply -f -", kWidgetCrd);
  wait_established();
  EXPECT_EQ(ok("get widgets -A -o name"), "");
}

TEST_P(CrdKubectl, ValidationRulesRefuseInstancesAndDefinitionsWithUpstreamsMessages) {
  auto too_many = refused("apply -f -", widget("w1", "  color: red\n  replicas: 7\n"));
  EXPECT_TRUE(contains(too_many.out, R"(spec: Invalid value: "object": red widgets run at most 5 replicas)"))
      << too_many.out;
  ok("apply -f -", widget("w1", "  color: red\n  replicas: 3\n  tier: gold\n"));
  auto transition = refused("apply -f -", widget("w1", "  color: red\n  replicas: 3\n  tier: silver\n"));
  EXPECT_TRUE(contains(transition.out, R"(spec.tier: Invalid value: "string": tier gold is immutable)"))
      << transition.out;
  EXPECT_EQ(get("widget w1", ".spec.tier"), "gold");

  const std::string bad_rule = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gizmos, kind: Gizmo}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              names:
                type: array
                items: {type: string}
                x-kubernetes-validations:
                - rule: self.all(x, self.exists(y, x.matches(y)))
              count:
                type: integer
                x-kubernetes-validations:
                - rule: self.nosuch == 1
)";
  auto refused_crd = refused("apply -f -", bad_rule);
  EXPECT_TRUE(contains(refused_crd.out,
                       "spec.validation.openAPIV3Schema.properties[spec].properties[count]."
                       "x-kubernetes-validations[0].rule: Invalid value:"))
      << refused_crd.out;
  EXPECT_TRUE(contains(refused_crd.out,
                       "compilation failed: ERROR: <input>:1:5: type 'int' does not support "
                       "field selection"))
      << refused_crd.out;
  EXPECT_TRUE(
      contains(refused_crd.out,
               "properties[names].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds "
               "budget by factor of more than 100x"))
      << refused_crd.out;
  EXPECT_NE((*kubectl_)("get crd gizmos.example.com").exit_code, 0);
}

// Three definitions in one file, as operators ship them: a namespaced resource served in two
// versions (None conversion) with CEL rules, a cluster-scoped one, and one with status and
// scale subresources and printer columns.
const std::string kOperatorBundle = R"yaml(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: certificates.certs.example.io
spec:
  group: certs.example.io
  scope: Namespaced
  names: {plural: certificates, singular: certificate, kind: Certificate, shortNames: [cert, certs]}
  versions:
  - name: v1alpha1
    served: true
    storage: false
    deprecated: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Secret, type: string, jsonPath: .spec.secretName}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [secretName, dnsNames]
            x-kubernetes-validations:
            - rule: "!has(self.duration) || !has(self.renewBefore) || self.renewBefore < self.duration"
              message: spec.renewBefore must be shorter than spec.duration
            - rule: "self.dnsNames.all(n, n.size() <= 253 && n.matches('^[a-z0-9*]([-a-z0-9.]*[a-z0-9])?$'))"
              messageExpression: "'invalid DNS names: ' + self.dnsNames.filter(n, !n.matches('^[a-z0-9*]([-a-z0-9.]*[a-z0-9])?$')).join(', ')"
              fieldPath: .dnsNames
            properties:
              secretName: {type: string, maxLength: 253}
              dnsNames:
                type: array
                maxItems: 100
                items: {type: string, maxLength: 253}
              duration: {type: string, format: duration}
              renewBefore: {type: string, format: duration}
              issuerRef:
                type: object
                properties:
                  name: {type: string}
                  kind: {type: string, default: Issuer}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: clusterissuers.certs.example.io
spec:
  group: certs.example.io
  scope: Cluster
  names: {plural: clusterissuers, singular: clusterissuer, kind: ClusterIssuer}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "has(self.selfSigned) != has(self.ca)"
              message: exactly one of selfSigned and ca must be set
            properties:
              selfSigned: {type: object}
              ca:
                type: object
                properties:
                  secretName: {type: string}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: replicasets.db.example.io
spec:
  group: db.example.io
  scope: Namespaced
  names: {plural: replicasets, singular: replicaset, kind: ReplicaSet, shortNames: [dbrs], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.members, statusReplicasPath: .status.members}
    additionalPrinterColumns:
    - {name: Members, type: integer, jsonPath: .spec.members}
    - {name: Version, type: string, jsonPath: .spec.version}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              members:
                type: integer
                minimum: 1
                x-kubernetes-validations:
                - rule: self % 2 == 1
                  message: members must be odd
              version:
                type: string
                x-kubernetes-validations:
                - rule: "!oldSelf.startsWith('3.') || self.startsWith('3.')"
                  message: a downgrade from 3.x is not supported
          status:
            type: object
            properties:
              members: {type: integer}
)yaml";

TEST_P(CrdKubectl, AnOperatorsBundleOfDefinitionsAppliesAndServes) {
  ok("apply -f -", kOperatorBundle);
  ok("wait --for=condition=Established crd --all --timeout=30s");
  ok("apply -f -", R"(apiVersion: certs.example.io/v1
kind: Certificate
metadata: {name: web}
spec: {secretName: web-tls, dnsNames: [example.com, www.example.com], duration: 2160h, renewBefore: 360h}
---
apiVersion: certs.example.io/v1
kind: ClusterIssuer
metadata: {name: root}
spec: {selfSigned: {}}
---
apiVersion: db.example.io/v1
kind: ReplicaSet
metadata: {name: main}
spec: {members: 3, version: "2.9"}
)");
  EXPECT_EQ(get("cert web", ".spec.issuerRef"), "") << "no issuerRef, so nothing to default in it";
  EXPECT_TRUE(contains(ok("get certificates"), "web-tls"));
  EXPECT_EQ(get("certificates.v1alpha1.certs.example.io web", ".spec.secretName"), "web-tls");
  EXPECT_TRUE(contains(ok("get clusterissuers"), "root"));
  EXPECT_TRUE(contains(ok("get dbrs"), "2.9"));

  auto renew = refused("apply -f -", R"(apiVersion: certs.example.io/v1
kind: Certificate
metadata: {name: bad}
spec: {secretName: bad-tls, dnsNames: [Bad_Name.example.com, ok.example.com], duration: 1h, renewBefore: 2h}
)");
  EXPECT_TRUE(contains(
      renew.out, R"(spec: Invalid value: "object": spec.renewBefore must be shorter than spec.duration)"))
      << renew.out;
  EXPECT_TRUE(contains(renew.out,
                       R"(spec.dnsNames: Invalid value: "object": invalid DNS names: Bad_Name.example.com)"))
      << renew.out;
  auto issuer = refused("apply -f -", R"(apiVersion: certs.example.io/v1
kind: ClusterIssuer
metadata: {name: both}
spec: {selfSigned: {}, ca: {secretName: ca}}
)");
  EXPECT_TRUE(contains(issuer.out, "exactly one of selfSigned and ca must be set")) << issuer.out;
  auto even = refused("scale dbrs main --replicas=4");
  EXPECT_TRUE(contains(even.out, "members must be odd")) << even.out;
  ok("scale dbrs main --replicas=5");
  EXPECT_EQ(get("dbrs main", ".spec.members"), "5");
  ok(R"(patch dbrs main --type=merge -p '{"spec":{"version":"3.0"}}')");
  auto downgrade = refused(R"(patch dbrs main --type=merge -p '{"spec":{"version":"2.9"}}')");
  EXPECT_TRUE(contains(downgrade.out,
                       R"(spec.version: Invalid value: "string": a downgrade from 3.x is not supported)"))
      << downgrade.out;
}

// Converts Gadgets between v1beta1 (spec.color) and v1 (spec.paint), noting each
// desiredAPIVersion it is asked for in <state_dir>/reviews.
const char* kConversionHandler = R"PY(
import http.server, json, os

class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["request"]
        desired = request["desiredAPIVersion"]
        with open(os.path.join(state_dir, "reviews"), "a") as f:
            f.write(desired + "\n")
        converted = []
        for obj in request["objects"]:
            spec = obj.setdefault("spec", {})
            if desired == "example.com/v1" and "color" in spec:
                spec["paint"] = spec.pop("color")
            if desired == "example.com/v1beta1" and "paint" in spec:
                spec["color"] = spec.pop("paint")
            obj["apiVersion"] = desired
            converted.append(obj)
        send_json(self, {"apiVersion": "apiextensions.k8s.io/v1", "kind": "ConversionReview",
                         "response": {"uid": request["uid"], "convertedObjects": converted,
                                      "result": {"status": "Success"}}})

    def log_message(self, *args):
        pass
)PY";

std::string gadget_crd(const std::string& url, const std::string& ca_pem) {
  auto version = [](const std::string& name, bool storage, const std::string& field) {
    return "  - name: " + name + "\n    served: true\n    storage: " + (storage ? "true" : "false") +
           "\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          "
           "spec:\n"
           "            type: object\n            properties:\n              " +
           field + ": {type: string}\n";
  };
  return "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
         "  name: gadgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n"
         "  names: {plural: gadgets, singular: gadget, kind: Gadget}\n"
         "  conversion:\n    strategy: Webhook\n    webhook:\n      conversionReviewVersions: [v1]\n"
         "      clientConfig:\n        url: \"" +
         url + "\"\n        caBundle: \"" + base64_encode(ca_pem) + "\"\n  versions:\n" +
         version("v1beta1", false, "color") + version("v1", true, "paint");
}

TEST_P(CrdKubectl, VersionsAreConvertedByTheDefinitionsWebhook) {
  if (run_command("command -v python3").exit_code != 0)
    GTEST_SKIP() << "python3 is not installed: it serves the test's conversion webhook";
  auto ca = pki::CertificateAuthority::load_or_create(node_->dir() / "webhook-ca");
  auto server = std::make_unique<WebhookServer>(node_->dir() / "converter", ca, kConversionHandler);
  ASSERT_TRUE(server->ready()) << server->log();
  ok("apply -f -", gadget_crd(server->url("/convert"), ca.certificate_pem()));
  ok("wait --for=condition=Established crd/gadgets.example.com --timeout=30s");

  // Written as v1beta1, stored as v1 (the storage version), read back as either.
  ok("apply -f -",
     "apiVersion: example.com/v1beta1\nkind: Gadget\nmetadata:\n  name: g1\nspec:\n  color: red\n");
  EXPECT_EQ(get("gadgets.v1.example.com g1", ".spec.paint"), "red");
  EXPECT_EQ(get("gadgets.v1beta1.example.com g1", ".spec.color"), "red");
  EXPECT_EQ(get("gadgets.v1beta1.example.com g1", ".apiVersion"), "example.com/v1beta1");
  const std::string reviews = read_file(node_->dir() / "converter" / "reviews");
  EXPECT_NE(reviews.find("example.com/v1\n"), std::string::npos) << reviews;
  EXPECT_NE(reviews.find("example.com/v1beta1\n"), std::string::npos) << reviews;
  EXPECT_EQ(get("crd gadgets.example.com", ".status.storedVersions"), R"(["v1"])");

  // Without its webhook, reads that need a conversion fail as upstream's do.
  server.reset();
  auto failed = refused("get gadgets.v1beta1.example.com g1");
  EXPECT_NE(failed.out.find("conversion webhook for example.com/v1, Kind=Gadget failed: Post "),
            std::string::npos)
      << failed.out;
  EXPECT_EQ(get("gadgets.v1.example.com g1", ".spec.paint"), "red") << "the storage version needs no webhook";
}

INSTANTIATE_TEST_SUITE_P(Kubectl, CrdKubectl, ::testing::Values("1.30", "1.33"), [](const auto& info) {
  return "kubectl_" + std::string(info.param == "1.30" ? "1_30" : "1_33");
});

}  // namespace
}  // namespace ukube::testing
