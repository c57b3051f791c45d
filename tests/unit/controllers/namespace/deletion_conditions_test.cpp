// The conditions a namespace being deleted carries, as upstream's
// status_condition_utils_test.go checks them: messages, order, and when they change.
#include <gtest/gtest.h>

#include "controllers/namespace/deletion_conditions.h"
#include "namespace_test_support.h"

namespace ukube::controllers::namespace_::test {
namespace {

TEST(DeletionConditions, AllFalseWhenNothingWentWrong) {
  json::object ns;
  EXPECT_TRUE(DeletionConditions().apply(ns, "2025-01-01T00:00:00Z"));
  const json::array* list = machinery::array_at(ns, {"status", "conditions"});
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->size(), 5u);
  for (const auto& c : *list) {
    EXPECT_EQ(machinery::string_at(c.as_object(), {"status"}), "False");
    EXPECT_EQ(machinery::string_at(c.as_object(), {"lastTransitionTime"}), "2025-01-01T00:00:00Z");
  }
  // The same again changes nothing.
  EXPECT_FALSE(DeletionConditions().apply(ns, "2025-01-01T00:05:00Z"));
  EXPECT_EQ(transition_time(ns, kContentRemaining), "2025-01-01T00:00:00Z");
}

TEST(DeletionConditions, ListsWhatRemainsSortedAndSkipsEmptyCounts) {
  RemainingContent left;
  left.resources = {{{"", "v1", "pods"}, 2}, {{"apps", "v1", "deployments"}, 1}, {{"", "v1", "secrets"}, 0}};
  left.finalizers = {{"kubernetes.io/pvc-protection", 1}, {"example.com/hold", 3}, {"example.com/idle", 0}};
  DeletionConditions conditions;
  conditions.remaining(left);
  json::object ns;
  conditions.apply(ns, "2025-01-01T00:00:00Z");
  EXPECT_EQ(
      condition(ns, kContentRemaining),
      "True SomeResourcesRemain: Some resources are remaining: deployments.apps has 1 resource instances, "
      "pods. has 2 resource instances");
  EXPECT_EQ(
      condition(ns, kFinalizersRemaining),
      "True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/hold "
      "in 3 resource instances, kubernetes.io/pvc-protection in 1 resource instances");
}

TEST(DeletionConditions, CountsEveryResourceThatFailed) {
  DeletionConditions conditions;
  conditions.content_deletion_failed("zeta failed");
  conditions.content_deletion_failed("alpha failed");
  conditions.discovery_failed("discovery broke");
  json::object ns;
  conditions.apply(ns, "2025-01-01T00:00:00Z");
  EXPECT_EQ(
      condition(ns, kContentFailure),
      "True ContentDeletionFailed: Failed to delete all resource types, 2 remaining: alpha failed, zeta "
      "failed");
  EXPECT_EQ(condition(ns, kDiscoveryFailure), "True DiscoveryFailed: discovery broke");
  EXPECT_EQ(condition(ns, kGroupVersionParsingFailure),
            "False ParsedGroupVersions: All legacy kube types successfully parsed");
}

TEST(DeletionConditions, KeepOtherConditionsAndMoveTransitionTimesOnlyWithTheStatus) {
  json::object ns = json::parse(R"({"status":{"phase":"Terminating","conditions":[
      {"type":"Custom","status":"True","reason":"Mine","message":"kept","lastTransitionTime":"2024-01-01T00:00:00Z"},
      {"type":"NamespaceContentRemaining","status":"True","reason":"SomeResourcesRemain",
       "message":"Some resources are remaining: pods. has 1 resource instances",
       "lastTransitionTime":"2024-06-01T00:00:00Z"}]}})")
                        .as_object();
  RemainingContent left;
  left.resources = {{{"", "v1", "pods"}, 3}};
  DeletionConditions conditions;
  conditions.remaining(left);
  EXPECT_TRUE(conditions.apply(ns, "2025-01-01T00:00:00Z"));
  EXPECT_EQ(condition(ns, "Custom"), "True Mine: kept");
  EXPECT_EQ(condition(ns, kContentRemaining),
            "True SomeResourcesRemain: Some resources are remaining: pods. has 3 resource instances");
  EXPECT_EQ(transition_time(ns, kContentRemaining), "2024-06-01T00:00:00Z");     // still True
  EXPECT_EQ(transition_time(ns, kFinalizersRemaining), "2025-01-01T00:00:00Z");  // new
  EXPECT_EQ(machinery::array_at(ns, {"status", "conditions"})->size(), 6u);

  EXPECT_TRUE(DeletionConditions().apply(ns, "2025-02-01T00:00:00Z"));
  EXPECT_EQ(condition(ns, kContentRemaining), "False ContentRemoved: All content successfully removed");
  EXPECT_EQ(transition_time(ns, kContentRemaining), "2025-02-01T00:00:00Z");
  EXPECT_EQ(machinery::string_at(ns, {"status", "phase"}), "Terminating");
}

}  // namespace
}  // namespace ukube::controllers::namespace_::test
