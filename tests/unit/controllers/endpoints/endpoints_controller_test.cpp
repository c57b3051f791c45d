// The endpoints controller (plugins/controllers/endpoints) synced by hand against a
// FakeClient, its informers listing from the same client, as upstream's
// endpoints_controller_test.go drives syncService.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controllers/endpoints/config.pb.h"
#include "controllers/endpoints/endpoints_controller.h"
#include "controllers/endpoints/endpoints_plugin.h"
#include "controllers/endpoints/subsets.h"
#include "service_test_objects.h"
#include "tests/support/controller_context.h"
#include "ukube/auth.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::endpoints_test {
namespace {

using controller::Result;
using controllers::endpoints::EndpointsController;
using controllers::endpoints::kOverCapacityAnnotation;

controller::RecorderSettings endpoint_recorder() {
  controller::RecorderSettings settings;
  settings.source.component = "endpoint-controller";
  return settings;
}

class EndpointsSync : public ::testing::Test {
 protected:
  ~EndpointsSync() override {
    controller_.reset();
    informers_.shutdown();
  }

  void add(const TestPod& pod) { client_->add(machinery::kPods, pod.object()); }
  void add(const TestService& service) { client_->add(machinery::kServices, service.object()); }

  // Seed objects first, then start: the controller, its caches listed.
  EndpointsController& start() {
    controller::ControllerDeps deps;
    deps.client = client_;
    deps.informers = &informers_;
    deps.events = &events_;
    controller_ = std::make_unique<EndpointsController>(deps, 1);
    for (const auto& gvr : {machinery::kServices, machinery::kPods, machinery::kEndpoints})
      EXPECT_TRUE(informers_.informer(gvr)->wait_for_sync(5s));
    return *controller_;
  }

  // Syncs "default/web" once every cache shows what the client stores.
  Result sync(const std::string& key = "default/web") {
    for (const auto& gvr : {machinery::kServices, machinery::kPods, machinery::kEndpoints})
      EXPECT_TRUE(cache_matches(informers_, *client_, gvr));
    return controller_->sync(key);
  }

  ObjectPtr stored(const std::string& name = "web") {
    try {
      return client_->objects().get(machinery::kEndpoints, "default", name);
    } catch (const ApiError&) {
      return nullptr;
    }
  }
  json::array subsets(const std::string& name = "web") {
    ObjectPtr ep = stored(name);
    if (!ep) return {};
    const auto* list = machinery::array_at(*ep, {"subsets"});
    return list ? *list : json::array{};
  }
  size_t writes() { return client_->count("create", "endpoints") + client_->count("update", "endpoints"); }

  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list({"", "v1", "events"}, "").items)
      out.push_back(machinery::string_at(*e, {"type"}) + " " + machinery::string_at(*e, {"reason"}));
    return out;
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  controller::EventRecorder events_{event_client_, endpoint_recorder()};
  std::unique_ptr<EndpointsController> controller_;
};

json::object address(const std::string& ip, const std::string& pod, const std::string& node = "n1") {
  json::object a{{"ip", ip}};
  if (!node.empty()) a["nodeName"] = node;
  a["targetRef"] =
      json::object{{"kind", "Pod"}, {"namespace", "default"}, {"name", pod}, {"uid", "uid-" + pod}};
  return a;
}

json::object tcp(const std::string& name, int64_t port) {
  json::object p{{"port", port}, {"protocol", "TCP"}};
  if (!name.empty()) p["name"] = name;
  return p;
}

