// ukube.admission.v1.webhook in the real daemon, seen through real kubectl: a validating
// webhook denies labelled ConfigMaps, a mutating one adds a label, and with the webhook
// server gone failurePolicy Ignore admits while Fail refuses with upstream's message.
// The webhook server is python3's http.server over TLS, with a certificate from a
// throwaway CA the test makes; caBundle carries that CA.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/integration/kubectl_harness.h"
#include "tests/integration/webhook_server.h"
#include "ukube/base64.h"
#include "ukube/pki.h"

namespace ukube::testing {
namespace {

// Answers /validate (deny when the object is labelled deny=true) and /mutate (adds the
// label mutated=by-webhook), writing each review it receives to <dir>/last-review.json.
const char* kHandler = R"PY(
import base64, http.server, json, os

class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(os.path.join(state_dir, "last-review.json"), "w") as f:
            json.dump({"path": self.path, "review": review}, f)
        request = review["request"]
        labels = ((request.get("object") or {}).get("metadata") or {}).get("labels") or {}
        response = {"uid": request["uid"], "allowed": True}
        if self.path.startswith("/validate") and labels.get("deny") == "true":
            response = {"uid": request["uid"], "allowed": False,
                        "status": {"message": "ConfigMaps labelled deny=true are not allowed here"}}
        if self.path.startswith("/mutate"):
            if labels:
                patch = [{"op": "add", "path": "/metadata/labels/mutated", "value": "by-webhook"}]
            else:
                patch = [{"op": "add", "path": "/metadata/labels", "value": {"mutated": "by-webhook"}}]
            response["patchType"] = "JSONPatch"
            response["patch"] = base64.b64encode(json.dumps(patch).encode()).decode()
        send_json(self, {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                         "response": response})

    def log_message(self, *args):
        pass

)PY";

std::string configmap(const std::string& name, const std::string& labels) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  labels: " + labels +
         "\ndata:\n  k: v\n";
}

// One webhook configuration of `kind` with one webhook on ConfigMap creates.
std::string configuration(const std::string& kind, const std::string& name, const std::string& hook,
                          const std::string& url, const std::string& ca_pem,
                          const std::string& failure_policy, const std::string& object_labels) {
  return "apiVersion: admissionregistration.k8s.io/v1\nkind: " + kind + "\nmetadata:\n  name: " + name +
         "\nwebhooks:\n- name: " + hook + "\n  clientConfig:\n    url: \"" + url + "\"\n    caBundle: \"" +
         base64_encode(ca_pem) +
         "\"\n  rules:\n  - operations: [CREATE]\n    apiGroups: [\"\"]\n    apiVersions: [v1]\n    "
         "resources: "
         "[configmaps]\n  objectSelector:\n    matchLabels: " +
         object_labels + "\n  failurePolicy: " + failure_policy +
         "\n  timeoutSeconds: 5\n  sideEffects: None\n  admissionReviewVersions: [v1]\n";
}

class WebhookKubectl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new Node("  - uri: ukube.admission.v1.webhook\n");
    ca_ =
        new pki::CertificateAuthority(pki::CertificateAuthority::load_or_create(node_->dir() / "webhook-ca"));
  }
  static void TearDownTestSuite() {
    delete ca_;
    delete node_;
    ca_ = nullptr;
    node_ = nullptr;
  }
  void SetUp() override {
    if (run_command("command -v python3").exit_code != 0)
      GTEST_SKIP() << "python3 is not installed: it serves the test's webhook";
    ASSERT_TRUE(node_->ready()) << node_->log();
    std::string binary = kubectl_binary("1.33");
    kubectl_ = std::make_unique<Kubectl>(binary.empty() ? "kubectl" : binary, *node_);
    server_ = std::make_unique<WebhookServer>(
        node_->dir() /
            ("webhook-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())),
        *ca_, kHandler);
    ASSERT_TRUE(server_->ready()) << server_->log();
  }
  void TearDown() override {
    if (HasFailure() && node_)
      std::cerr << "daemon log:\n" << node_->log() << "\nwebhook log:\n" << server_->log();
    if (kubectl_) (*kubectl_)("delete validatingwebhookconfigurations,mutatingwebhookconfigurations --all");
    // The daemon outlives every webhook failure.
    if (kubectl_) {
      EXPECT_EQ((*kubectl_)("get --raw /readyz").out, "ok");
    }
  }
  CommandResult kubectl(const std::string& args, const std::string& stdin_text = "") {
    return (*kubectl_)(args, stdin_text);
  }
  std::string ok(const std::string& args, const std::string& stdin_text = "") {
    CommandResult r = kubectl(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args << "\n" << r.out;
    return r.out;
  }
  // Configurations reach the plugin through its informers: wait until a dry run shows it.
  bool dry_run_says(const std::string& object_yaml, const std::string& text) {
    return eventually(
        [&] {
          return kubectl("create --dry-run=server -o yaml -f -", object_yaml).out.find(text) !=
                 std::string::npos;
        },
        std::chrono::seconds(20));
  }

  static Node* node_;
  static pki::CertificateAuthority* ca_;
  std::unique_ptr<Kubectl> kubectl_;
  std::unique_ptr<WebhookServer> server_;
};

Node* WebhookKubectl::node_ = nullptr;
pki::CertificateAuthority* WebhookKubectl::ca_ = nullptr;

TEST_F(WebhookKubectl, ValidatingWebhookDeniesLabelledConfigMaps) {
  ok("create -f -", configuration("ValidatingWebhookConfiguration", "deny-labelled", "deny.example.com",
                                  server_->url("/validate"), ca_->certificate_pem(), "Fail", "{}"));
  EXPECT_NE(ok("get validatingwebhookconfigurations").find("deny-labelled"), std::string::npos);
  ASSERT_TRUE(dry_run_says(configmap("probe", "{deny: \"true\"}"), "denied the request"));

  CommandResult denied = kubectl("create -f -", configmap("refused", "{deny: \"true\"}"));
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.out.find("Error from server"), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("admission webhook \"deny.example.com\" denied the request: ConfigMaps labelled "
                            "deny=true are not allowed here"),
            std::string::npos)
      << denied.out;
  CommandResult lookup = kubectl("get configmap refused");
  EXPECT_NE(lookup.exit_code, 0);
  EXPECT_NE(lookup.out.find("configmaps \"refused\" not found"), std::string::npos) << lookup.out;

  ok("create -f -", configmap("welcome", "{}"));
  EXPECT_EQ(ok("get configmap welcome -o jsonpath={.data.k}"), "v");

  // What the webhook was sent for the last create.
  boost::json::object seen = server_->last_review();
  EXPECT_EQ(seen.at("path"), "/validate?timeout=5s");
  const auto& request = seen.at("review").at("request");
  EXPECT_EQ(seen.at("review").at("apiVersion"), "admission.k8s.io/v1");
  EXPECT_EQ(request.at("operation"), "CREATE");
  EXPECT_EQ(request.at("kind").at("kind"), "ConfigMap");
  EXPECT_EQ(request.at("resource").at("resource"), "configmaps");
  EXPECT_EQ(request.at("namespace"), "default");
  EXPECT_EQ(request.at("name"), "welcome");
  EXPECT_EQ(request.at("userInfo").at("username"), "ukube-admin");
  EXPECT_EQ(request.at("object").at("data").at("k"), "v");
  EXPECT_TRUE(request.at("oldObject").is_null());
}

