// IntOrString values as rolling updates and disruption budgets scale them, and the
// disruption budget helpers the eviction subresource and the disruption controller share.
#include <gtest/gtest.h>

#include <stdexcept>

#include <boost/json.hpp>

#include "ukube/machinery/disruption_budget.h"
#include "ukube/machinery/int_or_string.h"
#include "ukube/machinery/json.h"

namespace ukube::machinery {
namespace {

namespace json = boost::json;

TEST(ScaledValue, NumbersAsGivenAndPercentagesRoundedEitherWay) {
  EXPECT_EQ(scaled_value(nullptr, 10, true), 0);
  json::value three = 3, pct = "25%", null_value = nullptr;
  EXPECT_EQ(scaled_value(&null_value, 10, true), 0);
  EXPECT_EQ(scaled_value(&three, 10, false), 3);
  EXPECT_EQ(scaled_value(&pct, 10, true), 3);   // 2.5 rounded up
  EXPECT_EQ(scaled_value(&pct, 10, false), 2);  // rounded down
  json::value all = "100%";
  EXPECT_EQ(scaled_value(&all, 7, false), 7);
  EXPECT_TRUE(is_percent(&pct));
  EXPECT_FALSE(is_percent(&three));
  EXPECT_FALSE(is_percent(nullptr));
}

TEST(ScaledValue, AnythingElseIsRefusedWithUpstreamsMessage) {
  json::value word = "abc", half = "x%", flag = true;
  try {
    scaled_value(&word, 10, true);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid value for IntOrString: invalid value \"abc\"");
  }
  EXPECT_THROW(scaled_value(&half, 10, true), std::invalid_argument);
  EXPECT_THROW(scaled_value(&flag, 10, true), std::invalid_argument);
}

json::object pod(const char* ns, json::object labels) {
  return json::object{{"metadata", json::object{{"name", "p"}, {"namespace", ns}, {"labels", labels}}}};
}

TEST(DisruptionBudget, CoversPodsOfItsNamespaceThatItsSelectorMatches) {
  auto budget = json::parse(R"({"metadata":{"name":"b","namespace":"a"},
                               "spec":{"selector":{"matchLabels":{"app":"web"}}}})")
                    .as_object();
  EXPECT_TRUE(budget_covers(budget, pod("a", {{"app", "web"}, {"x", "y"}})));
  EXPECT_FALSE(budget_covers(budget, pod("a", {{"app", "db"}})));
  EXPECT_FALSE(budget_covers(budget, pod("b", {{"app", "web"}})));

  auto everything = json::parse(R"({"metadata":{"namespace":"a"},"spec":{"selector":{}}})").as_object();
  EXPECT_TRUE(budget_covers(everything, pod("a", {})));
  auto nothing = json::parse(R"({"metadata":{"namespace":"a"},"spec":{}})").as_object();
  EXPECT_FALSE(budget_covers(nothing, pod("a", {{"app", "web"}})));
}

TEST(DisruptionBudget, AllowedConditionFollowsDisruptionsAllowed) {
  auto budget = json::parse(R"({"status":{"disruptionsAllowed":1,"observedGeneration":3}})").as_object();
  EXPECT_TRUE(update_disruption_allowed_condition(budget, "2026-01-01T00:00:00Z"));
  const auto* c = array_at(budget, {"status", "conditions"});
  ASSERT_TRUE(c && c->size() == 1);
  EXPECT_EQ(string_at(c->at(0).as_object(), {"status"}), "True");
  EXPECT_EQ(string_at(c->at(0).as_object(), {"reason"}), kSufficientPodsReason);
  EXPECT_EQ(int_or(c->at(0).as_object(), {"observedGeneration"}, 0), 3);
  EXPECT_FALSE(update_disruption_allowed_condition(budget, "2026-01-01T00:00:09Z"));

  budget["status"].as_object()["disruptionsAllowed"] = 0;
  EXPECT_TRUE(update_disruption_allowed_condition(budget, "2026-01-01T00:00:10Z"));
  const auto& now = budget["status"].at("conditions").at(0).as_object();
  EXPECT_EQ(string_at(now, {"status"}), "False");
  EXPECT_EQ(string_at(now, {"reason"}), kInsufficientPodsReason);
  EXPECT_EQ(string_at(now, {"lastTransitionTime"}), "2026-01-01T00:00:10Z");
}

}  // namespace
}  // namespace ukube::machinery
