// fieldValidation: unknown fields are pruned where the schema is authoritative, and
// Strict / Warn / Ignore decide what the caller hears.
#include "kernel/pipeline/field_validation.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

TEST(PruneUnknownFields, Table) {
  static const boost::json::object kSchema = schema::deployment();
  struct Case {
    const char* object;
    const char* pruned;
    std::vector<std::string> unknown;
  } cases[] = {
      {R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":1}})",
       R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":1}})",
       {}},
      {R"({"spec":{"bad":1,"replicas":1},"top":true})", R"({"spec":{"replicas":1}})", {"spec.bad", "top"}},
      {R"({"metadata":{"name":"a","nickname":"b","labels":{"any":"thing"}}})",
       R"({"metadata":{"name":"a","labels":{"any":"thing"}}})",
       {"metadata.nickname"}},
      {R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b","imagePullpolicy":"x"}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}})",
       {"spec.template.spec.containers[1].imagePullpolicy"}},
      // preserve-unknown-fields and int-or-string keep whatever they get.
      {R"({"spec":{"extra":{"free":{"form":[1]}},"strategy":{"rollingUpdate":{"maxSurge":"25%"}}}})",
       R"({"spec":{"extra":{"free":{"form":[1]}},"strategy":{"rollingUpdate":{"maxSurge":"25%"}}}})",
       {}},
      {R"({"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"x","valueFrom":{"y":1}}]}]}}}})",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"x","valueFrom":{"y":1}}]}]}}}})",
       {}},
  };
  for (const auto& c : cases) {
    auto object = J(c.object);
    auto unknown = pipeline::prune_unknown_fields(object, pipeline::SchemaView(&kSchema));
    EXPECT_EQ(object, J(c.pruned)) << c.object;
    EXPECT_EQ(unknown, c.unknown) << c.object;
  }
  auto object = J(R"({"a":{"b":1}})");
  EXPECT_TRUE(pipeline::prune_unknown_fields(object, pipeline::SchemaView()).empty())
      << "no schema, nothing unknown";
}

// What upstream's decoder into Go structs refuses, in its words.
TEST(PruneUnknownFields, ValuesOfTheWrongTypeAreFoundAsGoWouldFindThem) {
  // (This test schema gives replicas no format: int64, where the built-in one says int32.)
  static const boost::json::object kSchema = schema::deployment();
  struct Case {
    const char* object;
    const char* message;  // "" when Go decodes it
  } cases[] = {
      {R"({"spec":{"replicas":3}})", ""},
      {R"({"spec":{"replicas":3.0}})", ""},  // YAML may give whole numbers as doubles
      {R"({"spec":{"replicas":null,"paused":null}})", ""},
      {R"({"spec":{"replicas":"3"}})",
       "json: cannot unmarshal string into Go struct field Deployment.spec.replicas of type int64"},
      {R"({"spec":{"replicas":1.5}})",
       "json: cannot unmarshal number 1.5 into Go struct field Deployment.spec.replicas of type int64"},
      {R"({"spec":{"replicas":10000000000000000000}})",
       "json: cannot unmarshal number 10000000000000000000 into Go struct field Deployment.spec.replicas of "
       "type int64"},
      {R"({"metadata":{"labels":"x"}})",
       "json: cannot unmarshal string into Go struct field Deployment.metadata.labels of type "
       "map[string]string"},
      {R"({"metadata":{"labels":{"a":1}}})",
       "json: cannot unmarshal number into Go struct field Deployment.metadata.labels of type string"},
      {R"({"spec":{"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":2}}}})", ""},
      {R"({"spec":{"strategy":{"rollingUpdate":{"maxSurge":true}}}})",
       "json: cannot unmarshal bool into Go struct field Deployment.spec.strategy.rollingUpdate.maxSurge of "
       "type intstr.IntOrString"},
      {R"({"spec":{"template":{"spec":{"containers":[{"name":"a","args":"x"}]}}}})",
       "json: cannot unmarshal string into Go struct field Deployment.spec.template.spec.containers.args of "
       "type []string"},
      {R"({"spec":{"extra":{"free":{"form":[1]}}}})", ""},
  };
  for (const auto& c : cases) {
    auto object = J(c.object);
    std::optional<pipeline::TypeMismatch> mismatch;
    pipeline::prune_unknown_fields(object, pipeline::SchemaView(&kSchema), mismatch);
    EXPECT_EQ(mismatch ? mismatch->message("Deployment") : "", c.message) << c.object;
  }
  // int32 fields hold int32's range, whatever JSON number type carries the value:
  // numbers our own code writes from unsigned integers arrive as uint64.
  static const boost::json::object kPorts =
      J(R"({"type":"object","properties":{"port":{"type":"integer","format":"int32"}}})");
  for (const boost::json::value& port :
       {boost::json::value(uint64_t{33105}), boost::json::value(int64_t{-1}),
        boost::json::value(2147483648.0), boost::json::value(uint64_t{1} << 40)}) {
    boost::json::object endpoint{{"port", port}};
    std::optional<pipeline::TypeMismatch> found;
    pipeline::prune_unknown_fields(endpoint, pipeline::SchemaView(&kPorts), found);
    const bool fits = port.is_uint64() ? port.get_uint64() <= INT32_MAX : !port.is_double();
    EXPECT_EQ(found.has_value(), !fits) << boost::json::serialize(port);
  }

  auto labels = J(R"({"metadata":{"labels":"x"}})");
  std::optional<pipeline::TypeMismatch> mismatch;
  pipeline::prune_unknown_fields(labels, pipeline::SchemaView(&kSchema), mismatch);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->converter_message("Deployment"), "cannot restore map from string");
}

