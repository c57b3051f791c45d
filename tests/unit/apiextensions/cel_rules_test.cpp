// x-kubernetes-validations: rules compiled when a definition is written (compile errors and
// cost overruns refuse it, with upstream's messages) and evaluated on custom resources (failed
// rules, messageExpression, reason and fieldPath, transition rules, ratcheting).
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "apiextensions/cel_rules.h"
#include "apiextensions/crd_type.h"
#include "apiextensions/schema_validation.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;

SchemaNode rules_schema(std::string_view text) {
  SchemaNode root = compile_schema(json::parse(text).as_object());
  attach_cel_rules(root);
  return root;
}

// Each error as kubectl prints a cause: "field: message", schema errors first.
std::vector<std::string> rule_errors(const SchemaNode& root, std::string_view object,
                                     std::string_view old = {}) {
  std::vector<FieldError> out;
  const json::object o = json::parse(object).as_object();
  const json::object before = old.empty() ? json::object() : json::parse(old).as_object();
  validate_custom_resource(o, root, out, old.empty() ? nullptr : &before);
  check_cel_rules(o, root, out, old.empty() ? nullptr : &before);
  std::vector<std::string> text;
  for (const auto& e : out) text.push_back(e.field + ": " + e.message);
  return text;
}

std::string joined_errors(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

const SchemaNode kGadget = rules_schema(R"j({
  "type": "object",
  "x-kubernetes-validations": [{"rule": "self.metadata.name.startsWith('g')", "message": "names start with g"}],
  "properties": {
    "metadata": {"type": "object"},
    "spec": {
      "type": "object",
      "x-kubernetes-validations": [
        {"rule": "!has(self.ports) || self.ports.all(p, p.port < 65536)",
         "messageExpression": "'ports must be below 65536, not ' + string(self.ports.filter(p, p.port >= 65536)[0].port)",
         "fieldPath": ".ports", "reason": "FieldValueForbidden"},
        {"rule": "!has(self.expires) || !has(self.starts) || self.starts < self.expires"}
      ],
      "properties": {
        "scaling": {"type": "object", "properties": {"minReplicas": {"type": "integer"}, "maxReplicas": {"type": "integer"}},
                    "x-kubernetes-validations": [
                      {"rule": "self.minReplicas <= self.maxReplicas", "message": "minReplicas must not exceed maxReplicas"}]},
        "tier": {"type": "string", "maxLength": 16,
                 "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "tier is immutable"}]},
        "name": {"type": "string", "maxLength": 32, "x-kubernetes-validations": [{"rule": "self.matches('^[a-z]+$')"}]},
        "memory": {"x-kubernetes-int-or-string": true,
                   "x-kubernetes-validations": [{"rule": "quantity(string(self)).isLessThan(quantity('1Gi'))",
                                                 "message": "memory must be below 1Gi"}]},
        "ports": {"type": "array", "maxItems": 8,
                  "items": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 16},
                                                             "port": {"type": "integer"}},
                            "x-kubernetes-validations": [{"rule": "self.name != 'forbidden'"}]}},
        "labels": {"type": "object", "maxProperties": 4, "additionalProperties": {"type": "string", "maxLength": 64},
                   "x-kubernetes-validations": [{"rule": "!('app' in self) || self['app'].size() > 1"}]},
        "dash-name": {"type": "integer", "x-kubernetes-validations": [{"rule": "self > 0"}]},
        "expires": {"type": "string", "format": "date-time"},
        "starts": {"type": "string", "format": "date-time"},
        "divisor": {"type": "integer"}
      }
    }
  }
})j");

TEST(CelRules, ObjectsThatKeepTheRulesPass) {
  const auto errors = rule_errors(kGadget, R"j({"metadata": {"name": "g1"}, "spec": {
    "scaling": {"minReplicas": 1, "maxReplicas": 3}, "tier": "gold", "name": "abc", "memory": "512Mi",
    "ports": [{"name": "http", "port": 80}], "labels": {"app": "web"}, "dash-name": 2,
    "starts": "2024-01-01T00:00:00Z", "expires": "2024-06-01T00:00:00Z"}})j");
  EXPECT_TRUE(errors.empty()) << joined_errors(errors);
}

