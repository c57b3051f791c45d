#include "apiserver/discovery.h"
#include "apiserver/metrics_api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kernel/registry/type_registry.h"
#include "tests/support/test_kernel.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

// The kernel's test types plus types of our own (named so as not to collide with them):
// one with scale, one with extra subresources, and a second version of a group.
void register_types(TypeRegistry& types) {
  ukube::testing::register_test_types(types);
  TypeInfo d;
  d.group = "apps";
  d.version = "v1";
  d.kind = "ReplicaSet";
  d.plural = "replicasets";
  d.short_names = {"rs"};
  d.categories = {"all"};
  d.status_subresource = true;
  d.scale = ScaleSpec{"spec.replicas", "status.replicas", "status.selector"};
  types.add(d);
  TypeInfo pod;
  pod.version = "v1";
  pod.kind = "Sandbox";
  pod.plural = "sandboxes";
  pod.extra_subresources = {"log", "binding", "exec"};
  types.add(pod);
  TypeInfo beta;
  beta.group = "example.com";
  beta.version = "v1beta1";
  beta.kind = "Widget";
  beta.plural = "widgets";
  types.add(beta);
  // The API server registers metrics.k8s.io while it serves.
  for (const auto& metrics : MetricsApi::types()) {
    TypeInfo computed = *metrics;
    computed.computed_read = [](const ComputedRead&) { return std::vector<boost::json::object>{}; };
    types.add(std::move(computed));
  }
}

class DiscoveryTest : public ::testing::Test {
 protected:
  DiscoveryTest() { register_types(types_); }
  json::object parse(const std::string& text) { return json::parse(text).as_object(); }
  const json::object* find_resource(const json::array& resources, const char* key, const std::string& name) {
    for (const auto& r : resources)
      if (r.at(key) == name.c_str()) return &r.as_object();
    return nullptr;
  }
  registry::InMemoryTypeRegistry types_;
};

TEST_F(DiscoveryTest, LegacyDocuments) {
  Discovery discovery(types_, "127.0.0.1:6443");
  auto docs = discovery.docs();
  json::object api = parse(docs->api_versions);
  EXPECT_EQ(api["kind"], "APIVersions");
  EXPECT_EQ(api["versions"], json::array{"v1"});
  EXPECT_EQ(api["serverAddressByClientCIDRs"].at(0).at("serverAddress"), "127.0.0.1:6443");

  json::object groups = parse(docs->group_list);
  EXPECT_EQ(groups["kind"], "APIGroupList");
  auto& list = groups["groups"].as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].at("name"), "apps");            // upstream's order puts built-in groups first
  EXPECT_EQ(list[1].at("name"), "metrics.k8s.io");  // served by the API server itself
  EXPECT_EQ(list[2].at("name"), "example.com");
  EXPECT_EQ(list[2].at("preferredVersion").at("version"), "v1");
  EXPECT_EQ(list[2].at("versions").as_array().size(), 2u);

  json::object group = parse(docs->group_docs.at("example.com"));
  EXPECT_EQ(group["kind"], "APIGroup");
  EXPECT_EQ(group["preferredVersion"].at("groupVersion"), "example.com/v1");

  json::object apps = parse(docs->resource_lists.at("apps/v1"));
  EXPECT_EQ(apps["kind"], "APIResourceList");
  EXPECT_EQ(apps["groupVersion"], "apps/v1");
  auto& resources = apps["resources"].as_array();
  auto* rs = find_resource(resources, "name", "replicasets");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->at("singularName"), "replicaset");
  EXPECT_EQ(rs->at("namespaced"), true);
  EXPECT_EQ(rs->at("shortNames"), json::array{"rs"});
  EXPECT_EQ(rs->at("categories"), json::array{"all"});
  EXPECT_EQ(rs->at("verbs").as_array().size(), 8u);
  auto* scale = find_resource(resources, "name", "replicasets/scale");
  ASSERT_TRUE(scale);
  EXPECT_EQ(scale->at("kind"), "Scale");
  EXPECT_EQ(scale->at("group"), "autoscaling");
  EXPECT_EQ(scale->at("version"), "v1");
  ASSERT_TRUE(find_resource(resources, "name", "replicasets/status"));

  json::object core = parse(docs->resource_lists.at("v1"));
  auto* binding = find_resource(core["resources"].as_array(), "name", "sandboxes/binding");
  ASSERT_TRUE(binding);
  EXPECT_EQ(binding->at("kind"), "Binding");
  EXPECT_EQ(binding->at("verbs"), json::array{"create"});
  ASSERT_TRUE(find_resource(core["resources"].as_array(), "name", "sandboxes/log"));
  auto* cm = find_resource(core["resources"].as_array(), "name", "configmaps");
  ASSERT_TRUE(cm);
  EXPECT_EQ(cm->at("shortNames"), json::array{"cm"});
}

