// The generic scale subresource (autoscaling/v1 Scale) of types with a ScaleSpec.
#include "kernel/pipeline/scale.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

namespace json = boost::json;

class Scale : public ::testing::Test {
 protected:
  void SetUp() override {
    client->create(
        kDeployments, "ns1",
        J(R"({"metadata":{"name":"web"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}}}})"));
    auto d = client->get(kDeployments, "ns1", "web");
    json::object with_status = *d;
    with_status["status"] = json::object{{"replicas", 2}};
    client->update(kDeployments, "ns1", with_status, {}, "status");
  }
  TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
};

TEST_F(Scale, GetRendersTheParent) {
  auto parent = client->get(kDeployments, "ns1", "web");
  auto scale = client->get(kDeployments, "ns1", "web", {}, "scale");
  json::object want{{"kind", "Scale"},
                    {"apiVersion", "autoscaling/v1"},
                    {"metadata",
                     {{"name", "web"},
                      {"namespace", "ns1"},
                      {"uid", meta(parent, "uid")},
                      {"resourceVersion", meta(parent, "resourceVersion")},
                      {"creationTimestamp", meta(parent, "creationTimestamp")}}},
                    {"spec", {{"replicas", 3}}},
                    {"status", {{"replicas", 2}, {"selector", "app=web"}}}};
  EXPECT_EQ(*scale, want);
  EXPECT_EQ(expect_error([&] { client->get(kDeployments, "ns1", "ghost", {}, "scale"); }).code(), 404);
  EXPECT_EQ(expect_error([&] { client->get(kConfigMaps, "ns1", "web", {}, "scale"); }).code(), 404)
      << "types without a ScaleSpec have no scale subresource";
}

TEST_F(Scale, KubectlScaleSendsAMergePatch) {
  WriteOptions kubectl;
  kubectl.field_manager = "kubectl";
  auto before = client->get(kDeployments, "ns1", "web");
  auto scale = client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge, R"({"spec":{"replicas":5}})",
                             kubectl, "scale");
  EXPECT_EQ(scale->at("kind"), "Scale");
  EXPECT_EQ(scale->at("spec").at("replicas"), 5);
  EXPECT_EQ(scale->at("status").at("replicas"), 2);
  auto parent = client->get(kDeployments, "ns1", "web");
  EXPECT_EQ(parent->at("spec").at("replicas"), 5);
  EXPECT_EQ(meta(parent, "generation"), std::to_string(std::stoll(meta(before, "generation")) + 1));
  EXPECT_EQ(meta(scale, "resourceVersion"), meta(parent, "resourceVersion"));
  // The write is recorded as kubectl's, through the scale subresource.
  bool found = false;
  for (const auto& e : parent->at("metadata").at("managedFields").as_array())
    if (e.at("manager") == "kubectl") {
      found = true;
      EXPECT_EQ(e.at("subresource"), "scale");
      EXPECT_EQ(e.at("fieldsV1"), J(R"({"f:spec":{"f:replicas":{}}})"));
    }
  EXPECT_TRUE(found);

  auto patched = client->patch(kDeployments, "ns1", "web", PatchType::JsonPatch,
                               R"([{"op":"replace","path":"/spec/replicas","value":0}])", {}, "scale");
  EXPECT_FALSE(patched->at("spec").as_object().contains("replicas"))
      << "zero is omitted, as upstream prints it";
  EXPECT_EQ(client->get(kDeployments, "ns1", "web")->at("spec").at("replicas"), 0);
}

TEST_F(Scale, UpdatesAreOptimisticallyConcurrentOnTheParent) {
  auto scale = client->get(kDeployments, "ns1", "web", {}, "scale");
  json::object edit = *scale;
  edit["spec"].as_object()["replicas"] = 7;
  auto updated = client->update(kDeployments, "ns1", edit, {}, "scale");
  EXPECT_EQ(updated->at("spec").at("replicas"), 7);
  EXPECT_EQ(client->get(kDeployments, "ns1", "web")->at("spec").at("replicas"), 7);

  auto stale = expect_error([&] { client->update(kDeployments, "ns1", edit, {}, "scale"); });
  EXPECT_EQ(stale.code(), 409);
  EXPECT_EQ(stale.reason(), "Conflict");

  edit = *updated;
  edit["spec"].as_object()["replicas"] = -1;
  auto negative = expect_error([&] { client->update(kDeployments, "ns1", edit, {}, "scale"); });
  EXPECT_EQ(negative.code(), 422);
  EXPECT_STREQ(
      negative.what(),
      "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal "
      "to 0");
  auto pinned = expect_error([&] {
    client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                  R"({"metadata":{"resourceVersion":"1"},"spec":{"replicas":1}})", {}, "scale");
  });
  EXPECT_EQ(pinned.reason(), "Conflict");
  json::object wrong_kind = *updated;
  wrong_kind["kind"] = "Deployment";
  EXPECT_EQ(expect_error([&] { client->update(kDeployments, "ns1", wrong_kind, {}, "scale"); }).code(), 400);
}

}  // namespace
}  // namespace ukube::testing
