// The namespace controller while it runs: which namespaces it queues, what a sync returns
// to the work queue, and namespaces emptied and finalized end to end over informers.
#include <gtest/gtest.h>

#include <thread>

#include "controllers/namespace/namespace_controller.h"
#include "namespace_test_support.h"
#include "ukube/informer_factory.h"

namespace ukube::controllers::namespace_::test {
namespace {

using controller::Result;

class NamespaceControllerTest : public ::testing::Test {
 protected:
  NamespaceControllerTest() {
    deps_.client = cluster_.client;
    deps_.informers = &informers_;
  }
  ~NamespaceControllerTest() override {
    controller_.reset();
    informers_.shutdown();
  }

  NamespaceController& make_controller() {
    ControllerOptions options;
    options.workers = 2;
    options.deletion_grace = std::chrono::milliseconds(0);
    controller_ = std::make_unique<NamespaceController>(deps_, cluster_.options(), options);
    EXPECT_TRUE(informers_.informer(machinery::kNamespaces)->wait_for_sync(std::chrono::seconds(5)));
    return *controller_;
  }
  FakeCluster cluster_;
  SharedInformerFactory informers_{cluster_.client, 1};
  controller::ControllerDeps deps_;
  std::unique_ptr<NamespaceController> controller_;
};

TEST_F(NamespaceControllerTest, LooksAgainInHalfTheEstimatedTimeWhileContentRemains) {
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "held",
               R"({"metadata":{"finalizers":["example.com/hold"]}})");
  auto& controller = make_controller();
  Result r = controller.sync("doomed");
  EXPECT_EQ(r.next, Result::Next::RequeueAfter);
  EXPECT_EQ(r.after, std::chrono::seconds(kFinalizerEstimateSeconds / 2 + 1));
}

TEST_F(NamespaceControllerTest, ANamespaceTheCacheDoesNotHaveIsDone) {
  auto& controller = make_controller();
  cluster_.client->clear_actions();
  EXPECT_EQ(controller.sync("gone").next, Result::Next::Done);
  EXPECT_EQ(cluster_.client->count("get"), 0u);
}

TEST_F(NamespaceControllerTest, AFailedPassIsRetried) {
  cluster_.refuse_collection.emplace("secrets", ApiError::internal("etcd timed out"));
  cluster_.add_namespace("doomed", 1s);
  auto& controller = make_controller();
  // The loop counts a throwing reconcile as a retry with back-off.
  EXPECT_THROW(controller.sync("doomed"), std::runtime_error);
  EXPECT_NE(cluster_.namespace_object("doomed"), nullptr);
}

TEST_F(NamespaceControllerTest, EmptiesAndFinalizesNamespacesBeingDeletedAndLeavesOthersAlone) {
  cluster_.add_namespace("keep", std::nullopt);
  cluster_.add(machinery::kConfigMaps, "keep", "settings");
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "settings");
  cluster_.add(machinery::kSecrets, "doomed", "token");
  cluster_.add_namespace("later", std::nullopt);
  cluster_.add(machinery::kPods, "later", "web");
  auto& controller = make_controller();
  controller.start();

  EXPECT_TRUE(eventually([&] { return cluster_.namespace_object("doomed") == nullptr; }));
  EXPECT_EQ(cluster_.find(machinery::kSecrets, "doomed", "token"), nullptr);

  // Deleted while the controller runs (the API server sets deletionTimestamp).
  json::object later = *cluster_.namespace_object("later");
  machinery::child(later, "metadata")["deletionTimestamp"] = machinery::now_rfc3339();
  cluster_.client->add(machinery::kNamespaces, later);
  EXPECT_TRUE(eventually([&] { return cluster_.namespace_object("later") == nullptr; }));
  EXPECT_EQ(cluster_.find(machinery::kPods, "later", "web"), nullptr);
  EXPECT_TRUE(eventually([&] { return controller.idle(); }));

  EXPECT_NE(cluster_.find(machinery::kConfigMaps, "keep", "settings"), nullptr);
  for (const auto& a : cluster_.client->actions()) {
    EXPECT_NE(a.ns, "keep") << a.verb << " " << a.resource_path();
    if (a.resource.resource == "namespaces" && a.verb != "list" && a.verb != "watch") {
      EXPECT_NE(a.name, "keep");
    }
  }
  EXPECT_EQ(cluster_.client->count("update", "namespaces/finalize"), 2u);
  controller.stop();
}

}  // namespace
}  // namespace ukube::controllers::namespace_::test
