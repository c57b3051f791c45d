#include "kernel/registry/type_registry.h"

#include <gtest/gtest.h>

namespace ukube::registry {
namespace {

TypeInfo deployment() {
  TypeInfo t;
  t.group = "apps";
  t.version = "v1";
  t.kind = "Deployment";
  t.plural = "deployments";
  t.short_names = {"deploy"};
  t.categories = {"all"};
  t.status_subresource = true;
  t.scale = ScaleSpec{"spec.replicas", "status.replicas", "status.selector"};
  return t;
}

TEST(TypeRegistry, CompletesAndFindsTypes) {
  InMemoryTypeRegistry r;
  auto added = r.add(deployment());
  EXPECT_EQ(added->singular, "deployment");
  EXPECT_EQ(added->list_kind, "DeploymentList");
  EXPECT_EQ(added->verbs.size(), 8u);
  EXPECT_EQ(added->key_prefix(), "/apps/deployments/");
  EXPECT_EQ(added->group_resource(), "deployments.apps");
  EXPECT_EQ(added->api_version(), "apps/v1");

  EXPECT_EQ(r.find({"apps", "v1", "deployments"}), added);
  EXPECT_EQ(r.find({"apps", "v2", "deployments"}), nullptr);
  EXPECT_EQ(r.find_kind({"apps", "v1", "Deployment"}), added);
  for (const char* name : {"deployments", "deployment", "Deployment", "deploy", "deployments.apps", "DEPLOY"})
    EXPECT_EQ(r.resolve(name).size(), 1u) << name;
  EXPECT_TRUE(r.resolve("deployments.batch").empty());
  EXPECT_TRUE(r.resolve("pods").empty());

  TypeInfo core;
  core.version = "v1";
  core.kind = "ConfigMap";
  core.plural = "configmaps";
  EXPECT_EQ(r.add(core)->key_prefix(), "/core/configmaps/");
}

TEST(TypeRegistry, RefusesDuplicatesAndIncompleteTypes) {
  InMemoryTypeRegistry r;
  r.add(deployment());
  try {
    r.add(deployment());
    FAIL() << "duplicate accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("deployments.v1.apps is already registered"), std::string::npos)
        << e.what();
  }
  TypeInfo no_plural;
  no_plural.version = "v1";
  no_plural.kind = "Thing";
  EXPECT_THROW(r.add(no_plural), std::invalid_argument);
}

TEST(TypeRegistry, GenerationMovesOnEveryChange) {
  InMemoryTypeRegistry r;
  auto g0 = r.generation();
  r.add(deployment());
  auto g1 = r.generation();
  EXPECT_GT(g1, g0);
  EXPECT_TRUE(r.remove({"apps", "v1", "deployments"}));
  EXPECT_GT(r.generation(), g1);
  EXPECT_FALSE(r.remove({"apps", "v1", "deployments"}));
  EXPECT_TRUE(r.all().empty());
}

}  // namespace
}  // namespace ukube::registry
