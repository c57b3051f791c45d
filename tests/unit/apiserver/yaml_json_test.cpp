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

}  // namespace
}  // namespace ukube::apiserver
