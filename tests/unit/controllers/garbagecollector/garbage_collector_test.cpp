// Deletion propagation end to end: a whole kernel records the policy in the deleted
// object's finalizers, the garbage collector (on shared informers over the kernel's
// client) does the rest.
#include "garbage_collector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <map>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "tests/support/eventually.h"
#include "tests/support/test_kernel.h"
#include "type_mapping.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"

namespace ukube::controllers::gc {
namespace {

namespace json = boost::json;
using testing::configmap;
using testing::eventually;
using testing::finalizers_of;
using testing::kClusterThings;
using testing::kConfigMaps;
using testing::kDeployments;
using testing::meta;
using testing::owned_configmap;
using testing::owner_ref;
using testing::propagation;

class GarbageCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    owner = client->create(kDeployments, "ns1", json::object{{"metadata", {{"name", "web"}}}});
    child = client->create(kConfigMaps, "ns1", owned_configmap("child", {owner}, true));
    grandchild = client->create(kConfigMaps, "ns1", owned_configmap("grandchild", {child}, true));
    bystander = client->create(kConfigMaps, "ns1", configmap("bystander"));
    GarbageCollectorOptions options;
    options.client = client;
    options.informers = &informers;
    options.resources = [this] { return watched_resources(kernel.types()); };
    options.resolve = [this](std::string_view api_version, std::string_view kind) {
      return resolve_kind(kernel.types(), api_version, kind);
    };
    options.workers = 2;
    if (std::getenv("GC_TEST_LOG")) {
      static std::atomic<int> loggers{0};
      options.log = spdlog::stderr_logger_st("gc-" + std::to_string(++loggers));
      options.log->set_level(spdlog::level::debug);
    }
    collector = std::make_unique<GarbageCollector>(std::move(options));
    collector->start();
    watches = watch_all();
  }
  void TearDown() override {
    collector->stop();
    informers.shutdown();
  }

  bool exists(const GroupVersionResource& gvr, const char* ns, const char* name) {
    return testing::exists(*client, gvr, ns, name);
  }
  bool gone(const GroupVersionResource& gvr, const char* ns, const char* name) {
    return eventually([&] { return !exists(gvr, ns, name); });
  }
  // The revision at which each object was deleted, from the watches started in SetUp.
  std::map<std::string, int64_t> deletions() {
    for (auto& w : watches)
      while (auto e = w->next(std::chrono::milliseconds(50)))
        if (e->type == WatchEventType::Deleted)
          deleted_at[meta(e->object, "name")] = std::stoll(meta(e->object, "resourceVersion"));
    return deleted_at;
  }
  std::vector<std::unique_ptr<WatchStream>> watch_all() {
    ListOptions from_now;
    from_now.resource_version = std::to_string(kernel.store().current_revision());
    std::vector<std::unique_ptr<WatchStream>> w;
    w.push_back(client->watch(kDeployments, "ns1", from_now));
    w.push_back(client->watch(kConfigMaps, "ns1", from_now));
    return w;
  }

  testing::TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
  SharedInformerFactory informers{client};
  std::unique_ptr<GarbageCollector> collector;
  std::vector<std::unique_ptr<WatchStream>> watches;
  std::map<std::string, int64_t> deleted_at;
  ObjectPtr owner, child, grandchild, bystander;
};

TEST_F(GarbageCollectorTest, BackgroundDeletesTheOwnerThenItsDependents) {
  auto deleted = client->remove(kDeployments, "ns1", "web");
  EXPECT_EQ(meta(deleted, "uid"), meta(owner, "uid"));
  EXPECT_FALSE(exists(kDeployments, "ns1", "web")) << "background: the owner goes at once";
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "child"));
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "grandchild"));
  EXPECT_TRUE(eventually([&] { return collector->idle(); }));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "bystander"));
  auto at = deletions();
  EXPECT_LT(at["web"], at["child"]);
  EXPECT_LT(at["child"], at["grandchild"]);
}

TEST_F(GarbageCollectorTest, ForegroundKeepsTheOwnerUntilItsBlockingDependentsAreGone) {
  // Held by a finalizer of its own, the grandchild keeps the chain waiting.
  client->patch(kConfigMaps, "ns1", "grandchild", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["example.com/hold"]}})");
  auto marked = client->remove(kDeployments, "ns1", "web", propagation("Foreground"));
  EXPECT_TRUE(marked->at("metadata").as_object().contains("deletionTimestamp"));
  EXPECT_EQ(finalizers_of(marked), std::vector<std::string>{"foregroundDeletion"});
  EXPECT_TRUE(eventually([&] {
    auto c = client->get(kConfigMaps, "ns1", "child");
    return finalizers_of(c) == std::vector<std::string>{"foregroundDeletion"};
  })) << "a dependent with dependents of its own is deleted in the foreground too";
  EXPECT_TRUE(eventually([&] { return collector->idle(); }));
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "child"));

  client->patch(kConfigMaps, "ns1", "grandchild", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":null}})");
  EXPECT_TRUE(gone(kDeployments, "ns1", "web"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "child"));
  EXPECT_FALSE(exists(kConfigMaps, "ns1", "grandchild"));
  auto at = deletions();
  EXPECT_LT(at["grandchild"], at["child"]);
  EXPECT_LT(at["child"], at["web"]);
}