TEST_F(DiscoveryTest, StoredResourcesCarryUpstreamsStorageVersionHash) {
  auto docs = Discovery(types_, "127.0.0.1:6443").docs();
  json::object apps = parse(docs->resource_lists.at("apps/v1"));
  const auto* rs = find_resource(apps["resources"].as_array(), "name", "replicasets");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->at("storageVersionHash"), "P1RzHs8/mWQ=");
  EXPECT_FALSE(find_resource(apps["resources"].as_array(), "name", "replicasets/status")
                   ->contains("storageVersionHash"));
  // metrics.k8s.io stores nothing.
  json::object metrics = parse(docs->resource_lists.at("metrics.k8s.io/v1beta1"));
  EXPECT_FALSE(metrics["resources"].at(0).as_object().contains("storageVersionHash"));
  // Both versions of a resource hash their storage version.
  TypeInfo v1;
  v1.group = "autoscaling";
  v1.version = "v1";
  v1.kind = "HorizontalPodAutoscaler";
  v1.storage_version = "v2";
  TypeInfo v2 = v1;
  v2.version = "v2";
  EXPECT_EQ(storage_version_hash(v1), "qwQve8ut294=");
  EXPECT_EQ(storage_version_hash(v2), "qwQve8ut294=");
}

TEST_F(DiscoveryTest, AggregatedDocuments) {
  Discovery discovery(types_, "127.0.0.1:6443");
  auto docs = discovery.docs();
  json::object apis = parse(docs->apis_aggregated_v2);
  EXPECT_EQ(apis["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(apis["apiVersion"], "apidiscovery.k8s.io/v2");
  auto& items = apis["items"].as_array();
  ASSERT_EQ(items.size(), 3u);  // with metrics.k8s.io
  EXPECT_EQ(items[0].at("metadata").at("name"), "apps");
  auto& version = items[0].at("versions").at(0).as_object();
  EXPECT_EQ(version.at("version"), "v1");
  EXPECT_EQ(version.at("freshness"), "Current");
  auto* rs = find_resource(version.at("resources").as_array(), "resource", "replicasets");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->at("scope"), "Namespaced");
  EXPECT_EQ(rs->at("responseKind"),
            (json::object{{"group", "apps"}, {"version", "v1"}, {"kind", "ReplicaSet"}}));
  bool has_scale = false;
  for (const auto& s : rs->at("subresources").as_array())
    if (s.at("subresource") == "scale") {
      has_scale = true;
      EXPECT_EQ(s.at("responseKind").at("group"), "autoscaling");
      EXPECT_EQ(s.at("responseKind").at("kind"), "Scale");
    }
  EXPECT_TRUE(has_scale);
  // The preferred version comes first.
  EXPECT_EQ(items[2].at("versions").at(0).at("version"), "v1");

  json::object api = parse(docs->api_aggregated_v2beta1);
  EXPECT_EQ(api["apiVersion"], "apidiscovery.k8s.io/v2beta1");
  ASSERT_EQ(api["items"].as_array().size(), 1u);
  auto* things = find_resource(api["items"].at(0).at("versions").at(0).at("resources").as_array(), "resource",
                               "sandboxes");
  ASSERT_TRUE(things);
  EXPECT_FALSE(api["items"].at(0).at("metadata").as_object().contains("name"));
}

TEST_F(DiscoveryTest, RebuildsWhenTheRegistryChanges) {
  Discovery discovery(types_, "x");
  auto before = discovery.docs();
  EXPECT_EQ(discovery.docs(), before);  // cached
  TypeInfo extra;
  extra.group = "batch.example.org";
  extra.version = "v1";
  extra.kind = "Run";
  extra.plural = "runs";
  types_.add(extra);
  auto after = discovery.docs();
  EXPECT_NE(after, before);
  EXPECT_TRUE(after->resource_lists.contains("batch.example.org/v1"));
}

}  // namespace
}  // namespace ukube::apiserver
