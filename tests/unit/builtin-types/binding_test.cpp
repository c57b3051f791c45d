// POST pods/<name>/binding assigns a pod to a node once.
#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

class Binding : public ::testing::Test {
 protected:
  void SetUp() override {
    k.client().create(
        kPods, "default",
        parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x:1"}]}})"));
  }
  ObjectPtr bind(std::string_view body) {
    return k.client().create(kPods, "default", parse(body), {}, "binding", "p");
  }
  BuiltinKernel k;
};

TEST_F(Binding, SetsNodeNameAndCopiesAnnotations) {
  auto pod = bind(R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"p","annotations":{"why":"test"}},
                      "target":{"apiVersion":"v1","kind":"Node","name":"node-1"}})");
  EXPECT_EQ(at(*pod, "spec.nodeName"), "node-1");
  EXPECT_EQ(pod->at("metadata").at("annotations").at("why"), "test");
  EXPECT_EQ(at(*k.client().get(kPods, "default", "p"), "spec.nodeName"), "node-1");
  const auto& conditions = pod->at("status").at("conditions").as_array();
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].at("type"), "PodScheduled");
  EXPECT_EQ(conditions[0].at("status"), "True");
}

TEST_F(Binding, RefusesASecondBinding) {
  bind(R"({"target":{"name":"node-1"}})");
  auto e = expect_api_error([&] { bind(R"({"target":{"name":"node-2"}})"); });
  EXPECT_EQ(e.code(), 409);
  EXPECT_EQ(e.reason(), "Conflict");
  EXPECT_STREQ(
      e.what(),
      "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"node-1\"");
}

TEST_F(Binding, NeedsATarget) {
  auto e = expect_api_error([&] { bind(R"({"target":{}})"); });
  EXPECT_EQ(e.code(), 422);
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].field, "target.name");
}

TEST_F(Binding, UidPrecondition) {
  auto e = expect_api_error([&] { bind(R"({"metadata":{"uid":"not-the-pod"},"target":{"name":"n"}})"); });
  EXPECT_EQ(e.code(), 409);
}

TEST_F(Binding, UnknownPodIsNotFound) {
  auto e = expect_api_error([&] {
    k.client().create(kPods, "default", parse(R"({"target":{"name":"n"}})"), {}, "binding", "nope");
  });
  EXPECT_EQ(e.code(), 404);
}

}  // namespace
}  // namespace ukube::builtin::testing
