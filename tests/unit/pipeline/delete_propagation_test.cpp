// What the pipeline does of a delete's propagation policy: it records it in the object's
// finalizers for the garbage collector (tests/unit/controllers/garbagecollector), as upstream.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

namespace json = boost::json;

class DeletePropagation : public ::testing::Test {
 protected:
  void SetUp() override {
    owner = client->create(kDeployments, "ns1", json::object{{"metadata", {{"name", "web"}}}});
    child = client->create(kConfigMaps, "ns1", owned_configmap("child", {owner}));
    grandchild = client->create(kConfigMaps, "ns1", owned_configmap("grandchild", {child}));
    bystander = client->create(kConfigMaps, "ns1", configmap("bystander"));
  }
  bool exists(const GroupVersionResource& gvr, const char* ns, const char* name) {
    return testing::exists(*client, gvr, ns, name);
  }
  TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
  ObjectPtr owner, child, grandchild, bystander;
};

TEST_F(DeletePropagation, BackgroundRemovesTheOwnerAndLeavesDependentsToTheCollector) {
  auto deleted = client->remove(kDeployments, "ns1", "web");
  EXPECT_EQ(meta(deleted, "uid"), meta(owner, "uid"));
  EXPECT_FALSE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "child")) << "the garbage collector's work, not the pipeline's";
}

TEST_F(DeletePropagation, ForegroundAndOrphanAreRecordedInFinalizers) {
  auto marked = client->remove(kDeployments, "ns1", "web", propagation("Foreground"));
  EXPECT_TRUE(marked->at("metadata").as_object().contains("deletionTimestamp"));
  EXPECT_EQ(finalizers_of(marked), std::vector<std::string>{"foregroundDeletion"});
  EXPECT_EQ(finalizers_of(client->get(kDeployments, "ns1", "web")),
            std::vector<std::string>{"foregroundDeletion"});

  // Asked again with another policy, the finalizer follows; the deletion time stays.
  auto orphaning = client->remove(kDeployments, "ns1", "web", propagation("Orphan"));
  EXPECT_EQ(finalizers_of(orphaning), std::vector<std::string>{"orphan"});
  EXPECT_EQ(meta(orphaning, "deletionTimestamp"), meta(marked, "deletionTimestamp"));
  // Asked without a policy, the recorded one holds.
  EXPECT_EQ(finalizers_of(client->remove(kDeployments, "ns1", "web")), std::vector<std::string>{"orphan"});

  // Background drops it, and nothing else holds the object: it goes.
  client->remove(kDeployments, "ns1", "web", propagation("Background"));
  EXPECT_FALSE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "child"));
}

TEST_F(DeletePropagation, OtherFinalizersStayBesideTheCollectors) {
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["example.com/hold"]}})");
  auto marked = client->remove(kDeployments, "ns1", "web", propagation("Orphan"));
  EXPECT_EQ(finalizers_of(marked), (std::vector<std::string>{"example.com/hold", "orphan"}));
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["orphan"]}})");
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_FALSE(exists(kDeployments, "ns1", "web")) << "the last finalizer gone, the deletion completes";
}

TEST_F(DeletePropagation, BadPolicyAndDryRun) {
  auto bad = expect_error([&] { client->remove(kDeployments, "ns1", "web", propagation("Sideways")); });
  EXPECT_EQ(bad.code(), 422);
  EXPECT_STREQ(
      bad.what(),
      "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"Sideways\": "
      "supported values: \"Foreground\", \"Background\", \"Orphan\"");
  DeleteOptions dry = propagation("Foreground");
  dry.dry_run = true;
  client->remove(kDeployments, "ns1", "web", dry);
  EXPECT_TRUE(exists(kDeployments, "ns1", "web"));
  EXPECT_TRUE(exists(kConfigMaps, "ns1", "child"));
}

}  // namespace
}  // namespace ukube::testing
