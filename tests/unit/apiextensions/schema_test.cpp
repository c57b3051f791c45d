// Structural schemas of custom resources: validation with upstream's messages, and defaulting.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "apiextensions/schema_defaults.h"
#include "apiextensions/schema_validation.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;

SchemaNode schema(std::string_view text) {
  return compile_schema(json::parse(text).as_object());
}

// Each error as kubectl prints a cause: "field: message".
std::vector<std::string> errors_of(const SchemaNode& root, std::string_view object) {
  std::vector<FieldError> out;
  validate_custom_resource(json::parse(object).as_object(), root, out);
  std::vector<std::string> text;
  for (const auto& e : out) text.push_back(e.field + ": " + e.message);
  return text;
}

const SchemaNode kWidget = schema(R"({
  "type": "object",
  "properties": {
    "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 8}}},
    "spec": {
      "type": "object",
      "required": ["color"],
      "properties": {
        "color": {"type": "string", "enum": ["red", "green"]},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
        "ratio": {"type": "number", "exclusiveMaximum": true, "maximum": 1, "multipleOf": 0.25},
        "name": {"type": "string", "minLength": 2, "pattern": "^[a-z]+$"},
        "email": {"type": "string", "format": "email"},
        "ip": {"type": "string", "format": "ipv4"},
        "count": {"type": "integer", "format": "int32"},
        "port": {"x-kubernetes-int-or-string": true},
        "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
        "labels": {"type": "object", "maxProperties": 1, "additionalProperties": {"type": "string"}},
        "nothing": {"type": "string", "nullable": true},
        "choice": {"type": "string", "anyOf": [{"pattern": "^a"}, {"pattern": "^b"}]}
      }
    }
  }
})");

TEST(Schema, ValidObjectsPass) {
  EXPECT_TRUE(errors_of(kWidget, R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},
    "spec":{"color":"red","replicas":3,"ratio":0.5,"name":"abc","email":"a@b.c","ip":"10.0.0.1","port":"http",
            "tags":["a","b"],"ports":[{"name":"a","port":1},{"name":"b","port":1}],"labels":{"a":"b"},
            "nothing":null,"choice":"bee"}})")
                  .empty());
  EXPECT_TRUE(errors_of(kWidget, R"({"spec":{"color":"green","port":8080,"replicas":2.0}})").empty())
      << "whole numbers are integers, int-or-string takes both";
  // Formats upstream does not check for custom resources pass whatever they hold.
  EXPECT_TRUE(errors_of(kWidget, R"({"spec":{"color":"red","count":99999999999}})").empty());
}

TEST(Schema, ErrorsReadAsUpstreamsDo) {
  using V = std::vector<std::string>;
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{}})"), V{"spec.color: Required value"});
  EXPECT_EQ(errors_of(kWidget, R"({})"), V{}) << "spec itself is optional here";
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"pink"}})"),
            V{R"(spec.color: Unsupported value: "pink": supported values: "red", "green")"});
  EXPECT_EQ(
      errors_of(kWidget, R"({"spec":{"color":"red","replicas":"many"}})"),
      V{R"(spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string")"});
  EXPECT_EQ(
      errors_of(kWidget, R"({"spec":{"color":"red","replicas":1.5}})"),
      V{R"(spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number")"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","replicas":0}})"),
            V{"spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","replicas":11}})"),
            V{"spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","ratio":1}})"),
            V{"spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","ratio":0.3}})"),
            V{"spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.25"});
  EXPECT_EQ(
      errors_of(kWidget, R"({"spec":{"color":"red","replicas":1e6}})"),
      V{"spec.replicas: Invalid value: 1e+06: spec.replicas in body should be less than or equal to 10"})
      << "floats print as Go prints them";
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","name":"a"}})"),
            V{R"(spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long)"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","name":"ABC"}})"),
            V{R"(spec.name: Invalid value: "ABC": spec.name in body should match '^[a-z]+$')"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","ip":"1.2.3"}})"),
            V{R"(spec.ip: Invalid value: "1.2.3": spec.ip in body must be of type ipv4: "1.2.3")"});
  EXPECT_EQ(
      errors_of(kWidget, R"({"spec":{"color":"red","port":true}})"),
      V{R"(spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean")"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","tags":["a","b","c","d"]}})"),
            V{"spec.tags: Too many: 4: must have at most 3 items"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","tags":["a","a","a"]}})"),
            V{R"(spec.tags[1]: Duplicate value: "a")"})
      << "only a value's second copy is reported";
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","ports":[{"name":"a"},{"name":"a","port":2}]}})"),
            V{R"(spec.ports[1]: Duplicate value: map[string]interface {}{"name":"a"})"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","labels":{"a":"b","c":"d"}}})"),
            V{"spec.labels: Too many: 2: must have at most 1 items"});
  EXPECT_EQ(
      errors_of(kWidget, R"({"spec":{"color":"red","labels":{"a":1}}})"),
      V{R"(spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer")"});
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"color":"red","choice":"cat"}})"),
            V{R"(<nil>: Invalid value: "": "spec.choice" must validate at least one schema (anyOf))"});
  EXPECT_EQ(errors_of(kWidget, R"({"metadata":{"name":"much-too-long"},"spec":{"color":"red"}})"),
            V{"metadata.name: Too long: may not be more than 8 bytes"});
  // Every problem is reported, not only the first.
  EXPECT_EQ(errors_of(kWidget, R"({"spec":{"replicas":0,"name":"a"}})").size(), 3u);
}