TEST_F(EndpointsSync, PublishesReadyPodsWithTheServiceLabelsAndTriggerTime) {
  add(TestService().labels({{"tier", "front"}}));
  add(TestPod("a", "10.42.0.1").ready());
  add(TestPod("b", "10.42.0.2").ready());
  add(TestPod("other", "10.42.0.3").labels({{"app", "api"}}).ready());
  start();
  EXPECT_EQ(sync().next, Result::Next::Done);
  ASSERT_EQ(client_->count("create", "endpoints"), 1u);
  EXPECT_EQ(subsets(), (json::array{json::object{
                           {"addresses", json::array{address("10.42.0.1", "a"), address("10.42.0.2", "b")}},
                           {"ports", json::array{tcp("http", 8080)}}}}));
  ObjectPtr ep = stored();
  EXPECT_EQ(machinery::object_or_empty(machinery::object_at(*ep, {"metadata", "labels"})),
            (json::object{{"tier", "front"}}));
  // First sync of a Service: its creation is the trigger.
  EXPECT_EQ(
      machinery::string_at(*ep, {"metadata", "annotations", machinery::kLastChangeTriggerTimeAnnotation}),
      "2024-05-01T09:00:00Z");
  EXPECT_EQ(machinery::object_at(*ep, {"metadata", "ownerReferences"}), nullptr);
}

TEST_F(EndpointsSync, NamedTargetPortsResolvePerPodIntoSeparateSubsets) {
  add(TestService().target_port("web"));
  add(TestPod("a", "10.42.0.1").port("web", 8080).ready());
  add(TestPod("b", "10.42.0.2").port("web", 9090).ready());
  add(TestPod("c", "10.42.0.3").port("web", 8080).ready());
  add(TestPod("unnamed", "10.42.0.4").port("metrics", 9100).ready());  // no port of that name
  start();
  sync();
  EXPECT_EQ(subsets(),
            (json::array{
                json::object{{"addresses", json::array{address("10.42.0.1", "a"), address("10.42.0.3", "c")}},
                             {"ports", json::array{tcp("http", 8080)}}},
                json::object{{"addresses", json::array{address("10.42.0.2", "b")}},
                             {"ports", json::array{tcp("http", 9090)}}}}));
}

TEST_F(EndpointsSync, PortsSharedByTheSameAddressesShareASubset) {
  add(TestService().ports(json::array{json::object{{"name", "http"}, {"port", 80}, {"targetPort", 8080}},
                                      json::object{{"name", "https"}, {"port", 443}, {"targetPort", 8443}}}));
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  EXPECT_EQ(subsets(),
            (json::array{json::object{{"addresses", json::array{address("10.42.0.1", "a")}},
                                      {"ports", json::array{tcp("http", 8080), tcp("https", 8443)}}}}));
}

TEST_F(EndpointsSync, NotReadyPodsGoToNotReadyAddresses) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  add(TestPod("b", "10.42.0.2").not_ready());
  add(TestPod("c", "10.42.0.3"));  // no Ready condition yet
  start();
  sync();
  EXPECT_EQ(subsets(),
            (json::array{json::object{
                {"addresses", json::array{address("10.42.0.1", "a")}},
                {"notReadyAddresses", json::array{address("10.42.0.2", "b"), address("10.42.0.3", "c")}},
                {"ports", json::array{tcp("http", 8080)}}}}));
}

TEST_F(EndpointsSync, TerminatingTerminalAndAddresslessPodsAreLeftOut) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  add(TestPod("leaving", "10.42.0.2").ready().terminating());
  add(TestPod("done", "10.42.0.3").phase("Succeeded"));
  add(TestPod("failed", "10.42.0.4").phase("Failed"));
  add(TestPod("pending", ""));
  start();
  sync();
  EXPECT_EQ(subsets(), (json::array{json::object{{"addresses", json::array{address("10.42.0.1", "a")}},
                                                 {"ports", json::array{tcp("http", 8080)}}}}));
}

TEST_F(EndpointsSync, PublishNotReadyAddressesListsEveryPodWithAnIpAsReady) {
  add(TestService().publish_not_ready());
  add(TestPod("a", "10.42.0.1").not_ready());
  add(TestPod("leaving", "10.42.0.2").ready().terminating());
  add(TestPod("pending", ""));
  start();
  sync();
  EXPECT_EQ(subsets(), (json::array{json::object{{"addresses", json::array{address("10.42.0.1", "a"),
                                                                           address("10.42.0.2", "leaving")}},
                                                 {"ports", json::array{tcp("http", 8080)}}}}));
}

