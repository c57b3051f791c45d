// CustomResourceDefinition defaults and validation, with upstream's messages.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "apiextensions/crd_type.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;

json::object crd(std::string_view spec_changes = "{}") {
  json::object o = json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "kind": "Widget"},
             "versions": [{"name": "v1", "served": true, "storage": true,
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object"}}}}}]}
  })")
                       .as_object();
  const json::value changes = json::parse(spec_changes);
  for (const auto& [key, value] : changes.as_object()) o["spec"].as_object()[key] = value;
  default_crd(o);
  return o;
}

std::vector<std::string> errors_of(const json::object& o, const json::object* old = nullptr) {
  std::vector<FieldError> out;
  validate_crd(o, old, out);
  std::vector<std::string> text;
  for (const auto& e : out) text.push_back(e.field + ": " + e.message);
  return text;
}

TEST(CrdValidation, DefaultsNamesConversionAndStoredVersions) {
  json::object o = crd();
  EXPECT_EQ(o.at("spec").at("names").at("singular"), "widget");
  EXPECT_EQ(o.at("spec").at("names").at("listKind"), "WidgetList");
  EXPECT_EQ(o.at("spec").at("conversion").at("strategy"), "None");
  EXPECT_EQ(json::serialize(o.at("status").at("storedVersions")), R"(["v1"])");
  EXPECT_TRUE(errors_of(o).empty()) << errors_of(o).front();
}

TEST(CrdValidation, NamesGroupScopeAndVersions) {
  using V = std::vector<std::string>;
  json::object misnamed = crd();
  misnamed["metadata"].as_object()["name"] = "gadgets.example.com";
  EXPECT_EQ(
      errors_of(misnamed),
      V{R"(metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group)"});
  json::object dotless = crd(R"({"group": "example"})");
  dotless["metadata"].as_object()["name"] = "widgets.example";
  EXPECT_EQ(errors_of(dotless),
            V{R"(spec.group: Invalid value: "example": should be a domain with at least one dot)"});
  EXPECT_EQ(errors_of(crd(R"({"scope": "Everywhere"})")),
            V{R"(spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced")"});
  auto two_stored = errors_of(crd(R"({"versions": [
      {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}},
      {"name": "v2", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}}]})"));
  ASSERT_EQ(two_stored.size(), 1u);
  EXPECT_NE(two_stored[0].find("spec.versions: Invalid value: "), std::string::npos);
  EXPECT_NE(two_stored[0].find(": must have exactly one version marked as storage version"),
            std::string::npos);
  EXPECT_EQ(errors_of(crd(R"({"versions": [{"name": "v1", "served": true, "storage": true}]})")),
            V{"spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"});
  json::object bad_kind = crd();
  bad_kind["spec"].as_object()["names"].as_object()["kind"] = "Wid_get";
  bad_kind["spec"].as_object()["names"].as_object()["listKind"] = "Wid_getList";
  auto kind_errors = errors_of(bad_kind);
  ASSERT_EQ(kind_errors.size(), 2u);
  EXPECT_EQ(
      kind_errors[0].rfind(
          R"(spec.names.kind: Invalid value: "Wid_get": may have mixed case, but should otherwise match: a DNS-1035 label)",
          0),
      0u)
      << kind_errors[0];
}

TEST(CrdValidation, StructuralSchemasAtUpstreamsPaths) {
  using V = std::vector<std::string>;
  // One version: upstream reports the schema where its internal form keeps it.
  EXPECT_EQ(errors_of(crd(R"({"versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"properties": {"a": {"type": "string"}}}}}}}]})")),
            V{"spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for "
              "specified object fields"});
  EXPECT_EQ(
      errors_of(crd(R"({"versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "string"}}}]})")),
      V{R"(spec.validation.openAPIV3Schema.type: Invalid value: "string": must be object at the root)"});
  EXPECT_EQ(errors_of(crd(R"({"versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {"list": {"type": "array"}}}}}]})")),
            V{"spec.validation.openAPIV3Schema.properties[list].items: Required value: must be specified"});
  EXPECT_EQ(errors_of(crd(R"({"versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {"metadata": {"type": "object",
          "properties": {"labels": {"type": "object"}}}}}}}]})")),
            V{"spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything "
              "other than name "
              "and generateName, but metadata is implicitly specified"});
  // Versions that differ are reported each at its own place.
  EXPECT_EQ(
      errors_of(crd(R"({"versions": [
      {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}},
      {"name": "v2", "served": true, "storage": false, "schema": {"openAPIV3Schema": {"type": "object",
          "properties": {"x": {"type": "object", "properties": {"p": {"type": "string", "pattern": "("}}}}}}}]})"))
          .at(0)
          .rfind(
              R"(spec.versions[1].schema.openAPIV3Schema.properties[x].properties[p].pattern: Invalid value: "(": must be a valid regular expression)",
              0),
      0u);
}

TEST(CrdValidation, ColumnsScaleConversionAndUpdates) {
  using V = std::vector<std::string>;
  EXPECT_EQ(
      errors_of(crd(R"({"versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object"}},
      "additionalPrinterColumns": [{"name": "A", "type": "text", "jsonPath": "spec.a"}],
      "subresources": {"scale": {"specReplicasPath": ".replicas", "statusReplicasPath": ".status.replicas"}}}]})")),
      (V{R"(spec.additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string)",
         R"(spec.additionalPrinterColumns[0].jsonPath: Invalid value: "spec.a": must be a simple json path starting with .)",
         R"(spec.subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec)"}));
  EXPECT_EQ(errors_of(crd(R"({"conversion": {"strategy": "Webhook"}})")),
            V{"spec.conversion.webhook: Required value: required when strategy is set to Webhook"});
  json::object old = crd();
  json::object moved = crd(R"({"group": "example.org"})");
  moved["metadata"].as_object()["name"] = "widgets.example.org";
  EXPECT_EQ(errors_of(moved, &old), V{R"(spec.group: Invalid value: "example.org": field is immutable)"});
}

}  // namespace
}  // namespace ukube::apiextensions