TEST(CelRules, FailedRulesReadAsUpstreams) {
  EXPECT_EQ(
      rule_errors(
          kGadget,
          R"j({"metadata": {"name": "x1"}, "spec": {"scaling": {"minReplicas": 5, "maxReplicas": 3}}})j"),
      (std::vector<std::string>{
          "<nil>: Invalid value: \"object\": names start with g",
          "spec.scaling: Invalid value: \"object\": minReplicas must not exceed maxReplicas"}));
  EXPECT_EQ(rule_errors(kGadget, R"j({"metadata": {"name": "g1"}, "spec": {"name": "ABC"}})j"),
            (std::vector<std::string>{
                "spec.name: Invalid value: \"string\": failed rule: self.matches('^[a-z]+$')"}));
  EXPECT_EQ(
      rule_errors(
          kGadget,
          R"j({"metadata": {"name": "g1"}, "spec": {"ports": [{"name": "forbidden", "port": 70000}]}})j"),
      (std::vector<std::string>{
          "spec.ports: Forbidden: ports must be below 65536, not 70000",
          "spec.ports[0]: Invalid value: \"object\": failed rule: self.name != 'forbidden'"}));
  EXPECT_EQ(
      rule_errors(kGadget, R"j({"metadata": {"name": "g1"}, "spec": {"memory": "2Gi", "labels": {"app": "x"},
                                  "dash-name": 0}})j"),
      (std::vector<std::string>{
          "spec.memory: Invalid value: \"\": memory must be below 1Gi",
          "spec.labels: Invalid value: \"object\": failed rule: !('app' in self) || self['app'].size() > 1",
          "spec.dash-name: Invalid value: \"integer\": failed rule: self > 0"}));
  EXPECT_EQ(rule_errors(kGadget, R"j({"metadata": {"name": "g1"}, "spec": {
                                  "starts": "2024-06-01T00:00:00Z", "expires": "2024-01-01T00:00:00+02:00"}})j"),
            (std::vector<std::string>{"spec: Invalid value: \"object\": failed rule: !has(self.expires) || "
                                      "!has(self.starts) || self.starts < self.expires"}));
}

TEST(CelRules, TransitionRulesSeeTheOldValueAndUnchangedValuesRatchet) {
  const char* before = R"j({"metadata": {"name": "g1"}, "spec": {"tier": "gold", "name": "ABC"}})j";
  EXPECT_TRUE(rule_errors(kGadget, before).size() == 1) << "on create, the transition rule does not run";
  EXPECT_EQ(
      rule_errors(kGadget, R"j({"metadata": {"name": "g1"}, "spec": {"tier": "silver", "name": "ABC"}})j",
                  before),
      (std::vector<std::string>{"spec.tier: Invalid value: \"string\": tier is immutable"}))
      << "the name's rule failed before too: it ratchets";
  EXPECT_TRUE(rule_errors(kGadget, before, before).empty());
}

TEST(CelRules, TypeErrorsStopRulesAndRuntimeErrorsNameTheRule) {
  EXPECT_EQ(
      rule_errors(kGadget, R"j({"metadata": {"name": "g1"}, "spec": {"scaling": {"minReplicas": "one"}}})j"),
      (std::vector<std::string>{
          "spec.scaling.minReplicas: Invalid value: \"string\": spec.scaling.minReplicas in body must be of "
          "type integer: \"string\"",
          "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was "
          "invalid; correct the existing errors to complete validation"}));
  EXPECT_EQ(
      rule_errors(kGadget, R"j({"metadata": {"name": "g1"}, "spec": {"scaling": {"minReplicas": 1}}})j"),
      (std::vector<std::string>{
          "spec.scaling: Invalid value: \"object\": no such key: maxReplicas evaluating rule: minReplicas "
          "must not exceed maxReplicas"}));
}

// ---- at definition time