TEST_F(EndpointsSync, NoWriteWhenNothingChanged) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  add(TestPod("b", "10.42.0.2").not_ready());
  start();
  sync();
  ASSERT_EQ(writes(), 1u);
  ASSERT_TRUE(cache_caught_up(informers_, *client_, machinery::kEndpoints, "default/web"));
  client_->clear_actions();
  EXPECT_EQ(sync().next, Result::Next::Done);
  // A pod change endpoints do not show (a label outside the selector) changes nothing either.
  add(TestPod("a", "10.42.0.1").labels({{"app", "web"}, {"version", "2"}}).ready());
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(writes(), 0u) << "the Endpoints already matched";
  EXPECT_EQ(client_->count("delete", "endpoints"), 0u);
}

TEST_F(EndpointsSync, UpdatesWhenAPodBecomesReadyWithItsTransitionAsTrigger) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").not_ready());
  start();
  sync();
  ASSERT_TRUE(cache_caught_up(informers_, *client_, machinery::kEndpoints, "default/web"));
  add(TestPod("a", "10.42.0.1").ready("2024-05-01T10:30:00Z"));
  sync();
  EXPECT_EQ(client_->count("update", "endpoints"), 1u);
  EXPECT_EQ(subsets(), (json::array{json::object{{"addresses", json::array{address("10.42.0.1", "a")}},
                                                 {"ports", json::array{tcp("http", 8080)}}}}));
  EXPECT_EQ(machinery::string_at(*stored(),
                                 {"metadata", "annotations", machinery::kLastChangeTriggerTimeAnnotation}),
            "2024-05-01T10:30:00Z");
}

TEST_F(EndpointsSync, AllPodsGoneLeavesEmptyEndpoints) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  ASSERT_TRUE(cache_caught_up(informers_, *client_, machinery::kEndpoints, "default/web"));
  client_->objects().remove(machinery::kPods, "default", "a");
  sync();
  ASSERT_NE(stored(), nullptr);
  EXPECT_TRUE(subsets().empty());
}

TEST_F(EndpointsSync, HeadlessServiceIsLabelledAndMayGoWithoutPorts) {
  add(TestService().headless().no_ports());
  add(TestPod("a", "10.42.0.1").ready().hostname("a", "web"));
  start();
  sync();
  ObjectPtr ep = stored();
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(machinery::string_at(*ep, {"metadata", "labels", machinery::kHeadlessServiceLabel}, "<missing>"),
            "");
  json::object with_hostname = address("10.42.0.1", "a");
  with_hostname["hostname"] = "a";
  EXPECT_EQ(subsets(), (json::array{json::object{{"addresses", json::array{with_hostname}}}}));
}

TEST_F(EndpointsSync, ClusterIpServiceWithoutPortsGetsNoAddresses) {
  add(TestService().no_ports());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  ASSERT_NE(stored(), nullptr);
  EXPECT_TRUE(subsets().empty());
  EXPECT_EQ(machinery::object_at(*stored(), {"metadata", "labels"}), nullptr);
}

TEST_F(EndpointsSync, DeletedServiceTakesItsEndpointsAlong) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  ASSERT_NE(stored(), nullptr);
  client_->objects().remove(machinery::kServices, "default", "web");
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(client_->count("delete", "endpoints"), 1u);
  EXPECT_EQ(stored(), nullptr);
  // Gone already: nothing left to do, and no error.
  EXPECT_EQ(controller_->sync("default/web").next, Result::Next::Done);
}

TEST_F(EndpointsSync, ServicesWithoutSelectorKeepTheirUsersEndpoints) {
  add(TestService("external").no_selector());
  add(TestService("named").external_name());
  json::object user_address{{"ip", "192.0.2.1"}};
  json::object user_subset{{"addresses", json::array{user_address}}, {"ports", json::array{tcp("", 5432)}}};
  client_->add(machinery::kEndpoints,
               json::object{{"metadata", {{"name", "external"}, {"namespace", "default"}}},
                            {"subsets", json::array{user_subset}}});
  add(TestPod("a", "10.42.0.1").ready());
  start();
  EXPECT_EQ(sync("default/external").next, Result::Next::Done);
  EXPECT_EQ(sync("default/named").next, Result::Next::Done);
  EXPECT_EQ(writes() + client_->count("delete", "endpoints"), 0u);
  EXPECT_EQ(subsets("external").size(), 1u);
}

