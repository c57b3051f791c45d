#include "apiserver/openapi.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kernel/registry/type_registry.h"
#include "tests/support/test_kernel.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

TEST(OpenApi, DefinitionNamesFollowUpstream) {
  EXPECT_EQ(definition_name("", "v1", "Pod"), "io.k8s.api.core.v1.Pod");
  EXPECT_EQ(definition_name("apps", "v1", "ReplicaSet"), "io.k8s.api.apps.v1.ReplicaSet");
  EXPECT_EQ(definition_name("rbac.authorization.k8s.io", "v1", "Role"), "io.k8s.api.rbac.v1.Role");
  EXPECT_EQ(definition_name("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition");
  EXPECT_EQ(definition_name("stable.example.com", "v1", "CronTab"), "com.example.stable.v1.CronTab");
  EXPECT_EQ(openapi_path_key("", "v1"), "api/v1");
  EXPECT_EQ(openapi_path_key("apps", "v1"), "apis/apps/v1");
}

class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest() {
    ukube::testing::register_test_types(types_);
    TypeInfo d;
    d.group = "apps";
    d.version = "v1";
    d.kind = "ReplicaSet";
    d.plural = "replicasets";
    d.scale = ScaleSpec{"spec.replicas", "status.replicas", "status.selector"};
    d.schema = std::make_shared<const json::object>(json::object{
        {"type", "object"},
        {"properties", json::object{{"spec", json::object{{"type", "object"}}}}},
    });
    types_.add(d);
  }
  registry::InMemoryTypeRegistry types_;
};

// What kubectl's fieldValidation probe looks for: a PATCH operation tagged with the
// kind that takes a `fieldValidation` query parameter.
bool patch_supports_field_validation(const json::object& doc, const std::string& kind) {
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    const auto* patch = item.as_object().if_contains("patch");
    if (!patch || patch->at("x-kubernetes-group-version-kind").at("kind") != kind.c_str()) continue;
    for (const auto& p : patch->at("parameters").as_array())
      if (p.at("name") == "fieldValidation") return true;
  }
  return false;
}

TEST_F(OpenApiTest, V3IndexAndDocuments) {
  OpenApi openapi(types_, "v1.32.0");
  auto docs = openapi.v3();
  json::object index = json::parse(docs->index).as_object();
  auto& paths = index["paths"].as_object();
  ASSERT_TRUE(paths.contains("api/v1"));
  ASSERT_TRUE(paths.contains("apis/apps/v1"));
  ASSERT_TRUE(paths.contains("apis/example.com/v1"));
  std::string url(paths["apis/apps/v1"].at("serverRelativeURL").as_string());
  EXPECT_TRUE(url.starts_with("/openapi/v3/apis/apps/v1?hash="));

  json::object apps = json::parse(*docs->documents.at("apis/apps/v1")).as_object();
  EXPECT_EQ(apps["openapi"], "3.0.0");
  EXPECT_TRUE(patch_supports_field_validation(apps, "ReplicaSet"));
  EXPECT_TRUE(patch_supports_field_validation(apps, "Scale"));
  auto& item = apps["paths"].at("/apis/apps/v1/namespaces/{namespace}/replicasets/{name}").as_object();
  auto& content = item.at("patch").at("requestBody").at("content").as_object();
  for (const char* type : {"application/strategic-merge-patch+json", "application/merge-patch+json",
                           "application/json-patch+json", "application/apply-patch+yaml"})
    EXPECT_TRUE(content.contains(type)) << type;

  auto& schemas = apps["components"].at("schemas").as_object();
  auto& replicaset = schemas.at("io.k8s.api.apps.v1.ReplicaSet").as_object();
  EXPECT_EQ(replicaset.at("properties").at("spec").at("type"), "object");  // the registered schema
  EXPECT_EQ(replicaset.at("x-kubernetes-group-version-kind").at(0),
            (json::object{{"group", "apps"}, {"kind", "ReplicaSet"}, {"version", "v1"}}));
  EXPECT_TRUE(schemas.contains("io.k8s.api.apps.v1.ReplicaSetList"));
  EXPECT_TRUE(schemas.contains("io.k8s.api.autoscaling.v1.Scale"));

  json::object core = json::parse(*docs->documents.at("api/v1")).as_object();
  EXPECT_TRUE(patch_supports_field_validation(core, "ConfigMap"));
  auto& cm = core["components"].at("schemas").at("io.k8s.api.core.v1.ConfigMap").as_object();
  EXPECT_EQ(cm.at("x-kubernetes-preserve-unknown-fields"), true);  // no schema registered

  json::object things = json::parse(*docs->documents.at("apis/example.com/v1")).as_object();
  // Cluster-scoped: no namespace in the path.
  EXPECT_TRUE(things["paths"].as_object().contains("/apis/example.com/v1/clusterthings/{name}"));
  EXPECT_TRUE(things["components"].at("schemas").as_object().contains("com.example.v1.Widget"));
}

TEST_F(OpenApiTest, HashChangesWithTheDocument) {
  OpenApi openapi(types_, "v1.32.0");
  std::string before = openapi.v3()->index;
  TypeInfo extra;
  extra.version = "v1";
  extra.kind = "Gadget";
  extra.plural = "gadgets";
  types_.add(extra);
  std::string after = openapi.v3()->index;
  EXPECT_NE(before, after);
}

TEST_F(OpenApiTest, V2Document) {
  OpenApi openapi(types_, "v1.32.0");
  json::object doc = json::parse(*openapi.v2()).as_object();
  EXPECT_EQ(doc["swagger"], "2.0");
  EXPECT_TRUE(doc["definitions"].as_object().contains("io.k8s.api.apps.v1.ReplicaSet"));
  EXPECT_TRUE(patch_supports_field_validation(doc, "ReplicaSet"));
  auto& patch =
      doc["paths"].at("/apis/apps/v1/namespaces/{namespace}/replicasets/{name}").at("patch").as_object();
  EXPECT_EQ(patch.at("consumes").as_array().size(), 4u);
  // Upstream's list items say what they list ("List of services").
  EXPECT_EQ(doc["definitions"]
                .at("io.k8s.api.apps.v1.ReplicaSetList")
                .at("properties")
                .at("items")
                .at("description"),
            "List of replicasets");
  // The protobuf form is the same document, read back by its first fields.
  const std::string& protobuf = *openapi.v2_protobuf();
  ASSERT_GT(protobuf.size(), 100u);
  EXPECT_EQ(protobuf.substr(0, 5), std::string("\x0a\x03"
                                               "2.0"));
  EXPECT_NE(protobuf.find("io.k8s.api.apps.v1.ReplicaSetList"), std::string::npos);
}

}  // namespace
}  // namespace ukube::apiserver
