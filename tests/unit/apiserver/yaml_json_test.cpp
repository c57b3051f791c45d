#include "apiserver/yaml_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ukube/errors.h"

namespace ukube::apiserver {
namespace {

TEST(YamlJson, ResolvesPlainScalarsAndKeepsQuotedStrings) {
  auto doc = boost::json::parse(yaml_to_json(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels: {a: "1", b: on}
data:
  n: "42"
spec:
  replicas: 3
  ratio: 0.5
  enabled: true
  nothing: ~
  list: [1, two, "3"]
)"));
  auto& o = doc.as_object();
  EXPECT_EQ(o.at("kind"), "ConfigMap");
  EXPECT_EQ(o.at("metadata").at("labels").at("a"), "1");
  EXPECT_EQ(o.at("metadata").at("labels").at("b"), "on");  // YAML 1.2: not a boolean
  EXPECT_EQ(o.at("data").at("n"), "42");
  EXPECT_EQ(o.at("spec").at("replicas"), 3);
  EXPECT_EQ(o.at("spec").at("ratio"), 0.5);
  EXPECT_EQ(o.at("spec").at("enabled"), true);
  EXPECT_TRUE(o.at("spec").at("nothing").is_null());
  EXPECT_EQ(o.at("spec").at("list"), (boost::json::array{1, "two", "3"}));
}

TEST(YamlJson, JsonIsYamlToo) {
  EXPECT_EQ(boost::json::parse(yaml_to_json(R"({"a": [1, "b"]})")), boost::json::parse(R"({"a":[1,"b"]})"));
}

TEST(YamlJson, SyntaxErrorsAreBadRequests) {
  try {
    yaml_to_json("a: [1, 2\nb: c");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
    EXPECT_NE(std::string(e.what()).find("line"), std::string::npos);
  }
}

// "Billion laughs": nine levels of ten aliases each would expand to 10^9 nodes. Refused
// with 400, as upstream's decoder refuses it, instead of taking all memory.
TEST(YamlJson, ExcessiveAliasingIsABadRequest) {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 9; ++level) {
    const std::string below = "*a" + std::to_string(level - 1);
    bomb += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", " : "") + below;
    bomb += "]\n";
  }
  try {
    yaml_to_json(bomb);
    FAIL() << "expanded";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
    EXPECT_NE(std::string(e.what()).find("document contains excessive aliasing"), std::string::npos)
        << e.what();
  }
  // Aliases in moderation still work.
  auto doc = boost::json::parse(yaml_to_json("base: &b {x: 1}\nuse: *b\nagain: [*b, *b]\n"));
  EXPECT_EQ(doc.at("again").at(1).at("x"), 1);
}

}  // namespace
}  // namespace ukube::apiserver