TEST_F(EndpointsSync, OverCapacityIsTruncatedAndAnnotated) {
  add(TestService());
  for (int i = 0; i < 1005; ++i)
    add(TestPod("p" + std::to_string(i),
                "10.42." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1))
            .ready());
  start();
  sync();
  ObjectPtr ep = stored();
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(controllers::endpoints::count_addresses(subsets()), 1000u);
  EXPECT_EQ(machinery::string_at(*ep, {"metadata", "annotations", kOverCapacityAnnotation}), "truncated");
  // Still over capacity, still the same: not written again.
  ASSERT_TRUE(cache_caught_up(informers_, *client_, machinery::kEndpoints, "default/web"));
  client_->clear_actions();
  sync();
  EXPECT_EQ(writes(), 0u);
}

TEST_F(EndpointsSync, FailedCreateRecordsAWarningEventAndRetries) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  client_->prepend_reactor("create", "endpoints", testing::fail_with(ApiError::internal("etcd is down")));
  EXPECT_THROW(sync(), ApiError);
  EXPECT_THAT(events(), ::testing::ElementsAre("Warning FailedToCreateEndpoint"));
}

TEST_F(EndpointsSync, IgnoresTheCachedVersionItJustReplaced) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").not_ready());
  start();
  sync();
  ASSERT_TRUE(cache_caught_up(informers_, *client_, machinery::kEndpoints, "default/web"));
  // The next write lands, but the Endpoints informer is held back: it keeps the old version.
  auto endpoints_informer = informers_.informer(machinery::kEndpoints);
  ObjectPtr before = endpoints_informer->get("default/web");
  add(TestPod("a", "10.42.0.1").ready("2024-05-01T10:30:00Z"));
  ASSERT_TRUE(cache_matches(informers_, *client_, machinery::kPods));
  EXPECT_EQ(controller_->sync("default/web").next, Result::Next::Done);
  ASSERT_EQ(client_->count("update", "endpoints"), 1u);
  if (endpoints_informer->get("default/web") == before) {
    // Only when the informer has not caught up yet: a sync now would work from stale data.
    EXPECT_EQ(controller_->sync("default/web").next, Result::Next::Retry);
  }
  ASSERT_TRUE(cache_caught_up(informers_, *client_, machinery::kEndpoints, "default/web"));
  EXPECT_EQ(controller_->sync("default/web").next, Result::Next::Done);
  EXPECT_EQ(client_->count("update", "endpoints"), 1u);
}

TEST_F(EndpointsSync, RunningControllerFollowsChangesAndSweepsLeftovers) {
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  // Left behind by a Service deleted while no controller ran, and a leader-election record.
  client_->add(machinery::kEndpoints,
               json::object{{"metadata", {{"name", "gone"}, {"namespace", "default"}}}});
  client_->add(machinery::kEndpoints,
               json::object{{"metadata",
                             {{"name", "lock"},
                              {"namespace", "default"},
                              {"annotations", {{"control-plane.alpha.kubernetes.io/leader", "{}"}}}}}});
  start().start();
  EXPECT_TRUE(eventually([&] { return stored() && subsets().size() == 1; }));
  EXPECT_TRUE(eventually([&] { return stored("gone") == nullptr; }));
  EXPECT_NE(stored("lock"), nullptr);
  // A new ready pod shows up without anyone syncing by hand.
  add(TestPod("b", "10.42.0.2").ready());
  EXPECT_TRUE(eventually([&] {
    auto list = subsets();
    return list.size() == 1 && machinery::array_at(list[0].as_object(), {"addresses"})->size() == 2;
  }));
  // Deleting the Endpoints brings them back.
  client_->objects().remove(machinery::kEndpoints, "default", "web");
  EXPECT_TRUE(eventually([&] { return stored() != nullptr; }));
  controller_->stop();
}

