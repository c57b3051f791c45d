// The AdmissionReview we send, and the checks made of what comes back.
#include "admission/webhook/admission_review.h"
#include "ukube/base64.h"
#include "ukube/machinery/uuid.h"
#include "webhook_test_support.h"

namespace ukube::webhook::testing {
namespace {

Attributes configmap_attrs(std::string op, const json::object* object, const json::object* old) {
  Attributes a;
  a.operation = std::move(op);
  a.version = "v1";
  a.kind = "ConfigMap";
  a.resource = "configmaps";
  a.namespace_ = "team-a";
  a.name = "settings";
  a.object = object;
  a.old_object = old;
  return a;
}

TEST(ReviewRequest, CarriesWhatUpstreamSends) {
  json::object object = parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}})");
  UserInfo user{"alice", "u-1", {"devs", "system:authenticated"}, {{"scopes", {"a", "b"}}}};
  json::object review = review_request("uid-1", configmap_attrs("CREATE", &object, nullptr), &user, false);
  EXPECT_EQ(review.at("apiVersion"), "admission.k8s.io/v1");
  EXPECT_EQ(review.at("kind"), "AdmissionReview");
  const json::object& r = review.at("request").as_object();
  EXPECT_EQ(r.at("uid"), "uid-1");
  EXPECT_EQ(r.at("kind"), parse(R"({"group":"","version":"v1","kind":"ConfigMap"})"));
  EXPECT_EQ(r.at("resource"), parse(R"({"group":"","version":"v1","resource":"configmaps"})"));
  EXPECT_EQ(r.at("requestKind"), r.at("kind"));
  EXPECT_EQ(r.at("requestResource"), r.at("resource"));
  EXPECT_FALSE(r.contains("subResource"));
  EXPECT_EQ(r.at("name"), "settings");
  EXPECT_EQ(r.at("namespace"), "team-a");
  EXPECT_EQ(r.at("operation"), "CREATE");
  EXPECT_EQ(r.at("userInfo"),
            parse(R"({"username":"alice","uid":"u-1","groups":["devs","system:authenticated"],
                                        "extra":{"scopes":["a","b"]}})"));
  EXPECT_EQ(r.at("object"), object);
  EXPECT_TRUE(r.at("oldObject").is_null());
  EXPECT_EQ(r.at("dryRun"), false);
  EXPECT_EQ(r.at("options"), parse(R"({"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"})"));
}

TEST(ReviewRequest, UpdateOfASubresourceInDryRun) {
  json::object object = parse(R"({"metadata":{"name":"p"},"status":{"phase":"Running"}})");
  json::object old = parse(R"({"metadata":{"name":"p"},"status":{"phase":"Pending"}})");
  Attributes a = configmap_attrs("UPDATE", &object, &old);
  a.kind = "Pod";
  a.resource = "pods";
  a.subresource = "status";
  json::object r = review_request("u", a, nullptr, true).at("request").as_object();
  EXPECT_EQ(r.at("subResource"), "status");
  EXPECT_EQ(r.at("requestSubResource"), "status");
  EXPECT_EQ(r.at("oldObject"), old);
  EXPECT_EQ(r.at("dryRun"), true);
  EXPECT_EQ(r.at("options"),
            parse(R"({"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1","dryRun":["All"]})"));
}

TEST(ReviewRequest, DeleteHasNoObject) {
  json::object old = parse(R"({"metadata":{"name":"settings"}})");
  json::object r =
      review_request("u", configmap_attrs("DELETE", nullptr, &old), nullptr, false).at("request").as_object();
  EXPECT_TRUE(r.at("object").is_null());
  EXPECT_EQ(r.at("oldObject"), old);
  EXPECT_EQ(r.at("options").at("kind"), "DeleteOptions");
}

TEST(ReviewRequest, UidsAreFreshVersion4Uuids) {
  std::string a = machinery::new_uuid(), b = machinery::new_uuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_EQ(a[8], '-');
}

std::string doc(const std::string& response,
                const std::string& head = R"("apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview")") {
  return "{" + head + ",\"response\":" + response + "}";
}

std::string call_error(const std::string& body, bool mutating) {
  try {
    parse_review_response(body, "u1", mutating);
  } catch (const CallError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ReviewResponse, AllowedAndDenied) {
  ReviewResponse ok =
      parse_review_response(doc(R"({"uid":"u1","allowed":true,"warnings":["careful"]})"), "u1", false);
  EXPECT_TRUE(ok.allowed);
  EXPECT_EQ(ok.warnings, std::vector<std::string>{"careful"});
  ReviewResponse no = parse_review_response(
      doc(R"({"uid":"u1","allowed":false,"status":{"code":403,"message":"no way"}})"), "u1", false);
  EXPECT_FALSE(no.allowed);
  EXPECT_EQ(no.status.at("message"), "no way");
}

TEST(ReviewResponse, PatchIsDecoded) {
  std::string patch = base64_encode(R"([{"op":"add","path":"/metadata/labels","value":{"a":"b"}}])");
  ReviewResponse r = parse_review_response(
      doc(R"({"uid":"u1","allowed":true,"patchType":"JSONPatch","patch":")" + patch + "\"}"), "u1", true);
  ASSERT_TRUE(r.patch);
  EXPECT_EQ(r.patch->as_array().at(0).at("op"), "add");
}

TEST(ReviewResponse, MalformedAnswersAreCallErrors) {
  EXPECT_EQ(
      call_error("not json", false).rfind("failed to call webhook: the webhook's answer is not JSON", 0), 0u);
  EXPECT_EQ(call_error(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", false),
            "received invalid webhook response: webhook response was absent");
  EXPECT_EQ(call_error(doc(R"({"uid":"other","allowed":true})"), false),
            R"(received invalid webhook response: expected response.uid="u1", got "other")");
  EXPECT_EQ(call_error(doc(R"({"uid":"u1","allowed":true})",
                           R"("apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview")"),
                       false),
            "received invalid webhook response: expected webhook response of admission.k8s.io/v1, "
            "Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview");
  EXPECT_EQ(call_error(doc(R"({"uid":"u1","allowed":true,"patch":"W10="})"), false),
            "received invalid webhook response: validating webhook may not return response.patch");
  EXPECT_EQ(call_error(doc(R"({"uid":"u1","allowed":true,"patch":"W10="})"), true),
            "received invalid webhook response: webhook returned response.patch but not response.patchType");
  EXPECT_EQ(call_error(doc(R"({"uid":"u1","allowed":true,"patchType":"JSONPatch"})"), true),
            "received invalid webhook response: webhook returned response.patchType but not response.patch");
  EXPECT_EQ(call_error(doc(R"({"uid":"u1","allowed":true,"patchType":"MergePatch","patch":"e30="})"), true),
            R"(unsupported patch type "MergePatch")");
  EXPECT_EQ(call_error(doc(R"({"uid":"u1","allowed":true,"patchType":"JSONPatch","patch":"e30="})"), true),
            "received undecodable patch in webhook response: a JSON patch is an array of operations");
}

}  // namespace
}  // namespace ukube::webhook::testing