TEST(DuplicateFields, Table) {
  struct Case {
    const char* text;
    std::vector<std::string> duplicates;
  } cases[] = {
      {R"({"a":1,"b":2})", {}},
      {R"({"a":1,"a":2})", {"a"}},
      {R"({"spec":{"replicas":1,"replicas":2}})", {"spec.replicas"}},
      {R"({"l":[{"x":1},{"x":1,"y":[1,{"z":1,"z":2}],"x":3}]})", {"l[1].y[1].z", "l[1].x"}},
      {R"({"a":{"k":1},"b":{"k":1}})", {}},
      {R"({not json)", {}},
  };
  for (const auto& c : cases) EXPECT_EQ(pipeline::duplicate_fields(c.text), c.duplicates) << c.text;
}

class FieldValidationModes : public ::testing::Test {
 protected:
  boost::json::object deployment(const char* spec) {
    return boost::json::object{{"apiVersion", "apps/v1"},
                               {"kind", "Deployment"},
                               {"metadata", {{"name", "web"}}},
                               {"spec", boost::json::parse(spec)}};
  }
  WriteOptions mode(FieldValidation v) {
    WriteOptions o;
    o.field_validation = v;
    o.warnings = &warnings;
    return o;
  }
  TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
  std::vector<std::string> warnings;
};

TEST_F(FieldValidationModes, StrictRejectsCreateAndUpdateWithUpstreamsMessage) {
  auto e = expect_error([&] {
    client->create(kDeployments, "ns1", deployment(R"({"replicas":1,"bad":true})"),
                   mode(FieldValidation::Strict));
  });
  EXPECT_EQ(e.code(), 400);
  EXPECT_EQ(e.reason(), "BadRequest");
  EXPECT_STREQ(
      e.what(),
      "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field "
      "\"spec.bad\"");
  auto several = expect_error([&] {
    auto d = deployment(R"({"a":1,"b":2})");
    d["metadata"].as_object()["c"] = 3;
    client->create(kDeployments, "ns1", d, mode(FieldValidation::Strict));
  });
  EXPECT_NE(
      std::string(several.what())
          .find(
              "strict decoding error: unknown field \"metadata.c\", unknown field \"spec.a\", unknown field "
              "\"spec.b\""),
      std::string::npos)
      << several.what();
  EXPECT_EQ(expect_error([&] { client->get(kDeployments, "ns1", "web"); }).code(), 404);

  auto created =
      client->create(kDeployments, "ns1", deployment(R"({"replicas":1})"), mode(FieldValidation::Strict));
  boost::json::object edit = *created;
  edit["spec"].as_object()["bad"] = 1;
  EXPECT_EQ(
      expect_error([&] { client->update(kDeployments, "ns1", edit, mode(FieldValidation::Strict)); }).code(),
      400);
}

TEST_F(FieldValidationModes, WarnAndIgnoreDropTheFields) {
  auto warned = client->create(kDeployments, "ns1", deployment(R"({"replicas":1,"bad":true})"),
                               mode(FieldValidation::Warn));
  EXPECT_EQ(warnings, std::vector<std::string>{"unknown field \"spec.bad\""});
  EXPECT_FALSE(warned->at("spec").as_object().contains("bad"));
  EXPECT_FALSE(client->get(kDeployments, "ns1", "web")->at("spec").as_object().contains("bad"));

  warnings.clear();
  auto ignored = client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                               R"({"spec":{"bad":2,"replicas":3}})", mode(FieldValidation::Ignore));
  EXPECT_TRUE(warnings.empty());
  EXPECT_FALSE(ignored->at("spec").as_object().contains("bad"));
  EXPECT_EQ(ignored->at("spec").at("replicas"), 3);
}

TEST_F(FieldValidationModes, PatchesReportUnknownAndDuplicateFields) {
  client->create(kDeployments, "ns1", deployment(R"({"replicas":1})"));
  for (PatchType type : {PatchType::JsonMerge, PatchType::StrategicMerge}) {
    auto e = expect_error([&] {
      client->patch(kDeployments, "ns1", "web", type, R"({"spec":{"bad":1}})", mode(FieldValidation::Strict));
    });
    EXPECT_EQ(e.code(), 400);
    EXPECT_STREQ(e.what(), "strict decoding error: unknown field \"spec.bad\"");
  }
  auto dup = expect_error([&] {
    client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge, R"({"spec":{"replicas":2,"replicas":3}})",
                  mode(FieldValidation::Strict));
  });
  EXPECT_STREQ(dup.what(), "strict decoding error: duplicate field \"spec.replicas\"");

  auto patched = client->patch(kDeployments, "ns1", "web", PatchType::JsonPatch,
                               R"([{"op":"add","path":"/spec/bad","value":1}])", mode(FieldValidation::Warn));
  EXPECT_EQ(warnings, std::vector<std::string>{"unknown field \"spec.bad\""});
  EXPECT_FALSE(patched->at("spec").as_object().contains("bad"));
}

TEST_F(FieldValidationModes, TypesWithoutSchemaKeepEverything) {
  auto cm = configmap("a", {{"k", "v"}});
  cm["binaryData"] = boost::json::object{};
  cm["whatever"] = 1;
  auto created = client->create(kConfigMaps, "ns1", cm, mode(FieldValidation::Strict));
  EXPECT_EQ(created->at("whatever"), 1);
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
}  // namespace ukube::testing