TEST(Schema, ErrorReasonsAreUpstreams) {
  std::vector<FieldError> out;
  validate_custom_resource(json::parse(R"({"spec":{"replicas":"x","tags":["a","a"]}})").as_object(), kWidget,
                           out);
  std::vector<std::string> reasons;
  for (const auto& e : out) reasons.push_back(e.reason);
  EXPECT_EQ(reasons,
            (std::vector<std::string>{"FieldValueRequired", "FieldValueTypeInvalid", "FieldValueDuplicate"}));
}

// An object stored before its schema got stricter can still be updated elsewhere; what the
// update changes is checked.
TEST(Schema, UpdatesRatchetOverValuesTheyLeaveAsTheyWere) {
  auto errors_after = [](std::string_view old_text, std::string_view new_text) {
    const json::object old = json::parse(old_text).as_object();
    std::vector<FieldError> out;
    validate_custom_resource(json::parse(new_text).as_object(), kWidget, out, &old);
    std::vector<std::string> text;
    for (const auto& e : out) text.push_back(e.field + ": " + e.message);
    return text;
  };
  using V = std::vector<std::string>;
  const std::string stored = R"({"spec":{"color":"pink","replicas":0,"name":"ok",
    "ports":[{"name":"a","port":"x"},{"name":"b","port":2}]}})";
  EXPECT_EQ(errors_after(stored, R"({"spec":{"color":"pink","replicas":0,"name":"fine",
    "ports":[{"name":"b","port":3},{"name":"a","port":"x"}]}})"),
            V{})
      << "pink, 0 and port x are as they were; list-map items match by key";
  EXPECT_EQ(
      errors_after(stored, R"({"spec":{"color":"pink","replicas":12,"name":"ok",
    "ports":[{"name":"a","port":"y"},{"name":"b","port":2}]}})"),
      (V{"spec.replicas: Invalid value: 12: spec.replicas in body should be less than or equal to 10",
         R"(spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string")"}));
  EXPECT_EQ(errors_after(stored, R"({"spec":{"color":"blue","replicas":0,"name":"ok",
    "ports":[{"name":"a","port":"x"},{"name":"b","port":2}]}})"),
            V{R"(spec.color: Unsupported value: "blue": supported values: "red", "green")"});
}

