// Creates answered without storing (access reviews) and subresources answered from their
// parent (serviceaccounts/token), and the registry's extend() that adds the latter.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

namespace json = boost::json;

const GroupVersionResource kReviews{"example.com", "v1", "reviews"};

class Ephemeral : public ::testing::Test {
 protected:
  void SetUp() override {
    TypeInfo review;
    review.group = "example.com";
    review.version = "v1";
    review.kind = "Review";
    review.plural = "reviews";
    review.namespaced = false;
    review.verbs = {"create"};
    review.ephemeral_create = [this](EphemeralCall& call) {
      ++answered;
      json::object out = call.body;
      out["status"] = json::object{{"caller", call.user.name}};
      return out;
    };
    kernel.types().add(std::move(review));
  }
  TestKernel kernel;
  int answered = 0;
};

TEST_F(Ephemeral, CreatesAreAnsweredAndNeverStored) {
  auto client = kernel.client(UserInfo{"alice", "", {}, {}});
  const int64_t before = kernel.store().current_revision();
  auto answer = client->create(kReviews, "", J(R"({"spec":{"question":"may I?"}})"));
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(answer->at("status").at("caller"), "alice");
  EXPECT_EQ(answer->at("kind"), "Review") << "type meta is set as for any create";
  EXPECT_EQ(kernel.store().current_revision(), before) << "nothing was written";
  EXPECT_TRUE(kernel.store().list("/example.com/reviews/", {}).items.empty());
}

TEST_F(Ephemeral, ExtendAddsASubresourceAnswerToARegisteredType) {
  auto client = kernel.client();
  client->create(kConfigMaps, "ns1", configmap("cm", {{"k", "v"}}));
  EXPECT_EQ(expect_error([&] { client->create(kConfigMaps, "ns1", J("{}"), {}, "echo", "cm"); }).code(), 404)
      << "no such subresource yet";

  auto extended = kernel.types().extend(kConfigMaps, [](TypeInfo& t) {
    SubresourceAnswer echo;
    echo.body_kind = {"example.com", "v1", "Echo"};
    echo.answer = [](EphemeralCall& call) {
      json::object out{{"kind", "Echo"}, {"said", call.body.at("say")}};
      out["parent"] = call.parent->at("metadata").at("name");
      out["namespace"] = std::string(call.namespace_);
      return out;
    };
    t.subresource_answers["echo"] = std::move(echo);
  });
  ASSERT_TRUE(extended);
  const int64_t before = kernel.store().current_revision();
  auto answer = client->create(kConfigMaps, "ns1", J(R"({"say":"hi"})"), {}, "echo", "cm");
  EXPECT_EQ(answer->at("said"), "hi");
  EXPECT_EQ(answer->at("parent"), "cm");
  EXPECT_EQ(answer->at("namespace"), "ns1");
  EXPECT_EQ(kernel.store().current_revision(), before);
  EXPECT_EQ(expect_error([&] {
              client->create(kConfigMaps, "ns1", J(R"({"say":"hi"})"), {}, "echo", "ghost");
            }).code(),
            404);
  EXPECT_EQ(kernel.types().extend({"", "v1", "nothing"}, [](TypeInfo&) {}), nullptr);
}

}  // namespace
}  // namespace ukube::testing
