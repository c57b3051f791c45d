#include "apiserver/protobuf_body.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ukube/errors.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

// Just enough of a protobuf encoder to write what client-go would send.
struct Msg {
  std::string bytes;
  Msg& varint_field(uint64_t field, uint64_t v) {
    key(field, 0);
    varint(v);
    return *this;
  }
  Msg& bytes_field(uint64_t field, std::string_view v) {
    key(field, 2);
    varint(v.size());
    bytes.append(v);
    return *this;
  }
  Msg& message(uint64_t field, const Msg& m) { return bytes_field(field, m.bytes); }
  Msg& map_entry(uint64_t field, std::string_view k, const Msg& value) {
    return message(field, Msg().bytes_field(1, k).bytes_field(2, value.bytes));
  }
  Msg& string_entry(uint64_t field, std::string_view k, std::string_view v) {
    return message(field, Msg().bytes_field(1, k).bytes_field(2, v));
  }
  void key(uint64_t field, int wire) { varint(field << 3 | static_cast<uint64_t>(wire)); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }
};

std::string envelope(const std::string& api_version, const std::string& kind, const Msg& raw) {
  Msg unknown;
  unknown.message(1, Msg().bytes_field(1, api_version).bytes_field(2, kind));
  unknown.bytes_field(2, raw.bytes);
  unknown.bytes_field(3, "").bytes_field(4, "");
  return std::string("k8s\0", 4) + unknown.bytes;
}

TypeInfo with_schema(const char* kind, const char* schema) {
  TypeInfo t;
  t.version = "v1";
  t.kind = kind;
  t.plural = "things";
  t.schema = std::make_shared<const json::object>(json::parse(schema).as_object());
  return t;
}

const char* kConfigMapSchema = R"({"type":"object","properties":{
  "apiVersion":{"type":"string"},"kind":{"type":"string"},
  "metadata":{"type":"object","x-ukube-proto-tag":1,"properties":{
    "name":{"type":"string","x-ukube-proto-tag":1},
    "generateName":{"type":"string","x-ukube-proto-tag":2},
    "namespace":{"type":"string","x-ukube-proto-tag":3},
    "creationTimestamp":{"type":"string","format":"date-time","x-ukube-proto-tag":8},
    "labels":{"type":"object","additionalProperties":{"type":"string"},"x-ukube-proto-tag":11}}},
  "data":{"type":"object","additionalProperties":{"type":"string"},"x-ukube-proto-tag":2},
  "binaryData":{"type":"object","additionalProperties":{"type":"string","format":"byte"},"x-ukube-proto-tag":3},
  "immutable":{"type":"boolean","x-ukube-proto-tag":4,"x-ukube-proto-pointer":true}}})";

TEST(ProtobufBody, ConfigMapWithZeroValuesDropped) {
  TypeInfo t = with_schema("ConfigMap", kConfigMapSchema);
  Msg meta;
  meta.bytes_field(1, "cm1").bytes_field(2, "").bytes_field(3, "");
  meta.message(8, Msg().varint_field(1, static_cast<uint64_t>(int64_t{-62135596800})).varint_field(2, 0));
  meta.string_entry(11, "a", "");
  Msg cm;
  cm.message(1, meta)
      .string_entry(2, "k", "v")
      .string_entry(3, "b", std::string("\0\1\2", 3))
      .varint_field(4, 0);
  json::object o = decode_protobuf_object(envelope("v1", "ConfigMap", cm), t);
  EXPECT_EQ(o, json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cm1","creationTimestamp":null,"labels":{"a":""}},
      "data":{"k":"v"},"binaryData":{"b":"AAEC"},"immutable":false})"));
}

// What `kubectl create configmap pbtest --from-literal=k=v --from-literal=e=` (1.32) sent.
TEST(ProtobufBody, DecodesWhatKubectlSends) {
  const unsigned char captured[] = {
      0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x43, 0x6f, 0x6e, 0x66, 0x69,
      0x67, 0x4d, 0x61, 0x70, 0x12, 0x27, 0x0a, 0x16, 0x0a, 0x06, 0x70, 0x62, 0x74, 0x65, 0x73, 0x74, 0x12,
      0x00, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x12, 0x05, 0x0a, 0x01,
      0x65, 0x12, 0x00, 0x12, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76, 0x1a, 0x00, 0x22, 0x00};
  std::string body(reinterpret_cast<const char*>(captured), sizeof captured);
  json::object o = decode_protobuf_object(body, with_schema("ConfigMap", kConfigMapSchema));
  EXPECT_EQ(
      o, json::parse(
             R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pbtest","creationTimestamp":null},
      "data":{"e":"","k":"v"}})"));
}

