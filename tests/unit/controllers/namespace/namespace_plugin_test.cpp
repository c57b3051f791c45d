// Plugin ukube.controller.v1.namespace: its config's defaults, its identity, and where it
// gets the served resources (the type registry) and DELETE on a collection (the request
// pipeline, as its own service account).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controllers/namespace/config.pb.h"
#include "controllers/namespace/namespace_controller.h"
#include "controllers/namespace/namespace_plugin.h"
#include "namespace_test_support.h"
#include "ukube/auth.h"
#include "ukube/informer_factory.h"
#include "ukube/pipeline.h"
#include "ukube/testing/mocks/plugin.h"
#include "ukube/testing/mocks/types.h"

namespace ukube::controllers::namespace_::test {
namespace {

using ::testing::_;
using ::testing::Return;
using ::testing::ReturnRef;

// A request pipeline that serves DELETE on a collection from a FakeCluster and records
// who asked; the plugin makes no other call through it.
class CollectionPipeline final : public RequestPipeline {
 public:
  explicit CollectionPipeline(FakeCluster& cluster) : cluster_(cluster) {}
  std::vector<std::string> calls;  // "<user> <resource> <namespace>"

  RawList delete_collection(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                            const ListOptions&, const DeleteOptions& options) override {
    calls.push_back(user.name + " " + gvr.resource + " " + std::string(ns));
    for (const auto& item : cluster_.client->objects().list(gvr, ns).items)
      cluster_.client->objects().remove(gvr, ns, machinery::name_of(*item), options);
    return {};
  }

  TypeInfoPtr resolve(const GroupVersionResource&) const override { throw unused(); }
  store::Bytes get(const UserInfo&, const GroupVersionResource&, std::string_view, std::string_view,
                   const GetOptions&, std::string_view) override {
    throw unused();
  }
  RawList list(const UserInfo&, const GroupVersionResource&, std::string_view, const ListOptions&) override {
    throw unused();
  }
  std::unique_ptr<RawWatch> watch(const UserInfo&, const GroupVersionResource&, std::string_view,
                                  const ListOptions&) override {
    throw unused();
  }
  store::Bytes create(const UserInfo&, const GroupVersionResource&, std::string_view, json::object,
                      const WriteOptions&) override {
    throw unused();
  }
  store::Bytes create_subresource(const UserInfo&, const GroupVersionResource&, std::string_view,
                                  std::string_view, std::string_view, json::object,
                                  const WriteOptions&) override {
    throw unused();
  }
  store::Bytes update(const UserInfo&, const GroupVersionResource&, std::string_view, std::string_view,
                      json::object, const WriteOptions&, std::string_view) override {
    throw unused();
  }
  store::Bytes patch(const UserInfo&, const GroupVersionResource&, std::string_view, std::string_view,
                     PatchType, std::string_view, const WriteOptions&, std::string_view) override {
    throw unused();
  }
  store::Bytes remove(const UserInfo&, const GroupVersionResource&, std::string_view, std::string_view,
                      const DeleteOptions&) override {
    throw unused();
  }

 private:
  static ApiError unused() { return ApiError::internal("the namespace controller should use its Client"); }
  FakeCluster& cluster_;
};

class NamespacePluginTest : public ::testing::Test {
 protected:
  NamespacePluginTest() {
    ON_CALL(ctx_, config()).WillByDefault(ReturnRef(config_));
    ON_CALL(ctx_, client(_)).WillByDefault([this](const UserInfo& user) {
      users_.push_back(user.name);
      return std::shared_ptr<Client>(cluster_.client);
    });
    ON_CALL(ctx_, informers()).WillByDefault(ReturnRef(informers_));
    ON_CALL(ctx_, logger()).WillByDefault(Return(nullptr));
    ON_CALL(ctx_, types()).WillByDefault(ReturnRef(types_));
    ON_CALL(ctx_, pipeline()).WillByDefault(ReturnRef(pipeline_));
    ON_CALL(types_, all()).WillByDefault([this] { return served_; });
  }
  ~NamespacePluginTest() override {
    plugin_.stop();
    informers_.shutdown();
  }

  FakeCluster cluster_;
  SharedInformerFactory informers_{cluster_.client, 1};
  CollectionPipeline pipeline_{cluster_};
  ::testing::NiceMock<testing::MockTypeRegistry> types_;
  std::vector<TypeInfoPtr> served_{served(machinery::kConfigMaps, "ConfigMap")};
  NamespaceConfig config_;
  ::testing::NiceMock<testing::MockInitContext> ctx_;
  std::vector<std::string> users_;
  NamespacePlugin plugin_;
};

TEST_F(NamespacePluginTest, DefaultsToTenWorkersWithoutLeaderElection) {
  plugin_.init(ctx_);
  EXPECT_EQ(plugin_.settings().workers, 10u);
  EXPECT_FALSE(plugin_.settings().leader_elect);
}

TEST_F(NamespacePluginTest, ActsAsTheNamespaceControllerServiceAccount) {
  config_.set_workers(4);
  plugin_.init(ctx_);
  EXPECT_THAT(users_, ::testing::Contains("system:serviceaccount:kube-system:namespace-controller"));
  EXPECT_EQ(plugin_.settings().workers, 4u);
  EXPECT_EQ(plugin_.running(), nullptr);
  plugin_.start();
  EXPECT_NE(dynamic_cast<NamespaceController*>(plugin_.running()), nullptr);
  plugin_.stop();
  EXPECT_EQ(plugin_.running(), nullptr);
}

TEST_F(NamespacePluginTest, EmptiesTheRegistrysResourcesThroughThePipelineAsItsServiceAccount) {
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "c1");
  cluster_.add(kWidgets, "doomed", "w1");
  plugin_.init(ctx_);
  plugin_.start();
  auto* controller = dynamic_cast<NamespaceController*>(plugin_.running());
  ASSERT_NE(controller, nullptr);
  ASSERT_TRUE(informers_.informer(machinery::kNamespaces)->wait_for_sync(std::chrono::seconds(5)));

  // A CRD registered after the plugin started is covered on the next pass.
  served_.push_back(served(kWidgets, "Widget"));
  EXPECT_EQ(controller->sync("doomed").next, controller::Result::Next::Done);
  EXPECT_THAT(pipeline_.calls, ::testing::UnorderedElementsAre(
                                   "system:serviceaccount:kube-system:namespace-controller configmaps doomed",
                                   "system:serviceaccount:kube-system:namespace-controller widgets doomed"));
  EXPECT_EQ(cluster_.find(kWidgets, "doomed", "w1"), nullptr);
  EXPECT_EQ(cluster_.namespace_object("doomed"), nullptr);
}

}  // namespace
}  // namespace ukube::controllers::namespace_::test