TEST_F(WebhookKubectl, MutatingWebhookAddsALabel) {
  ok("create -f -",
     configuration("MutatingWebhookConfiguration", "add-label", "mutate.example.com", server_->url("/mutate"),
                   ca_->certificate_pem(), "Fail", "{mutate: \"yes\"}"));
  ASSERT_TRUE(dry_run_says(configmap("probe", "{mutate: \"yes\"}"), "mutated: by-webhook"));
  ok("create -f -", configmap("changed", "{mutate: \"yes\"}"));
  EXPECT_EQ(ok("get configmap changed -o jsonpath={.metadata.labels.mutated}"), "by-webhook");
  EXPECT_EQ(ok("get configmap changed -o jsonpath={.metadata.labels.mutate}"), "yes");
  // The object selector keeps other ConfigMaps away from the webhook.
  ok("create -f -", configmap("untouched", "{other: \"x\"}"));
  EXPECT_EQ(ok("get configmap untouched -o jsonpath={.metadata.labels.mutated}"), "");
}

TEST_F(WebhookKubectl, FailurePolicyDecidesWhenTheServerIsGone) {
  ok("create -f -",
     configuration("ValidatingWebhookConfiguration", "fail-open", "ignore.example.com",
                   server_->url("/validate"), ca_->certificate_pem(), "Ignore", "{policy: ignore}"));
  ok("create -f -",
     configuration("ValidatingWebhookConfiguration", "fail-closed", "fail.example.com",
                   server_->url("/validate"), ca_->certificate_pem(), "Fail", "{policy: fail}"));
  ASSERT_TRUE(dry_run_says(configmap("probe", "{policy: ignore, deny: \"true\"}"), "ignore.example.com"));
  ASSERT_TRUE(dry_run_says(configmap("probe", "{policy: fail, deny: \"true\"}"), "fail.example.com"));

  const std::string url = server_->url("/validate");
  server_->stop();

  ok("create -f -", configmap("let-through", "{policy: ignore}"));
  EXPECT_EQ(ok("get configmap let-through -o jsonpath={.metadata.name}"), "let-through");

  CommandResult refused = kubectl("create -f -", configmap("refused", "{policy: fail}"));
  EXPECT_NE(refused.exit_code, 0);
  const std::string port = url.substr(std::string("https://127.0.0.1:").size(),
                                      url.find('/', 8) - std::string("https://127.0.0.1:").size());
  EXPECT_NE(refused.out.find("Error from server (InternalError)"), std::string::npos) << refused.out;
  EXPECT_NE(
      refused.out.find("Internal error occurred: failed calling webhook \"fail.example.com\": failed to call "
                       "webhook: Post \"" +
                       url + "?timeout=5s\": dial tcp 127.0.0.1:" + port + ": connect: connection refused"),
      std::string::npos)
      << refused.out;
  EXPECT_NE(kubectl("get configmap refused").exit_code, 0);
}

TEST_F(WebhookKubectl, CertificateFromAnotherCaIsACallFailure) {
  auto stranger = pki::CertificateAuthority::load_or_create(node_->dir() / "stranger-ca");
  ok("create -f -",
     configuration("ValidatingWebhookConfiguration", "wrong-ca", "tls.example.com", server_->url("/validate"),
                   stranger.certificate_pem(), "Fail", "{tls: check}"));
  ASSERT_TRUE(dry_run_says(configmap("probe", "{tls: check}"), "failed calling webhook"));
  CommandResult refused = kubectl("create -f -", configmap("unverified", "{tls: check}"));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("failed calling webhook \"tls.example.com\": failed to call webhook: Post \"" +
                             server_->url("/validate") +
                             "?timeout=5s\": tls: failed to verify certificate: x509: "
                             "certificate signed by unknown authority"),
            std::string::npos)
      << refused.out;
}

}  // namespace
}  // namespace ukube::testing