TEST(ProtobufBody, NestedListsWrappersAndPointers) {
  TypeInfo t = with_schema("Deployment", R"({"type":"object","properties":{
    "spec":{"type":"object","x-ukube-proto-tag":2,"properties":{
      "replicas":{"type":"integer","x-ukube-proto-tag":1,"x-ukube-proto-pointer":true},
      "paused":{"type":"boolean","x-ukube-proto-tag":7},
      "ports":{"type":"array","items":{"type":"integer"},"x-ukube-proto-tag":9},
      "maxSurge":{"x-kubernetes-int-or-string":true,"x-ukube-proto-tag":4},
      "maxUnavailable":{"x-kubernetes-int-or-string":true,"x-ukube-proto-tag":5},
      "created":{"type":"string","format":"date-time","x-ukube-proto-tag":6},
      "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"x-ukube-proto-tag":8},
      "containers":{"type":"array","x-ukube-proto-tag":3,"items":{"type":"object","properties":{
        "name":{"type":"string","x-ukube-proto-tag":1},
        "args":{"type":"array","items":{"type":"string"},"x-ukube-proto-tag":4},
        "limits":{"type":"object","additionalProperties":{"format":"quantity"},"x-ukube-proto-tag":8}}}}}}}})");
  Msg container;
  container.bytes_field(1, "c1").bytes_field(4, "--a").bytes_field(4, "");
  container.map_entry(8, "cpu", Msg().bytes_field(1, "100m"));
  Msg packed;
  for (uint64_t v : {80, 443}) packed.varint(v);
  Msg spec;
  spec.varint_field(1, 0).varint_field(7, 0).message(3, container).message(3, Msg().bytes_field(1, "c2"));
  spec.bytes_field(9, packed.bytes);
  spec.message(4, Msg().varint_field(1, 1).bytes_field(3, "25%"));
  spec.message(5, Msg().varint_field(1, 0).varint_field(2, 2));
  spec.message(6, Msg().varint_field(1, 1714557600));
  spec.message(8, Msg().bytes_field(1, R"({"any":["json"]})"));
  spec.varint_field(99, 7);  // a field the schema does not know: skipped
  json::object o = decode_protobuf_object(envelope("apps/v1", "Deployment", Msg().message(2, spec)), t);
  EXPECT_EQ(o["spec"], json::parse(R"({"replicas":0,"ports":[80,443],"maxSurge":"25%","maxUnavailable":2,
      "created":"2024-05-01T10:00:00Z","extra":{"any":["json"]},
      "containers":[{"name":"c1","args":["--a",""],"limits":{"cpu":"100m"}},{"name":"c2"}]})"));
}

TEST(ProtobufBody, RefusesWhatItCannotDecode) {
  TypeInfo untagged = with_schema("Thing", R"({"type":"object","properties":{"spec":{"type":"object"}}})");
  try {
    decode_protobuf_object(envelope("v1", "Thing", Msg()), untagged);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 415);
  }
  TypeInfo t = with_schema("ConfigMap", kConfigMapSchema);
  try {
    decode_protobuf_object("{\"json\":true}", t);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
  }
  try {
    decode_protobuf_object(std::string("k8s\0\x12\x05"
                                       "ab",
                                       8),
                           t);  // raw claims 5 bytes, has 2
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
  }
}

// Fields of inline Go structs (a Volume's source, the name in a key selector's
// LocalObjectReference) arrive inside a sub-message but are the object's own in JSON.
TEST(ProtobufBody, InlineStructsAreFlattened) {
  TypeInfo t = with_schema("Volume", R"({"type":"object","properties":{
    "name":{"type":"string","x-ukube-proto-tag":1},
    "emptyDir":{"type":"object","x-ukube-proto-tag":2,"x-ukube-proto-embedded":2,"x-ukube-proto-pointer":true,
      "properties":{"medium":{"type":"string","x-ukube-proto-tag":1}}},
    "configMap":{"type":"object","x-ukube-proto-tag":19,"x-ukube-proto-embedded":2,"x-ukube-proto-pointer":true,
      "properties":{"name":{"type":"string","x-ukube-proto-tag":1,"x-ukube-proto-embedded":1},
                    "defaultMode":{"type":"integer","x-ukube-proto-tag":3,"x-ukube-proto-pointer":true}}}}})");
  Msg source;
  source.message(2, Msg()).message(19, Msg().message(1, Msg().bytes_field(1, "cm")).varint_field(3, 420));
  json::object o =
      decode_protobuf_object(envelope("v1", "Volume", Msg().bytes_field(1, "v").message(2, source)), t);
  EXPECT_EQ(o, json::parse(R"({"apiVersion":"v1","kind":"Volume","name":"v","emptyDir":{},
      "configMap":{"name":"cm","defaultMode":420}})"));
}

// JSON keeps zero values of fields without omitempty, and of every struct.
TEST(ProtobufBody, ZeroValuesFollowEncodingJson) {
  TypeInfo t = with_schema("PriorityClass", R"({"type":"object","properties":{
    "value":{"type":"integer","x-ukube-proto-tag":2,"x-ukube-proto-keep-zero":true},
    "description":{"type":"string","x-ukube-proto-tag":4},
    "status":{"type":"object","x-ukube-proto-tag":5,"properties":{"x":{"type":"string","x-ukube-proto-tag":1}}},
    "port":{"x-kubernetes-int-or-string":true,"x-ukube-proto-tag":6},
    "renewTime":{"type":"string","format":"date-time","x-ukube-micro-time":true,"x-ukube-proto-tag":7},
    "created":{"type":"string","format":"date-time","x-ukube-proto-tag":8}}})");
  Msg pc;
  pc.varint_field(2, 0).bytes_field(4, "").message(5, Msg()).message(6, Msg().varint_field(1, 0));
  pc.message(7, Msg().varint_field(1, 1714557600).varint_field(2, 123456789));
  pc.message(8, Msg().varint_field(1, 1714557600).varint_field(2, 123456789));
  json::object o = decode_protobuf_object(envelope("scheduling.k8s.io/v1", "PriorityClass", pc), t);
  EXPECT_EQ(o, json::parse(R"({"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","value":0,
      "status":{},"port":0,"renewTime":"2024-05-01T10:00:00.123456Z","created":"2024-05-01T10:00:00Z"})"));
}

}  // namespace
}  // namespace ukube::apiserver
