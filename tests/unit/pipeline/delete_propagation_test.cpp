// Delete propagation to dependents (ownerReferences) while there is no garbage collector.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

namespace json = boost::json;

json::object owner_ref(const ObjectPtr& owner) {
  return json::object{{"apiVersion", owner->at("apiVersion")},
                      {"kind", owner->at("kind")},
                      {"name", owner->at("metadata").at("name")},
                      {"uid", owner->at("metadata").at("uid")}};
}

json::object owned_configmap(const std::string& name, std::initializer_list<ObjectPtr> owners) {
  auto cm = configmap(name);
  json::array refs;
  for (const auto& o : owners) refs.push_back(owner_ref(o));
  cm["metadata"].as_object()["ownerReferences"] = std::move(refs);
  return cm;
}

DeleteOptions policy(const char* p) {
  DeleteOptions o;
  o.propagation_policy = p;
  return o;
}

class DeletePropagation : public ::testing::Test {
 protected:
  void SetUp() override {
    owner = client->create(kDeployments, "ns1", json::object{{"metadata", {{"name", "web"}}}});
    child = client->create(kConfigMaps, "ns1", owned_configmap("child", {owner}));
    grandchild = client->create(kConfigMaps, "ns1", owned_configmap("grandchild", {child}));
    bystander = client->create(kConfigMaps, "ns1", configmap("bystander"));
  }
  bool exists(const GroupVersionResource& gvr, const char* ns, const char* name) {
    try {
      client->get(gvr, ns, name);
      return true;
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;
      return false;
    }
  }
  // The revision at which each object was deleted, from watches started before.
  std::map<std::string, int64_t> deletions(std::vector<std::unique_ptr<WatchStream>>& watches) {
    std::map<std::string, int64_t> at;
    for (auto& w : watches)
      while (auto e = w->next(std::chrono::milliseconds(50)))
        if (e->type == WatchEventType::Deleted)
          at[meta(e->object, "name")] = std::stoll(meta(e->object, "resourceVersion"));
    return at;
  }
  std::vector<std::unique_ptr<WatchStream>> watch_all() {
    ListOptions from_now;
    from_now.resource_version = std::to_string(kernel.store().current_revision());
    std::vector<std::unique_ptr<WatchStream>> w;
    w.push_back(client->watch(kDeployments, "ns1", from_now));
    w.push_back(client->watch(kConfigMaps, "ns1", from_now));
    return w;
  }

  TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
  ObjectPtr owner, child, grandchild, bystander;
};

TEST_F(DeletePropagation, BackgroundIsTheDefaultAndRecursive) {
  auto watches = watch_all();
  auto deleted = client->remove(kDeployments, "ns1", "web");
  EXPECT_EQ(meta(deleted, "uid"), meta(owner, "uid"));
  EXPECT_FALSE(exists(kDeployments, "ns1", "web"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "child"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "grandchild"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "bystander"));
  auto at = deletions(watches);
  EXPECT_LT(at["web"], at["child"]) << "background: the owner goes first";
  EXPECT_LT(at["child"], at["grandchild"]);
}

TEST_F(DeletePropagation, ForegroundDeletesDependentsFirst) {
  auto watches = watch_all();
  client->remove(kDeployments, "ns1", "web", policy("Foreground"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "child"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "grandchild"));
  auto at = deletions(watches);
  EXPECT_LT(at["grandchild"], at["child"]);
  EXPECT_LT(at["child"], at["web"]);
}

TEST_F(DeletePropagation, OrphanRemovesOnlyTheOwnersReference) {
  auto other = client->create(kConfigMaps, "ns1", configmap("other-owner"));
  client->patch(kConfigMaps, "ns1", "child", PatchType::JsonMerge,
                json::serialize(json::object{
                    {"metadata", {{"ownerReferences", json::array{owner_ref(owner), owner_ref(other)}}}}}));
  client->remove(kDeployments, "ns1", "web", policy("Orphan"));
  EXPECT_FALSE(exists(kDeployments, "ns1", "web"));
  auto orphan = client->get(kConfigMaps, "ns1", "child");
  EXPECT_EQ(orphan->at("metadata").at("ownerReferences"), (json::array{owner_ref(other)}));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "grandchild"));

  // The last reference gone, the field goes too.
  client->remove(kConfigMaps, "ns1", "other-owner", policy("Orphan"));
  EXPECT_FALSE(
      client->get(kConfigMaps, "ns1", "child")->at("metadata").as_object().contains("ownerReferences"));
}

TEST_F(DeletePropagation, OnlyTheOwnersNamespaceIsSearched) {
  auto elsewhere = client->create(kConfigMaps, "ns2", owned_configmap("elsewhere", {owner}));
  client->remove(kDeployments, "ns1", "web");
  EXPECT_TRUE(exists(kConfigMaps, "ns2", "elsewhere"))
      << "a namespaced owner has no dependents in other namespaces";
}

TEST_F(DeletePropagation, ClusterScopedOwnersReachEveryNamespace) {
  auto thing = client->create(kClusterThings, "", json::object{{"metadata", {{"name", "t"}}}});
  client->create(kConfigMaps, "ns1", owned_configmap("a", {thing}));
  client->create(kConfigMaps, "ns2", owned_configmap("b", {thing}));
  client->remove(kClusterThings, "", "t");
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "a"));
  EXPECT_FALSE(exists(kConfigMaps, "ns2", "b"));
}

TEST_F(DeletePropagation, AnOwnerHeldByFinalizersTakesItsDependentsWhenItGoes) {
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["example.com/hold"]}})");
  client->remove(kDeployments, "ns1", "web");
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "child")) << "background: dependents wait for the owner";
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_FALSE(exists(kDeployments, "ns1", "web"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "child"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "grandchild"));
}

TEST_F(DeletePropagation, OwnershipCyclesEnd) {
  // child and bystander own each other.
  client->patch(
      kConfigMaps, "ns1", "bystander", PatchType::JsonMerge,
      json::serialize(json::object{{"metadata", {{"ownerReferences", json::array{owner_ref(child)}}}}}));
  auto fresh_bystander = client->get(kConfigMaps, "ns1", "bystander");
  client->patch(
      kConfigMaps, "ns1", "child", PatchType::JsonMerge,
      json::serialize(json::object{
          {"metadata", {{"ownerReferences", json::array{owner_ref(owner), owner_ref(fresh_bystander)}}}}}));
  client->remove(kConfigMaps, "ns1", "child", policy("Foreground"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "child"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "bystander"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "grandchild"));
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
}

TEST_F(DeletePropagation, BadPolicyAndDryRun) {
  auto bad = expect_error([&] { client->remove(kDeployments, "ns1", "web", policy("Sideways")); });
  EXPECT_EQ(bad.code(), 422);
  EXPECT_STREQ(
      bad.what(),
      "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"Sideways\": "
      "supported values: \"Foreground\", \"Background\", \"Orphan\"");
  DeleteOptions dry = policy("Foreground");
  dry.dry_run = true;
  client->remove(kDeployments, "ns1", "web", dry);
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "child"));
}

}  // namespace
}  // namespace ukube::testing
