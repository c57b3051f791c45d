// Plugin ukube.controller.v1.replicaset: its config's defaults, its identity, and the
// controller running end to end over a FakeClient (informers, handlers, work queue).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controllers/replicaset/config.pb.h"
#include "controllers/replicaset/replicaset_plugin.h"
#include "replicaset_test_support.h"
#include "ukube/auth.h"
#include "ukube/controller/replica_controller.h"
#include "ukube/machinery/owners.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::controller::rs_test {
namespace {

using controllers::replicaset::ReplicaSetConfig;
using controllers::replicaset::ReplicaSetPlugin;
using ::testing::_;
using ::testing::Return;
using ::testing::ReturnRef;

TEST(ReplicaSetSettings, DefaultsToFiveWorkersWithoutLeaderElection) {
  ReplicaSetConfig config;
  auto settings = controller::controller_settings(config, 5);
  EXPECT_EQ(settings.workers, 5u);
  EXPECT_FALSE(settings.leader_elect);
  config.set_workers(2);
  config.set_leader_elect(true);
  settings = controller::controller_settings(config, 5);
  EXPECT_EQ(settings.workers, 2u);
  EXPECT_TRUE(settings.leader_elect);
}

// The plugin's init context over a FakeClient.
class ReplicaSetPluginTest : public ::testing::Test {
 protected:
  ReplicaSetPluginTest() {
    config_.set_workers(2);
    ON_CALL(ctx_, config()).WillByDefault(ReturnRef(config_));
    ON_CALL(ctx_, client(_)).WillByDefault([this](const UserInfo& user) {
      users_.push_back(user.name);
      return std::shared_ptr<Client>(client_);
    });
    ON_CALL(ctx_, informers()).WillByDefault(ReturnRef(informers_));
    ON_CALL(ctx_, logger()).WillByDefault(Return(nullptr));
  }
  ~ReplicaSetPluginTest() override {
    plugin_.stop();
    informers_.shutdown();
  }

  size_t pods_of(const std::string& owner_uid) {
    size_t n = 0;
    for (const auto& pod : client_->objects().list(machinery::kPods, "default").items)
      if (machinery::is_controlled_by(*pod, owner_uid)) ++n;
    return n;
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  ReplicaSetConfig config_;
  ::testing::NiceMock<testing::MockInitContext> ctx_;
  std::vector<std::string> users_;
  ReplicaSetPlugin plugin_;
};

TEST_F(ReplicaSetPluginTest, ActsAsTheReplicaSetControllerServiceAccount) {
  plugin_.init(ctx_);
  EXPECT_THAT(users_, ::testing::Contains("system:serviceaccount:kube-system:replicaset-controller"));
  EXPECT_EQ(plugin_.settings().workers, 2u);
  EXPECT_EQ(plugin_.running(), nullptr);
  plugin_.start();
  EXPECT_NE(dynamic_cast<ReplicaController*>(plugin_.running()), nullptr);
  plugin_.stop();
  EXPECT_EQ(plugin_.running(), nullptr);
}

TEST_F(ReplicaSetPluginTest, KeepsTheReplicaCountAsItChanges) {
  client_->add(machinery::kReplicaSets, TestReplicaSet("web", 3).object());
  plugin_.init(ctx_);
  plugin_.start();

  // Created, observed through the pod informer, and reported.
  ASSERT_TRUE(eventually([&] { return pods_of("rs-web") == 3; }));
  ASSERT_TRUE(eventually([&] {
    ObjectPtr rs = client_->objects().get(machinery::kReplicaSets, "default", "web");
    return machinery::int_or(*rs, {"status", "replicas"}, 0) == 3;
  }));

  // Scaled down: two pods go, and the count settles.
  client_->objects().patch(machinery::kReplicaSets, "default", "web", PatchType::JsonMerge,
                           R"({"spec":{"replicas":1}})");
  ASSERT_TRUE(eventually([&] { return pods_of("rs-web") == 1; }));
  ASSERT_TRUE(eventually([&] {
    ObjectPtr rs = client_->objects().get(machinery::kReplicaSets, "default", "web");
    return machinery::int_or(*rs, {"status", "replicas"}, 0) == 1 &&
           machinery::int_or(*rs, {"status", "observedGeneration"}, 0) ==
               machinery::int_or(*rs, {"metadata", "generation"}, 0);
  }));

  // A pod deleted by someone else is replaced.
  std::string victim = machinery::name_of(*client_->objects().list(machinery::kPods, "default").items.at(0));
  client_->objects().remove(machinery::kPods, "default", victim);
  ASSERT_TRUE(eventually([&] {
    auto pods = client_->objects().list(machinery::kPods, "default").items;
    return pods.size() == 1 && machinery::name_of(*pods[0]) != victim;
  }));
  auto* running = dynamic_cast<ReplicaController*>(plugin_.running());
  ASSERT_NE(running, nullptr);
  EXPECT_EQ(client_->count("create", "pods"), 4u);
  EXPECT_EQ(client_->count("delete", "pods"), 2u);
}

}  // namespace
}  // namespace ukube::controller::rs_test
