#include "openapi_v2_protobuf.h"

#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ukube::apiserver {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// Reads the message back field by field, by number, as any protobuf decoder would.
class Fields {
 public:
  explicit Fields(const std::string& bytes) { EXPECT_TRUE(set_.ParseFromString(bytes)); }
  std::vector<const UnknownField*> all(int number) const {
    std::vector<const UnknownField*> out;
    for (int i = 0; i < set_.field_count(); ++i)
      if (set_.field(i).number() == number) out.push_back(&set_.field(i));
    return out;
  }
  std::string bytes(int number) const {
    auto found = all(number);
    return found.size() == 1 && found[0]->type() == UnknownField::TYPE_LENGTH_DELIMITED
               ? found[0]->length_delimited()
               : "<" + std::to_string(found.size()) + " fields " + std::to_string(number) + ">";
  }
  Fields sub(int number) const { return Fields(bytes(number)); }
  uint64_t varint(int number) const {
    auto found = all(number);
    return found.size() == 1 && found[0]->type() == UnknownField::TYPE_VARINT ? found[0]->varint() : 999;
  }
  // The value of the Named* entry (1: name, 2: value) of repeated field `number` called `name`.
  Fields named(int number, const std::string& name) const {
    for (const auto* f : all(number)) {
      Fields entry(f->length_delimited());
      if (entry.bytes(1) == name) return entry.sub(2);
    }
    ADD_FAILURE() << "no entry " << name << " in field " << number;
    return Fields("");
  }

 private:
  UnknownFieldSet set_;
};

TEST(OpenApiV2Protobuf, EncodesTheDocumentAsGnosticsMessagesNumberIt) {
  const auto swagger = boost::json::parse(R"({
    "swagger": "2.0",
    "info": {"title": "Kubernetes", "version": "v1.33.0"},
    "paths": {"/api/v1/pods": {
      "parameters": [{"$ref": "#/parameters/pretty"}],
      "get": {"operationId": "listCoreV1Pod", "produces": ["application/json", "application/yaml"],
              "parameters": [{"name": "limit", "in": "query", "type": "integer", "uniqueItems": true},
                             {"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/x"}}],
              "responses": {"200": {"description": "OK", "schema": {"$ref": "#/definitions/x"}}},
              "x-kubernetes-action": "list"}}},
    "definitions": {"x": {
      "type": "object", "required": ["a"], "additionalProperties": false,
      "properties": {"a": {"type": "string", "description": "A.", "default": "z", "maxLength": 5},
                     "b": {"type": "array", "items": {"type": "number"}, "minimum": 1.5}},
      "x-kubernetes-group-version-kind": [{"group": "", "kind": "X", "version": "v1"}]}}})")
                           .as_object();
  const Fields doc(openapi_v2_protobuf(swagger));
  EXPECT_EQ(doc.bytes(1), "2.0");
  EXPECT_EQ(doc.sub(2).bytes(1), "Kubernetes");
  EXPECT_EQ(doc.sub(2).bytes(2), "v1.33.0");

  const Fields x = doc.sub(9).named(1, "x");
  EXPECT_EQ(x.sub(22).bytes(1), "object");
  EXPECT_EQ(x.bytes(19), "a");
  EXPECT_EQ(x.sub(21).varint(2), 0u) << "additionalProperties: false is the boolean arm, set to false";
  const Fields a = x.sub(25).named(1, "a");
  EXPECT_EQ(a.bytes(4), "A.");
  EXPECT_EQ(a.sub(5).bytes(2), "z");
  EXPECT_EQ(a.varint(11), 5u);
  const Fields b = x.sub(25).named(1, "b");
  EXPECT_EQ(b.sub(23).sub(1).sub(22).bytes(1), "number");
  ASSERT_EQ(b.all(9).size(), 1u);
  EXPECT_EQ(b.all(9)[0]->type(), UnknownField::TYPE_FIXED64);
  const Fields gvk = x.named(31, "x-kubernetes-group-version-kind");
  EXPECT_EQ(boost::json::parse(gvk.bytes(2)),
            boost::json::parse(R"([{"group":"","kind":"X","version":"v1"}])"));

  const Fields pods = doc.sub(8).named(2, "/api/v1/pods");
  EXPECT_EQ(Fields(pods.all(9).at(0)->length_delimited()).sub(2).bytes(1), "#/parameters/pretty");
  const Fields list = pods.sub(2);
  EXPECT_EQ(list.bytes(5), "listCoreV1Pod");
  EXPECT_EQ(list.all(6).size(), 2u);
  ASSERT_EQ(list.all(8).size(), 2u);
  const Fields query = Fields(list.all(8)[0]->length_delimited()).sub(1).sub(2).sub(3);
  EXPECT_EQ(query.bytes(4), "limit");
  EXPECT_EQ(query.bytes(6), "integer");
  EXPECT_EQ(query.varint(20), 1u);
  const Fields body = Fields(list.all(8)[1]->length_delimited()).sub(1).sub(1);
  EXPECT_EQ(body.bytes(2), "body");
  EXPECT_EQ(body.varint(4), 1u);
  EXPECT_EQ(body.sub(5).bytes(1), "#/definitions/x");
  const Fields ok = list.sub(9).named(1, "200").sub(1);
  EXPECT_EQ(ok.bytes(1), "OK");
  EXPECT_EQ(ok.sub(2).sub(1).bytes(1), "#/definitions/x");
  EXPECT_EQ(list.named(13, "x-kubernetes-action").bytes(2), "list");
}

}  // namespace
}  // namespace ukube::apiserver
