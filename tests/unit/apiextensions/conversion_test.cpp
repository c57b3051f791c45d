// Conversion of custom resources between versions: None rewrites apiVersion; Webhook asks
// the definition's webhook and refuses what upstream refuses, in upstream's words.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <functional>

#include "apiextensions/conversion.h"
#include "tests/support/test_kernel.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;

// Answers each call with what `answer` makes of the review it was sent.
class FakeTransport final : public https::Transport {
 public:
  using Answer = std::function<https::HttpResult(const json::object& review)>;
  explicit FakeTransport(Answer answer) : answer_(std::move(answer)) {}
  https::HttpResult post(const https::HttpCall& call) override {
    calls.push_back(call);
    return answer_(json::parse(call.body).as_object());
  }
  std::vector<https::HttpCall> calls;

 private:
  Answer answer_;
};

json::object definition(std::string_view strategy) {
  json::object crd = json::parse(R"({"spec": {"group": "example.com", "names": {"kind": "Gadget"},
    "conversion": {"webhook": {"clientConfig": {"url": "https://127.0.0.1:9443/convert", "caBundle": "Q0E="}}}}})")
                         .as_object();
  crd["spec"].as_object()["conversion"].as_object()["strategy"] = strategy;
  return crd;
}

json::object gadget() {
  return json::parse(R"({"apiVersion": "example.com/v1", "kind": "Gadget",
    "metadata": {"name": "g1", "namespace": "default", "uid": "u1", "labels": {"a": "b"}, "resourceVersion": "7"},
    "spec": {"paint": "red"}})")
      .as_object();
}

// A review answered by converting the one object as `edit` says.
https::HttpResult converted(const json::object& review, const std::function<void(json::object&)>& edit,
                            std::string_view status = "Success") {
  const auto& request = review.at("request").as_object();
  json::object object = request.at("objects").as_array().at(0).as_object();
  object["apiVersion"] = request.at("desiredAPIVersion");
  edit(object);
  json::object reply{{"apiVersion", "apiextensions.k8s.io/v1"},
                     {"kind", "ConversionReview"},
                     {"response", json::object{{"uid", request.at("uid")},
                                               {"convertedObjects", json::array{object}},
                                               {"result", json::object{{"status", status}}}}}};
  return {true, 200, json::serialize(reply), ""};
}

TEST(Conversion, NoneRewritesTheApiVersionOnly) {
  auto convert = conversion_for(definition("None"), nullptr);
  json::object o = gadget();
  convert(o, "v1beta1");
  EXPECT_EQ(o.at("apiVersion"), "example.com/v1beta1");
  EXPECT_EQ(o.at("spec"), gadget().at("spec"));
}

TEST(Conversion, WebhookConvertsKeepingMetadataButLabelsAndAnnotations) {
  auto transport = std::make_shared<FakeTransport>([](const json::object& review) {
    EXPECT_EQ(review.at("kind"), "ConversionReview");
    EXPECT_EQ(review.at("apiVersion"), "apiextensions.k8s.io/v1");
    EXPECT_EQ(review.at("request").at("desiredAPIVersion"), "example.com/v1beta1");
    return converted(review, [](json::object& o) {
      auto& spec = o["spec"].as_object();
      spec["color"] = spec["paint"];
      spec.erase("paint");
      o["metadata"].as_object()["labels"] = json::object{{"converted", "yes"}};
      o["metadata"].as_object()["resourceVersion"] = "999";  // not the webhook's to change
    });
  });
  auto convert = conversion_for(definition("Webhook"), transport);
  json::object o = gadget();
  convert(o, "v1beta1");
  EXPECT_EQ(o.at("apiVersion"), "example.com/v1beta1");
  EXPECT_EQ(o.at("spec"), json::parse(R"({"color": "red"})"));
  EXPECT_EQ(o.at("metadata").at("labels"), json::parse(R"({"converted": "yes"})"));
  EXPECT_EQ(o.at("metadata").at("resourceVersion"), "7");
  ASSERT_EQ(transport->calls.size(), 1u);
  EXPECT_EQ(transport->calls[0].url, "https://127.0.0.1:9443/convert?timeout=30s");
  EXPECT_EQ(transport->calls[0].ca_bundle, "CA");
  EXPECT_EQ(transport->calls[0].timeout, std::chrono::seconds(30));

  // An object already in the version asked for is not sent.
  convert(o, "v1beta1");
  EXPECT_EQ(transport->calls.size(), 1u);
}

TEST(Conversion, WhatUpstreamRefusesFromAWebhook) {
  auto refusal = [](FakeTransport::Answer answer) {
    auto convert = conversion_for(definition("Webhook"), std::make_shared<FakeTransport>(std::move(answer)));
    json::object o = gadget();
    ApiError e = ukube::testing::expect_error([&] { convert(o, "v1beta1"); });
    EXPECT_EQ(e.code(), 500);
    return std::string(e.what());
  };
  const std::string prefix = "conversion webhook for example.com/v1, Kind=Gadget failed: ";
  EXPECT_EQ(
      refusal([](const json::object&) {
        return https::HttpResult{false, 0, "", "dial tcp 127.0.0.1:9443: connect: connection refused"};
      }),
      prefix +
          R"(Post "https://127.0.0.1:9443/convert?timeout=30s": dial tcp 127.0.0.1:9443: connect: connection refused)");
  const std::string wrong_uid = refusal([](const json::object& review) {
    auto r = converted(review, [](json::object&) {});
    auto reply = json::parse(r.body).as_object();
    reply["response"].as_object()["uid"] = "other";
    r.body = json::serialize(reply);
    return r;
  });
  EXPECT_EQ(wrong_uid.rfind(prefix + R"(expected response.uid=")", 0), 0u) << wrong_uid;
  EXPECT_NE(wrong_uid.find(R"(, got "other")"), std::string::npos) << wrong_uid;
  EXPECT_EQ(refusal([](const json::object& review) {
              auto r = converted(
                  review, [](json::object&) {}, "Failure");
              auto reply = json::parse(r.body).as_object();
              reply["response"].as_object()["result"].as_object()["message"] = "cannot paint it";
              r.body = json::serialize(reply);
              return r;
            }),
            prefix + "cannot paint it");
  EXPECT_EQ(refusal([](const json::object& review) {
              return converted(
                  review, [](json::object&) {}, "Failure");
            }),
            prefix + "response.result.status was 'Failure', not 'Success'");
  EXPECT_EQ(refusal([](const json::object& review) {
              return converted(review, [](json::object& o) { o["apiVersion"] = "example.com/v2"; });
            }),
            prefix +
                "returned invalid converted object at index 0: invalid groupVersion (expected "
                "example.com/v1beta1, received example.com/v2)");
  EXPECT_EQ(refusal([](const json::object& review) {
              return converted(review, [](json::object& o) { o["metadata"].as_object()["name"] = "g2"; });
            }),
            prefix + "returned invalid converted object at index 0: must have the same name: g1 != g2");
  EXPECT_EQ(
      refusal([](const json::object&) {
        return https::HttpResult{true, 200, R"({"apiVersion":"v1","kind":"Status"})", ""};
      }),
      prefix +
          "expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got v1, Kind=Status");
}

}  // namespace
}  // namespace ukube::apiextensions
