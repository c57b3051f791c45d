// Conditions and owner references as upstream's meta.SetStatusCondition and the
// controllers' adopt / release keep them.
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/owners.h"

namespace ukube::machinery {
namespace {

namespace json = boost::json;

json::object parse(const char* text) {
  return json::parse(text).as_object();
}

TEST(Conditions, TransitionTimeMovesOnlyWithTheStatus) {
  json::array conditions;
  EXPECT_TRUE(
      set_condition(conditions, {{"type", "Ready"}, {"status", "False"}, {"reason", "Starting"}}, "t1"));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].at("lastTransitionTime"), "t1");

  // Same status, new reason: the reason changes, the transition time stays.
  EXPECT_TRUE(
      set_condition(conditions, {{"type", "Ready"}, {"status", "False"}, {"reason", "Pulling"}}, "t2"));
  EXPECT_EQ(conditions[0].at("reason"), "Pulling");
  EXPECT_EQ(conditions[0].at("lastTransitionTime"), "t1");

  // Nothing new: no change reported, so no write is needed.
  EXPECT_FALSE(
      set_condition(conditions, {{"type", "Ready"}, {"status", "False"}, {"reason", "Pulling"}}, "t3"));

  // The status flips: the transition time is now.
  EXPECT_TRUE(set_condition(conditions, {{"type", "Ready"}, {"status", "True"}}, "t4"));
  EXPECT_EQ(conditions[0].at("lastTransitionTime"), "t4");
  EXPECT_FALSE(conditions[0].as_object().contains("reason"));

  // Another type is added beside it; one bringing its own time keeps it.
  EXPECT_TRUE(set_condition(
      conditions, {{"type", "Initialized"}, {"status", "True"}, {"lastTransitionTime", "t0"}}, "t5"));
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[1].at("lastTransitionTime"), "t0");
}

TEST(Conditions, FoundOnTheObject) {
  auto pod = parse(R"({"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"PodScheduled",
      "status":"False","lastTransitionTime":"t1"}]}})");
  EXPECT_TRUE(is_condition_true(pod, "Ready"));
  EXPECT_FALSE(is_condition_true(pod, "PodScheduled"));
  EXPECT_FALSE(is_condition_true(pod, "Missing"));
  ASSERT_NE(find_condition(pod, "PodScheduled"), nullptr);
  auto updated = with_condition(pod, {{"type", "PodScheduled"}, {"status", "False"}, {"reason", "x"}}, "t9");
  EXPECT_EQ(updated[1].at("lastTransitionTime"), "t1");
  EXPECT_EQ(updated[1].at("reason"), "x");
  EXPECT_FALSE(find_condition(pod, "PodScheduled")->contains("reason"));  // the object is untouched
}

TEST(Owners, OneControllerAtATime) {
  auto rs = parse(R"({"metadata":{"name":"web-1","uid":"u-rs"}})");
  auto ref = controller_ref(rs, {"apps", "v1", "ReplicaSet"});
  EXPECT_EQ(ref, parse(R"({"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"u-rs",
      "controller":true,"blockOwnerDeletion":true})"));

  auto pod = parse(R"({"metadata":{"name":"p","ownerReferences":[{"uid":"u-other","kind":"Thing"}]}})");
  EXPECT_EQ(controller_of(pod), nullptr);  // an owner that does not control
  EXPECT_TRUE(adopt(pod, ref));
  EXPECT_TRUE(is_controlled_by(pod, "u-rs"));
  EXPECT_EQ(pod.at("metadata").at("ownerReferences").as_array().size(), 2u);

  // A second controller cannot adopt what is already controlled.
  auto other =
      controller_ref(parse(R"({"metadata":{"name":"web-2","uid":"u-rs2"}})"), {"apps", "v1", "ReplicaSet"});
  EXPECT_FALSE(adopt(pod, other));
  EXPECT_TRUE(is_controlled_by(pod, "u-rs"));

  EXPECT_TRUE(release(pod, "u-rs"));
  EXPECT_EQ(controller_of(pod), nullptr);
  EXPECT_FALSE(release(pod, "u-rs"));
  EXPECT_EQ(pod.at("metadata").at("ownerReferences").as_array().size(), 1u);
}

}  // namespace
}  // namespace ukube::machinery