json::object crd_with(std::string_view spec_schema) {
  json::object o = json::parse(R"j({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "gadgets", "kind": "Gadget"},
             "versions": [{"name": "v1", "served": true, "storage": true,
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {}}}}}]}
  })j")
                       .as_object();
  o["spec"]
      .as_object()["versions"]
      .as_array()[0]
      .as_object()["schema"]
      .as_object()["openAPIV3Schema"]
      .as_object()["properties"]
      .as_object()["spec"] = json::parse(spec_schema);
  default_crd(o);
  return o;
}

std::vector<std::string> crd_errors(std::string_view spec_schema) {
  std::vector<FieldError> out;
  validate_crd(crd_with(spec_schema), nullptr, out);
  std::vector<std::string> text;
  for (const auto& e : out) text.push_back(e.field + ": " + e.message);
  return text;
}

constexpr std::string_view kRulePath =
    "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0]";

TEST(CelRules, DefinitionsWithRulesThatDoNotCompileAreRefused) {
  EXPECT_TRUE(crd_errors(R"j({"type": "object", "properties": {"a": {"type": "integer"}},
                             "x-kubernetes-validations": [{"rule": "self.a > 0"}]})j")
                  .empty());
  EXPECT_EQ(crd_errors(R"j({"type": "object", "properties": {"a": {"type": "integer"}},
                           "x-kubernetes-validations": [{"rule": "self.b > 0"}]})j"),
            (std::vector<std::string>{
                std::string(kRulePath) +
                ".rule: Invalid value: apiextensions.ValidationRule{Rule:\"self.b > 0\", Message:\"\", "
                "MessageExpression:\"\", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:\"\", "
                "OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field 'b'\n"
                " | self.b > 0\n | ....^"}));
  const auto not_bool = crd_errors(R"j({"type": "object", "properties": {"a": {"type": "integer"}},
                                       "x-kubernetes-validations": [{"rule": "self.a + 1"}]})j");
  ASSERT_EQ(not_bool.size(), 1u);
  EXPECT_NE(not_bool[0].find("cel expression must evaluate to a bool"), std::string::npos) << not_bool[0];
  const auto message = crd_errors(R"j({"type": "object", "x-kubernetes-validations": [
      {"rule": "true", "messageExpression": "1"}, {"rule": " ", "reason": "Other"}]})j");
  ASSERT_EQ(message.size(), 3u) << joined_errors(message);
  EXPECT_EQ(message[0],
            std::string(kRulePath) +
                ".messageExpression: Invalid value: apiextensions.ValidationRule{"
                "Rule:\"true\", Message:\"\", MessageExpression:\"1\", Reason:(*apiextensions."
                "FieldValueErrorReason)(nil), FieldPath:\"\", OptionalOldSelf:(*bool)(nil)}: must evaluate "
                "to a string");
  EXPECT_NE(message[1].find("x-kubernetes-validations[1].rule: Required value: rule is not specified"),
            std::string::npos);
  EXPECT_NE(message[2].find("x-kubernetes-validations[1].reason: Unsupported value: \"Other\""),
            std::string::npos);
}

TEST(CelRules, RulesTooCostlyForTheSchemasBoundsAreRefused) {
  const auto unbounded = crd_errors(R"j({"type": "object", "properties": {
      "names": {"type": "array", "items": {"type": "string"},
                "x-kubernetes-validations": [{"rule": "self.all(x, self.exists(y, x.matches(y)))"}]}}})j");
  ASSERT_FALSE(unbounded.empty());
  EXPECT_EQ(
      unbounded[0],
      "spec.validation.openAPIV3Schema.properties[spec].properties[names].x-kubernetes-validations[0]"
      ".rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the "
      "rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)");
  EXPECT_TRUE(crd_errors(R"j({"type": "object", "properties": {
      "names": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 64},
                "x-kubernetes-validations": [{"rule": "self.all(x, self.exists(y, x.matches(y)))"}]}}})j")
                  .empty());
}

}  // namespace
}  // namespace ukube::apiextensions
