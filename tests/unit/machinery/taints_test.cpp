// Taints and tolerations against the cases of upstream's core/v1 toleration tests and
// component-helpers' taint helpers tests, in our own words.
#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

#include "ukube/machinery/taints.h"

namespace ukube::machinery {
namespace {

boost::json::object object_of(const char* text) {
  return boost::json::parse(text).as_object();
}
boost::json::array array_of(const char* text) {
  return boost::json::parse(text).as_array();
}

TEST(ToleratesTaint, AsUpstreamMatches) {
  struct Case {
    const char* name;
    const char* toleration;
    const char* taint;
    bool tolerated;
  } cases[] = {
      {"same key and effect, Exists, taint without value",
       R"({"key":"foo","operator":"Exists","effect":"NoSchedule"})", R"({"key":"foo","effect":"NoSchedule"})",
       true},
      {"same key and effect, Exists, taint with a value",
       R"({"key":"foo","operator":"Exists","effect":"NoSchedule"})",
       R"({"key":"foo","value":"bar","effect":"NoSchedule"})", true},
      {"empty key with Exists matches every key", R"({"operator":"Exists","effect":"NoSchedule"})",
       R"({"key":"foo","value":"bar","effect":"NoSchedule"})", true},
      {"same key, value and effect, Equal",
       R"({"key":"foo","operator":"Equal","value":"bar","effect":"NoSchedule"})",
       R"({"key":"foo","value":"bar","effect":"NoSchedule"})", true},
      {"no operator means Equal", R"({"key":"foo","value":"bar","effect":"NoSchedule"})",
       R"({"key":"foo","value":"bar","effect":"NoSchedule"})", true},
      {"different values, Equal", R"({"key":"foo","operator":"Equal","value":"baz","effect":"NoSchedule"})",
       R"({"key":"foo","value":"bar","effect":"NoSchedule"})", false},
      {"different effects", R"({"key":"foo","operator":"Equal","value":"bar","effect":"NoExecute"})",
       R"({"key":"foo","value":"bar","effect":"NoSchedule"})", false},
      {"empty effect matches every effect", R"({"key":"foo","operator":"Exists"})",
       R"({"key":"foo","effect":"NoExecute"})", true},
      {"different keys", R"({"key":"other","operator":"Exists"})", R"({"key":"foo","effect":"NoSchedule"})",
       false},
      // Upstream checks an empty key only against the value: Equal then compares values.
      {"empty key with Equal compares values", R"({"operator":"Equal","value":"bar"})",
       R"({"key":"foo","value":"bar","effect":"NoSchedule"})", true},
      // Gt / Lt are alpha upstream and off by default: they tolerate nothing.
      {"Gt with comparison operators off", R"({"key":"foo","operator":"Gt","value":"1"})",
       R"({"key":"foo","value":"5","effect":"NoSchedule"})", false},
      {"unknown operator", R"({"key":"foo","operator":"Maybe"})", R"({"key":"foo","effect":"NoSchedule"})",
       false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(tolerates(object_of(c.toleration), object_of(c.taint)), c.tolerated) << c.name;
}

TEST(TolerationsTolerateTaint, AnyTolerationSuffices) {
  auto tolerations = array_of(R"([{"key":"a","operator":"Exists"},{"key":"b","value":"x"}])");
  EXPECT_TRUE(tolerates(&tolerations, object_of(R"({"key":"b","value":"x","effect":"NoSchedule"})")));
  EXPECT_FALSE(tolerates(&tolerations, object_of(R"({"key":"b","value":"y","effect":"NoSchedule"})")));
  EXPECT_FALSE(tolerates(nullptr, object_of(R"({"key":"a","effect":"NoSchedule"})")));
}

TEST(FindMatchingUntoleratedTaint, ReturnsTheFirstFilteredTaintNotTolerated) {
  const auto taint_list = array_of(R"([
      {"key":"soft","effect":"PreferNoSchedule"},
      {"key":"dedicated","value":"db","effect":"NoSchedule"},
      {"key":"gone","effect":"NoExecute"}])");
  auto taints = parse_taints(&taint_list);
  auto none = parse_tolerations(nullptr);
  // No filter: every taint counts, the soft one first.
  ASSERT_NE(find_untolerated_taint(taints, none), nullptr);
  EXPECT_EQ(find_untolerated_taint(taints, none)->key, "soft");
  // Only the taints that keep pods off.
  ASSERT_NE(find_untolerated_taint(taints, none, keeps_pods_off), nullptr);
  EXPECT_EQ(find_untolerated_taint(taints, none, keeps_pods_off)->key, "dedicated");

  const auto some_list = array_of(R"([{"key":"dedicated","value":"db"}])");
  auto some = parse_tolerations(&some_list);
  EXPECT_EQ(find_untolerated_taint(taints, some, keeps_pods_off)->key, "gone");
  const auto all_list = array_of(R"([{"operator":"Exists"}])");
  auto all = parse_tolerations(&all_list);
  EXPECT_EQ(find_untolerated_taint(taints, all, keeps_pods_off), nullptr);
  EXPECT_EQ(find_untolerated_taint({}, none, keeps_pods_off), nullptr);
}

TEST(Taint, PrintsAsUpstream) {
  EXPECT_EQ(to_string(Taint{"k", "v", TaintEffect::NoSchedule}), "k=v:NoSchedule");
  EXPECT_EQ(to_string(Taint{"k", "", TaintEffect::NoExecute}), "k:NoExecute");
  EXPECT_EQ(to_string(Taint{"k", "v", TaintEffect::Unknown}), "k=v:");
  EXPECT_EQ(to_string(Taint{"k", "", TaintEffect::Unknown}), "k");
  EXPECT_EQ(parse_taint(object_of(R"({"key":"k","effect":"PreferNoSchedule"})")).effect,
            TaintEffect::PreferNoSchedule);
}

}  // namespace
}  // namespace ukube::machinery