TEST(Schema, DefaultsFillMissingAndNonNullableNullMembersOfExistingObjects) {
  SchemaNode s = schema(R"({
    "type": "object",
    "properties": {
      "spec": {
        "type": "object",
        "properties": {
          "replicas": {"type": "integer", "default": 1},
          "mode": {"type": "string", "default": "fast"},
          "keep": {"type": "string", "nullable": true, "default": "x"},
          "drop": {"type": "string"},
          "template": {"type": "object", "default": {}, "properties": {"image": {"type": "string", "default": "busybox"}}},
          "absent": {"type": "object", "properties": {"size": {"type": "integer", "default": 3}}},
          "items": {"type": "array", "items": {"type": "object", "properties": {"weight": {"type": "integer", "default": 5}}}},
          "extra": {"type": "object", "additionalProperties": {"type": "object", "properties": {"on": {"type": "boolean", "default": true}}}}
        }
      }
    }
  })");
  json::object o =
      json::parse(
          R"({"spec":{"mode":null,"keep":null,"drop":null,"items":[{},{"weight":1}],"extra":{"a":{}}}})")
          .as_object();
  apply_defaults(o, s);
  EXPECT_EQ(
      o["spec"],
      json::parse(R"({"mode":"fast","keep":null,"items":[{"weight":5},{"weight":1}],"extra":{"a":{"on":true}},
              "replicas":1,"template":{"image":"busybox"}})"))
      << o["spec"];
  json::object none = json::parse("{}").as_object();
  apply_defaults(none, s);
  EXPECT_TRUE(none.empty()) << "no spec, so nothing inside it is defaulted";
}

TEST(Schema, FormatsUpstreamChecks) {
  EXPECT_TRUE(format_matches("date-time", "2024-05-01T10:00:00Z"));
  EXPECT_TRUE(format_matches("date-time", "2024-05-01t10:00:00.5+02:00"));
  EXPECT_FALSE(format_matches("date-time", "2024-05-01"));
  EXPECT_TRUE(format_matches("date", "2024-05-01"));
  EXPECT_TRUE(format_matches("uuid", "123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(format_matches("uuid", "123e4567"));
  EXPECT_TRUE(format_matches("byte", "aGVsbG8="));
  EXPECT_FALSE(format_matches("byte", ""));
  EXPECT_TRUE(format_matches("ipv6", "fd00::1"));
  EXPECT_TRUE(format_matches("cidr", "10.42.0.0/16"));
  EXPECT_FALSE(format_matches("cidr", "10.42.0.0/33"));
  EXPECT_TRUE(format_matches("duration", "1h30m"));
  EXPECT_TRUE(format_matches("duration", "-1.5h"));
  EXPECT_TRUE(format_matches("duration", ".5s"));
  EXPECT_TRUE(format_matches("duration", "1ms2\u00b5s3d"));
  EXPECT_FALSE(format_matches("duration", "1x"));
  EXPECT_FALSE(format_matches("duration", "h"));
  EXPECT_FALSE(format_matches("duration", ""));
  EXPECT_TRUE(format_matches("date-time", "2024-05-01 10:00:00.5+02:00"));
  EXPECT_FALSE(format_matches("date-time", "2024-05-01T10:00:00"));
  EXPECT_TRUE(format_matches("email", "ops@example.com"));
  EXPECT_FALSE(format_matches("email", "ops@@example.com"));
  EXPECT_FALSE(format_matches("email", "o ps@example.com"));
  EXPECT_TRUE(format_matches("int32", "anything"));
}

}  // namespace
}  // namespace ukube::apiextensions

namespace ukube::apiextensions {
namespace {

// Patterns and formats are matched without recursing per character: a string of any
// length is checked, never a crash.
TEST(Schema, LongStringsMeetPatternsAndFormats) {
  const SchemaNode root =
      schema(R"({"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "name": {"type": "string", "pattern": "^[a-z]+$"},
    "data": {"type": "string", "format": "byte"},
    "link": {"type": "string", "format": "uri"}}}}})");
  const std::string letters(300'000, 'a');
  const std::string base64(400'000, 'A');
  EXPECT_TRUE(errors_of(root, R"({"spec": {"name": ")" + letters + R"(", "data": ")" + base64 +
                                  R"(", "link": "https://example.com/)" + letters + R"("}})")
                  .empty());
  const auto errors = errors_of(root, R"({"spec": {"name": ")" + letters + R"(1"}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("spec.name in body should match '^[a-z]+$'"), std::string::npos);
  EXPECT_EQ(errors_of(root, R"({"spec": {"data": "abc"}})").size(), 1u) << "not base64";
}

}  // namespace
}  // namespace ukube::apiextensions
