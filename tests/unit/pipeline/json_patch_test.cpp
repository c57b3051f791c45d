#include "kernel/pipeline/json_patch.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

boost::json::value J(const char* text) {
  return boost::json::parse(text);
}

TEST(MergePatch, FollowsRfc7386) {
  struct Case {
    const char *target, *patch, *result;
  } cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    auto target = J(c.target);
    apply_merge_patch(target, J(c.patch));
    EXPECT_EQ(target, J(c.result)) << c.target << " + " << c.patch;
  }
}

TEST(JsonPatch, AppliesEveryOperation) {
  auto doc = J(R"({"a":{"b":[1,2,3]},"c":"x"})");
  apply_json_patch(doc, J(R"([
    {"op":"add","path":"/a/b/1","value":9},
    {"op":"add","path":"/a/b/-","value":4},
    {"op":"remove","path":"/a/b/0"},
    {"op":"replace","path":"/c","value":"y"},
    {"op":"copy","from":"/c","path":"/d"},
    {"op":"move","from":"/d","path":"/e~1f"},
    {"op":"test","path":"/e~1f","value":"y"}
  ])"));
  EXPECT_EQ(doc, J(R"({"a":{"b":[9,2,3,4]},"c":"y","e/f":"y"})"));
}

TEST(JsonPatch, FailuresAreClientErrors) {
  auto doc = J(R"({"a":1})");
  auto code_of = [&](const char* patch) {
    try {
      auto copy = doc;
      apply_json_patch(copy, J(patch));
    } catch (const ApiError& e) {
      return e.code();
    }
    return 200;
  };
  EXPECT_EQ(code_of(R"({"op":"add"})"), 400);
  EXPECT_EQ(code_of(R"([{"op":"frob","path":"/a"}])"), 400);
  EXPECT_EQ(code_of(R"([{"op":"add","path":"a","value":1}])"), 400);
  EXPECT_EQ(code_of(R"([{"op":"remove","path":"/zz"}])"), 422);
  EXPECT_EQ(code_of(R"([{"op":"replace","path":"/zz","value":1}])"), 422);
  EXPECT_EQ(code_of(R"([{"op":"test","path":"/a","value":2}])"), 422);
  EXPECT_EQ(code_of(R"([{"op":"add","path":"/a/b/c","value":2}])"), 422);
  // An index past size_t is out of range like any other (the fuzzer found it thrown as
  // std::out_of_range).
  auto list = J(R"({"b":[1,2]})");
  EXPECT_THROW(apply_json_patch(list, J(R"([{"op":"remove","path":"/b/111111111111111111111111111111"}])")),
               ApiError);
}

}  // namespace
}  // namespace ukube::pipeline
