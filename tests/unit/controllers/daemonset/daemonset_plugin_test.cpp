// Plugin ukube.controller.v1.daemonset: its identity, and the controller running end to end
// over a FakeClient (informers, handlers, expectations, the work queue).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <boost/json.hpp>

#include "controllers/daemonset/config.pb.h"
#include "controllers/daemonset/daemonset_controller.h"
#include "controllers/daemonset/daemonset_plugin.h"
#include "controllers/daemonset/daemonset_util.h"
#include "tests/support/eventually.h"
#include "ukube/auth.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/testing/fake_client.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::controllers::daemonset {
namespace {

namespace json = boost::json;
using ::testing::_;
using ::testing::Return;
using ::testing::ReturnRef;
using ukube::testing::eventually;

class DaemonSetPluginTest : public ::testing::Test {
 protected:
  DaemonSetPluginTest() {
    ON_CALL(ctx_, config()).WillByDefault(ReturnRef(config_));
    ON_CALL(ctx_, client(_)).WillByDefault([this](const UserInfo& user) {
      users_.push_back(user.name);
      return std::shared_ptr<Client>(client_);
    });
    ON_CALL(ctx_, informers()).WillByDefault(ReturnRef(informers_));
    ON_CALL(ctx_, logger()).WillByDefault(Return(nullptr));
  }
  ~DaemonSetPluginTest() override {
    plugin_.stop();
    informers_.shutdown();
  }

  std::vector<std::string> pod_nodes() {
    std::vector<std::string> out;
    for (const auto& pod : client_->objects().list(machinery::kPods, "default").items)
      if (!machinery::has_deletion_timestamp(*pod)) out.push_back(target_node(*pod));
    std::sort(out.begin(), out.end());
    return out;
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  DaemonSetConfig config_;
  ::testing::NiceMock<testing::MockInitContext> ctx_;
  std::vector<std::string> users_;
  DaemonSetPlugin plugin_;
};

TEST_F(DaemonSetPluginTest, ActsAsTheDaemonSetControllerServiceAccountWithTwoWorkers) {
  plugin_.init(ctx_);
  EXPECT_THAT(users_, ::testing::Contains("system:serviceaccount:kube-system:daemon-set-controller"));
  EXPECT_EQ(plugin_.settings().workers, 2u);
  plugin_.start();
  EXPECT_NE(dynamic_cast<DaemonSetController*>(plugin_.running()), nullptr);
  plugin_.stop();
  EXPECT_EQ(plugin_.running(), nullptr);
}

TEST_F(DaemonSetPluginTest, FollowsNodesAsTheyComeAndGo) {
  auto node = [](const std::string& name) {
    return json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", json::object{{"name", name}}}};
  };
  client_->add(machinery::kNodes, node("a"));
  client_->add(machinery::kDaemonSets, json::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet",
      "metadata":{"name":"agent","namespace":"default","uid":"uid-agent","generation":1},
      "spec":{"selector":{"matchLabels":{"app":"agent"}},
        "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1}},
        "template":{"metadata":{"labels":{"app":"agent"}},
                    "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})")
                                           .as_object());
  plugin_.init(ctx_);
  plugin_.start();
  ASSERT_TRUE(eventually([&] { return pod_nodes() == std::vector<std::string>{"a"}; }));
  client_->add(machinery::kNodes, node("b"));
  ASSERT_TRUE(eventually([&] { return pod_nodes() == std::vector<std::string>{"a", "b"}; }));
  client_->objects().remove(machinery::kNodes, "", "a");
  ASSERT_TRUE(eventually([&] { return pod_nodes() == std::vector<std::string>{"b"}; }));
  EXPECT_TRUE(eventually([&] {
    auto ds = client_->objects().get(machinery::kDaemonSets, "default", "agent");
    return machinery::int_or(*ds, {"status", "desiredNumberScheduled"}, -1) == 1 &&
           machinery::int_or(*ds, {"status", "currentNumberScheduled"}, -1) == 1;
  }));
}

}  // namespace
}  // namespace ukube::controllers::daemonset
