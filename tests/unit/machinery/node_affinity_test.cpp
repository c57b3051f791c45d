// Node selector terms and required node affinity against the cases of component-helpers'
// node affinity tests, in our own words.
#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

#include "ukube/machinery/node_affinity.h"

namespace ukube::machinery {
namespace {

boost::json::object json_object(const std::string& text) {
  return boost::json::parse(text).as_object();
}

// A node {"metadata":{"name":..., "labels":...}}.
boost::json::object node(const std::string& name, const std::string& labels = "{}") {
  return json_object(R"({"metadata":{"name":")" + name + R"(","labels":)" + labels + "}}");
}

// A pod spec whose required node affinity is `terms`.
RequiredNodeAffinity required(const std::string& terms, const std::string& node_selector = "{}") {
  return RequiredNodeAffinity::from_pod_spec(json_object(
      R"({"nodeSelector":)" + node_selector +
      R"(,"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":)" +
      terms + "}}}}"));
}

TEST(MatchNodeSelectorTerms, AsComponentHelpers) {
  struct Case {
    const char* name;
    std::string terms;
    boost::json::object node;
    bool want;
  } cases[] = {
      {"no terms", "[]", node("host_1"), false},
      {"an empty term selects nothing", "[{}]", node("host_1"), false},
      {"label matches matchExpressions",
       R"([{"matchExpressions":[{"key":"label_1","operator":"In","values":["label_1_val"]}]}])",
       node("", R"({"label_1":"label_1_val"})"), true},
      {"name matches matchFields",
       R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["host_1"]}]}])", node("host_1"),
       true},
      {"matchFields In needs exactly one value",
       R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["host_1","host_2"]}]}])",
       node("host_1"), false},
      {"matchFields reads fields, not a label of that name",
       R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["host_1"]}]}])",
       node("not_host_1", R"({"metadata.name":"host_1"})"), false},
      {"matchExpressions read labels, not the name",
       R"([{"matchExpressions":[{"key":"metadata.name","operator":"In","values":["host_1"]}]}])",
       node("host_1"), false},
      {"expressions and fields both needed, only the field holds",
       R"([{"matchExpressions":[{"key":"label_1","operator":"In","values":["label_1_val"]}],
            "matchFields":[{"key":"metadata.name","operator":"In","values":["host_1"]}]}])",
       node("host_1"), false},
      {"expressions and fields both hold",
       R"([{"matchExpressions":[{"key":"label_1","operator":"In","values":["label_1_val"]}],
            "matchFields":[{"key":"metadata.name","operator":"In","values":["host_1"]}]}])",
       node("host_1", R"({"label_1":"label_1_val"})"), true},
      {"expressions and fields, the label differs",
       R"([{"matchExpressions":[{"key":"label_1","operator":"In","values":["label_1_val"]}],
            "matchFields":[{"key":"metadata.name","operator":"In","values":["host_1"]}]}])",
       node("host_1", R"({"label_1":"label_1_val-failed"})"), false},
      {"terms are ORed",
       R"([{"matchExpressions":[{"key":"label_1","operator":"In","values":["label_1_val"]}]},
           {"matchFields":[{"key":"metadata.name","operator":"In","values":["host_1"]}]}])",
       node("host_1", R"({"label_1":"label_1_val-failed"})"), true},
      {"a term that does not parse is skipped, the others count",
       R"([{"matchExpressions":[{"key":"a","operator":"Sometimes","values":["x"]}]},
           {"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["host_2"]}]}])",
       node("host_1"), true},
      {"NotIn on a missing label holds",
       R"([{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}])", node("host_1"), true},
      {"Exists", R"([{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}])", node("n", R"({"gpu":""})"),
       true},
      {"Exists with values does not parse",
       R"([{"matchExpressions":[{"key":"gpu","operator":"Exists","values":["x"]}]}])",
       node("n", R"({"gpu":"x"})"), false},
      {"DoesNotExist", R"([{"matchExpressions":[{"key":"gpu","operator":"DoesNotExist"}]}])",
       node("n", R"({"gpu":""})"), false},
      {"Gt compares integers", R"([{"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]}])",
       node("n", R"({"cores":"8"})"), true},
      {"Gt on a label that is not a number",
       R"([{"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]}])",
       node("n", R"({"cores":"many"})"), false},
      {"Lt with a bound that is not a number does not parse",
       R"([{"matchExpressions":[{"key":"cores","operator":"Lt","values":["four"]}]}])",
       node("n", R"({"cores":"1"})"), false},
      {"In without values does not parse",
       R"([{"matchExpressions":[{"key":"zone","operator":"In","values":[]}]}])", node("n", R"({"zone":""})"),
       false},
  };
  for (const auto& c : cases) EXPECT_EQ(required(c.terms).matches(c.node), c.want) << c.name;
}

TEST(RequiredNodeAffinity, NodeSelectorAndTermsMustBothHold) {
  const std::string zone_a = R"([{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}])";
  EXPECT_TRUE(required(zone_a, R"({"disk":"ssd"})").matches(node("n", R"({"zone":"a","disk":"ssd"})")));
  EXPECT_FALSE(required(zone_a, R"({"disk":"ssd"})").matches(node("n", R"({"zone":"a"})")));
  EXPECT_FALSE(required(zone_a, R"({"disk":"ssd"})").matches(node("n", R"({"zone":"b","disk":"ssd"})")));
  // Without affinity, the nodeSelector alone; without either, every node.
  auto selector_only = RequiredNodeAffinity::from_pod_spec(json_object(R"({"nodeSelector":{"disk":"ssd"}})"));
  EXPECT_TRUE(selector_only.matches(node("n", R"({"disk":"ssd","x":"y"})")));
  EXPECT_FALSE(selector_only.matches(node("n", R"({"disk":"hdd"})")));
  EXPECT_TRUE(RequiredNodeAffinity::from_pod_spec(json_object("{}")).matches(node("n")));
  // Required affinity present but with no usable term: nothing matches.
  EXPECT_FALSE(required("[]").matches(node("n")));
}

TEST(ParseNodeSelectorTerm, SaysWhyATermIsRefused) {
  std::string why;
  EXPECT_FALSE(parse_node_selector_term(
      json_object(R"({"matchFields":[{"key":"metadata.name","operator":"Exists"}]})"), &why));
  EXPECT_NE(why.find("Unsupported value"), std::string::npos) << why;
  EXPECT_FALSE(parse_node_selector_term(
      json_object(R"({"matchExpressions":[{"key":"zone","operator":"In","values":[]}]})"), &why));
  EXPECT_NE(why.find("values set can't be empty"), std::string::npos) << why;
  auto term = parse_node_selector_term(
      json_object(R"({"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a","b"]}]})"));
  ASSERT_TRUE(term);
  EXPECT_EQ(term->expressions.size(), 1u);
  EXPECT_EQ(term->expressions[0].op, SelectorOp::NotIn);
}

}  // namespace
}  // namespace ukube::machinery
