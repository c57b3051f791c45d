// The JSONPath subset of printer columns and selectable fields.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "apiextensions/json_path.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;

const json::value kDoc = json::parse(R"({
  "metadata": {"name": "w1", "labels": {"app.kubernetes.io/name": "web"}},
  "spec": {"replicas": 3, "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]},
  "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Synced", "status": "False"}]}
})");

std::vector<std::string> found(const std::string& path) {
  std::vector<std::string> out;
  for (const auto* v : JsonPath::parse(path).find(kDoc))
    out.push_back(v->is_string() ? std::string(v->get_string()) : json::serialize(*v));
  return out;
}

TEST(JsonPath, FieldsIndexesWildcardsAndFilters) {
  EXPECT_EQ(found(".spec.replicas"), std::vector<std::string>{"3"});
  EXPECT_EQ(found("{.spec.replicas}"), std::vector<std::string>{"3"});
  EXPECT_EQ(found(".spec.ports[1].port"), std::vector<std::string>{"443"});
  EXPECT_EQ(found(".spec.ports[-1].name"), std::vector<std::string>{"https"});
  EXPECT_EQ(found(".spec.ports[*].name"), (std::vector<std::string>{"http", "https"}));
  EXPECT_EQ(found(R"(.status.conditions[?(@.type=="Ready")].status)"), std::vector<std::string>{"True"});
  EXPECT_EQ(found(R"(.status.conditions[?(@.status!='True')].type)"), std::vector<std::string>{"Synced"});
  EXPECT_EQ(found(".spec.ports[?(@.port > 100)].name"), std::vector<std::string>{"https"});
  EXPECT_EQ(found(".metadata.labels['app.kubernetes.io/name']"), std::vector<std::string>{"web"});
  EXPECT_EQ(found("..port"), (std::vector<std::string>{"80", "443"}));
  EXPECT_TRUE(found(".spec.missing").empty());
  EXPECT_TRUE(found(".spec.ports[7]").empty());
  // From an object held directly, as stored objects are.
  auto from_object = JsonPath::parse(".metadata.name").find(kDoc.as_object());
  ASSERT_EQ(from_object.size(), 1u);
  EXPECT_EQ(*from_object.front(), "w1");
}

TEST(JsonPath, MalformedPathsAreRefusedWithWhere) {
  EXPECT_THROW(JsonPath::parse(""), JsonPathError);
  EXPECT_THROW(JsonPath::parse("spec.replicas"), JsonPathError);
  EXPECT_THROW(JsonPath::parse(".spec[1"), JsonPathError);
  EXPECT_THROW(JsonPath::parse(".spec[?(@.a ~ 1)]"), JsonPathError);
  try {
    JsonPath::parse(".spec.ports[x]");
    FAIL();
  } catch (const JsonPathError& e) {
    EXPECT_NE(std::string(e.what()).find("position"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ukube::apiextensions