TEST(EndpointsSubsets, TruncationKeepsReadyAddressesAndSharesTheRestProportionally) {
  controllers::endpoints::SubsetsBuilder builder;
  auto addr = [](int i) {
    return address("10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200),
                   "p" + std::to_string(i));
  };
  // 900 ready on port 80; 150 not ready on port 80 and 50 not ready on port 81.
  for (int i = 0; i < 900; ++i)
    builder.add(addr(i), true, machinery::EndpointPort{"a", 80, "TCP", std::nullopt});
  for (int i = 900; i < 1050; ++i)
    builder.add(addr(i), false, machinery::EndpointPort{"a", 80, "TCP", std::nullopt});
  for (int i = 1050; i < 1100; ++i)
    builder.add(addr(i), false, machinery::EndpointPort{"b", 81, "TCP", std::nullopt});
  json::array subsets = builder.build();
  ASSERT_EQ(subsets.size(), 2u);
  EXPECT_TRUE(controllers::endpoints::truncate_subsets(subsets));
  size_t ready = 0, not_ready = 0;
  for (const auto& s : subsets) {
    const auto* a = machinery::array_at(s.as_object(), {"addresses"});
    const auto* n = machinery::array_at(s.as_object(), {"notReadyAddresses"});
    ready += a ? a->size() : 0;
    not_ready += n ? n->size() : 0;
  }
  EXPECT_EQ(ready, 900u);
  EXPECT_EQ(not_ready, 100u);
  EXPECT_FALSE(controllers::endpoints::truncate_subsets(subsets));
}

TEST(EndpointsSubsets, ReadyAddressesAloneOverCapacityDropEveryNotReadyOne) {
  controllers::endpoints::SubsetsBuilder builder;
  for (int i = 0; i < 12; ++i)
    builder.add(address("10.0.0." + std::to_string(i + 1), "p" + std::to_string(i)), i < 10,
                machinery::EndpointPort{"", 80, "TCP", std::nullopt});
  json::array subsets = builder.build();
  EXPECT_TRUE(controllers::endpoints::truncate_subsets(subsets, 5));
  EXPECT_EQ(controllers::endpoints::count_addresses(subsets), 5u);
  EXPECT_EQ(machinery::array_at(subsets[0].as_object(), {"notReadyAddresses"}), nullptr);
}

// The plugin as the daemon loads it: its config, its identity, its running parts.
TEST(EndpointsPlugin, RunsAsTheEndpointControllerWithUpstreamsDefaults) {
  controllers::endpoints::EndpointsConfig config;
  testing::ControllerContext context(&config);
  auto& [client, informers, ctx, users] = context;
  client->add(machinery::kServices, TestService().object());
  client->add(machinery::kPods, TestPod("a", "10.42.0.1").ready().object());

  controllers::endpoints::EndpointsPlugin plugin;
  plugin.init(ctx);
  EXPECT_EQ(plugin.settings().workers, 5u);
  EXPECT_FALSE(plugin.settings().leader_elect);
  EXPECT_THAT(users, ::testing::Contains("system:serviceaccount:kube-system:endpoint-controller"));
  plugin.start();
  ASSERT_NE(dynamic_cast<EndpointsController*>(plugin.running()), nullptr);
  EXPECT_TRUE(eventually([&] {
    auto list = client->objects().list(machinery::kEndpoints, "default").items;
    return list.size() == 1 && machinery::array_at(*list[0], {"subsets"});
  }));
  plugin.stop();
  EXPECT_EQ(plugin.running(), nullptr);
  informers.shutdown();

  config.set_workers(2);
  config.set_leader_elect(true);
  controllers::endpoints::EndpointsPlugin configured;
  configured.init(ctx);
  EXPECT_EQ(configured.settings().workers, 2u);
  EXPECT_TRUE(configured.settings().leader_elect);
}

}  // namespace
}  // namespace ukube::endpoints_test