TEST_F(GarbageCollectorTest, ForegroundDoesNotWaitForNonBlockingDependents) {
  client->create(kConfigMaps, "ns1", owned_configmap("loose", {owner}, false));
  client->patch(kConfigMaps, "ns1", "loose", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["example.com/hold"]}})");
  client->patch(kConfigMaps, "ns1", "child", PatchType::JsonMerge,
                R"({"metadata":{"ownerReferences":null}})");
  client->remove(kDeployments, "ns1", "web", propagation("Foreground"));
  EXPECT_TRUE(gone(kDeployments, "ns1", "web"));
  EXPECT_TRUE(eventually([&] {
    return client->get(kConfigMaps, "ns1", "loose")->at("metadata").as_object().contains("deletionTimestamp");
  })) << "deleted, held by its finalizer";
}

TEST_F(GarbageCollectorTest, OrphanRemovesOnlyTheOwnersReference) {
  auto other = client->create(kConfigMaps, "ns1", configmap("other-owner"));
  client->patch(kConfigMaps, "ns1", "child", PatchType::JsonMerge,
                json::serialize(json::object{
                    {"metadata", {{"ownerReferences", json::array{owner_ref(owner), owner_ref(other)}}}}}));
  auto marked = client->remove(kDeployments, "ns1", "web", propagation("Orphan"));
  EXPECT_EQ(finalizers_of(marked), std::vector<std::string>{"orphan"});
  EXPECT_TRUE(gone(kDeployments, "ns1", "web"));
  auto orphan = client->get(kConfigMaps, "ns1", "child");
  EXPECT_EQ(orphan->at("metadata").at("ownerReferences"), (json::array{owner_ref(other)}));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "grandchild"));

  // The last reference gone, the field goes too.
  client->remove(kConfigMaps, "ns1", "other-owner", propagation("Orphan"));
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "other-owner"));
  EXPECT_TRUE(eventually([&] {
    return !client->get(kConfigMaps, "ns1", "child")->at("metadata").as_object().contains("ownerReferences");
  }));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "grandchild"));
}

TEST_F(GarbageCollectorTest, ClusterScopedOwnersReachEveryNamespace) {
  auto thing = client->create(kClusterThings, "", json::object{{"metadata", {{"name", "t"}}}});
  client->create(kConfigMaps, "ns1", owned_configmap("a", {thing}));
  client->create(kConfigMaps, "ns2", owned_configmap("b", {thing}));
  client->remove(kClusterThings, "", "t");
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "a"));
  EXPECT_TRUE(gone(kConfigMaps, "ns2", "b"));
}

TEST_F(GarbageCollectorTest, DanglingReferencesAreCollected) {
  json::object ghost{
      {"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "ghost"}, {"uid", "no-such-uid"}};
  auto only_ghost = configmap("only-ghost");
  only_ghost["metadata"].as_object()["ownerReferences"] = json::array{ghost};
  client->create(kConfigMaps, "ns1", only_ghost);
  auto with_live = configmap("ghost-and-web");
  with_live["metadata"].as_object()["ownerReferences"] = json::array{ghost, owner_ref(owner)};
  client->create(kConfigMaps, "ns1", with_live);

  EXPECT_TRUE(gone(kConfigMaps, "ns1", "only-ghost")) << "every owner is gone: it is garbage";
  EXPECT_TRUE(eventually([&] {
    return client->get(kConfigMaps, "ns1", "ghost-and-web")->at("metadata").at("ownerReferences") ==
           json::array{owner_ref(owner)};
  })) << "a live owner keeps it; the dangling reference is dropped";
}

TEST_F(GarbageCollectorTest, AnOwnerHeldByFinalizersTakesItsDependentsWhenItGoes) {
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["example.com/hold"]}})");
  client->remove(kDeployments, "ns1", "web");
  EXPECT_TRUE(eventually([&] {
    auto node = collector->graph().node(meta(owner, "uid"));
    return node && node->being_deleted && collector->idle();
  }));
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "child")) << "background: dependents wait for the owner";
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_FALSE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "child"));
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "grandchild"));
}

TEST_F(GarbageCollectorTest, OwnershipCyclesEnd) {
  // child and bystander own each other, blocking.
  client->patch(kConfigMaps, "ns1", "bystander", PatchType::JsonMerge,
                json::serialize(
                    json::object{{"metadata", {{"ownerReferences", json::array{owner_ref(child, true)}}}}}));
  auto fresh_bystander = client->get(kConfigMaps, "ns1", "bystander");
  client->patch(
      kConfigMaps, "ns1", "child", PatchType::JsonMerge,
      json::serialize(json::object{
          {"metadata",
           {{"ownerReferences", json::array{owner_ref(owner, true), owner_ref(fresh_bystander, true)}}}}}));
  client->remove(kConfigMaps, "ns1", "child", propagation("Foreground"));
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "child"));
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "bystander"));
  EXPECT_TRUE(gone(kConfigMaps, "ns1", "grandchild"));
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
}

TEST_F(GarbageCollectorTest, AMistypedOwnerKindKeepsTheObject) {
  auto cm = configmap("unknown-kind");
  cm["metadata"].as_object()["ownerReferences"] = json::array{
      json::object{{"apiVersion", "example.com/v9"}, {"kind", "Nothing"}, {"name", "x"}, {"uid", "u-1"}}};
  client->create(kConfigMaps, "ns1", cm);
  EXPECT_TRUE(eventually([&] { return collector->graph().node("u-1") && collector->idle(); }));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "unknown-kind"));
}

}  // namespace
}  // namespace ukube::controllers::gc
