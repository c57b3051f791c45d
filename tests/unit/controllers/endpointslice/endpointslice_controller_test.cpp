// The EndpointSlice controller (plugins/controllers/endpointslice) synced by hand against a
// FakeClient, its informers listing from the same client, as upstream's
// endpointslice_controller_test.go and reconciler_test.go drive syncService and Reconcile.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "../endpoints/service_test_objects.h"
#include "controllers/endpointslice/config.pb.h"
#include "controllers/endpointslice/endpointslice_controller.h"
#include "controllers/endpointslice/settings.h"
#include "controllers/endpointslice/slice_format.h"
#include "controllers/endpointslice/slice_tracker.h"
#include "ukube/controller/event_recorder.h"

namespace ukube::endpoints_test {
namespace {

using controller::Result;
using controllers::endpointslice::EndpointSliceController;

const std::vector<GroupVersionResource> kSliceInputs{machinery::kServices, machinery::kPods,
                                                     machinery::kNodes, machinery::kEndpointSlices};

controller::RecorderSettings slice_recorder() {
  controller::RecorderSettings settings;
  settings.source.component = "endpointslice-controller";
  return settings;
}

class SliceSync : public ::testing::Test {
 protected:
  ~SliceSync() override {
    controller_.reset();
    informers_.shutdown();
  }

  void add(const TestPod& pod) { client_->add(machinery::kPods, pod.object()); }
  void add(const TestService& service) { client_->add(machinery::kServices, service.object()); }
  void add_node(const std::string& name, const std::string& zone = "") {
    client_->add(machinery::kNodes, test_node(name, zone));
  }

  EndpointSliceController& start(size_t max_per_slice = 100) {
    controllers::endpointslice::Settings settings;
    settings.controller.workers = 1;
    settings.max_endpoints_per_slice = max_per_slice;
    controller::ControllerDeps deps;
    deps.client = client_;
    deps.informers = &informers_;
    deps.events = &events_;
    controller_ = std::make_unique<EndpointSliceController>(deps, settings);
    for (const auto& gvr : kSliceInputs) EXPECT_TRUE(informers_.informer(gvr)->wait_for_sync(5s));
    return *controller_;
  }

  // Syncs the Service once every cache shows what the client stores.
  Result sync(const std::string& key = "default/web") {
    for (const auto& gvr : kSliceInputs) EXPECT_TRUE(cache_matches(informers_, *client_, gvr));
    return controller_->sync(key);
  }

  std::vector<ObjectPtr> slices() {
    return client_->objects().list(machinery::kEndpointSlices, "default").items;
  }
  // The endpoint counts of the stored slices, sorted.
  std::vector<size_t> slice_sizes() {
    std::vector<size_t> sizes;
    for (const auto& s : slices()) sizes.push_back(controllers::endpointslice::endpoint_count(*s));
    std::sort(sizes.begin(), sizes.end());
    return sizes;
  }
  // Every address over all stored slices.
  std::set<std::string> addresses() {
    std::set<std::string> out;
    for (const auto& s : slices())
      machinery::for_each_object(machinery::array_at(*s, {"endpoints"}), [&](const json::object& ep, size_t) {
        for (const auto& a : machinery::strings_at(ep, {"addresses"})) out.insert(a);
      });
    return out;
  }
  // The stored endpoint of a pod.
  json::object endpoint_of(const std::string& pod) {
    json::object found;
    for (const auto& s : slices())
      machinery::for_each_object(machinery::array_at(*s, {"endpoints"}), [&](const json::object& ep, size_t) {
        if (machinery::string_at(ep, {"targetRef", "name"}) == pod) found = ep;
      });
    return found;
  }
  size_t writes() {
    return client_->count("create", "endpointslices") + client_->count("update", "endpointslices") +
           client_->count("delete", "endpointslices");
  }

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
  controller::EventRecorder events_{event_client_, slice_recorder()};
  std::unique_ptr<EndpointSliceController> controller_;
};

json::object conditions(bool ready, bool serving, bool terminating) {
  return json::object{{"ready", ready}, {"serving", serving}, {"terminating", terminating}};
}

TEST_F(SliceSync, CreatesOneSliceOwnedByTheServiceWithItsEndpoints) {
  add_node("n1", "zone-a");
  add(TestService().labels({{"tier", "front"}}));
  add(TestPod("a", "10.42.0.1").ready());
  add(TestPod("b", "10.42.0.2").not_ready());
  start();
  EXPECT_EQ(sync().next, Result::Next::Done);
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  const json::object& slice = *all[0];
  EXPECT_EQ(machinery::string_at(slice, {"metadata", "generateName"}), "web-");
  EXPECT_EQ(machinery::name_of(slice).rfind("web-", 0), 0u);
  EXPECT_EQ(machinery::object_or_empty(machinery::object_at(slice, {"metadata", "labels"})),
            (json::object{{"tier", "front"},
                          {"kubernetes.io/service-name", "web"},
                          {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}));
  EXPECT_EQ(*machinery::array_at(slice, {"metadata", "ownerReferences"}),
            (json::array{json::object{{"apiVersion", "v1"},
                                      {"kind", "Service"},
                                      {"name", "web"},
                                      {"uid", "svc-uid-web"},
                                      {"controller", true},
                                      {"blockOwnerDeletion", true}}}));
  EXPECT_EQ(machinery::string_at(slice, {"addressType"}), "IPv4");
  EXPECT_EQ(*machinery::array_at(slice, {"ports"}),
            (json::array{json::object{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}));
  EXPECT_EQ(
      machinery::string_at(slice, {"metadata", "annotations", machinery::kLastChangeTriggerTimeAnnotation}),
      "2024-05-01T09:00:00Z");
  EXPECT_EQ(endpoint_of("a"),
            (json::object{
                {"addresses", json::array{"10.42.0.1"}},
                {"conditions", conditions(true, true, false)},
                {"targetRef", {{"kind", "Pod"}, {"namespace", "default"}, {"name", "a"}, {"uid", "uid-a"}}},
                {"nodeName", "n1"},
                {"zone", "zone-a"}}));
  EXPECT_EQ(endpoint_of("b")["conditions"], conditions(false, false, false));
}

TEST_F(SliceSync, NamedTargetPortsResolvePerPodIntoOneSlicePerPortSet) {
  add_node("n1");
  add(TestService().target_port("web"));
  add(TestPod("a", "10.42.0.1").port("web", 8080).ready());
  add(TestPod("b", "10.42.0.2").port("web", 9090).ready());
  add(TestPod("c", "10.42.0.3").port("web", 8080).ready());
  start();
  sync();
  std::map<int64_t, size_t> endpoints_by_port;
  for (const auto& s : slices()) {
    const json::array& ports = *machinery::array_at(*s, {"ports"});
    ASSERT_EQ(ports.size(), 1u);
    endpoints_by_port[machinery::int_or(ports[0].as_object(), {"port"}, 0)] =
        controllers::endpointslice::endpoint_count(*s);
  }
  EXPECT_EQ(endpoints_by_port, (std::map<int64_t, size_t>{{8080, 2}, {9090, 1}}));
  // No port of that name on the pod: it is published without ports, in a slice of its own.
  add(TestPod("d", "10.42.0.4").ready());
  ASSERT_TRUE(cache_matches(informers_, *client_, machinery::kEndpointSlices));
  sync();
  EXPECT_EQ(slice_sizes(), (std::vector<size_t>{1, 1, 2}));
}

TEST_F(SliceSync, TerminatingPodsStayServingButNotReady) {
  add_node("n1");
  add(TestService());
  add(TestPod("leaving", "10.42.0.1").ready().terminating());
  add(TestPod("stuck", "10.42.0.2").not_ready().terminating());
  start();
  sync();
  EXPECT_EQ(endpoint_of("leaving")["conditions"], conditions(false, true, true));
  EXPECT_EQ(endpoint_of("stuck")["conditions"], conditions(false, false, true));
}

TEST_F(SliceSync, PublishNotReadyAddressesMarksEveryEndpointReady) {
  add_node("n1");
  add(TestService().publish_not_ready());
  add(TestPod("a", "10.42.0.1").not_ready());
  add(TestPod("leaving", "10.42.0.2").ready().terminating());
  add(TestPod("nowhere", "10.42.0.3").node("missing"));  // even on an unknown node
  start();
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(endpoint_of("a")["conditions"], conditions(true, false, false));
  EXPECT_EQ(endpoint_of("leaving")["conditions"], conditions(true, true, true));
  EXPECT_EQ(addresses(), (std::set<std::string>{"10.42.0.1", "10.42.0.2", "10.42.0.3"}));
}

TEST_F(SliceSync, PodsWithoutIpOrFinishedAreLeftOut) {
  add_node("n1");
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  add(TestPod("pending", ""));
  add(TestPod("done", "10.42.0.3").phase("Succeeded"));
  start();
  sync();
  EXPECT_EQ(addresses(), std::set<std::string>{"10.42.0.1"});
}

TEST_F(SliceSync, PodOnAnUnknownNodeWaitsAndTheRestIsPublished) {
  add_node("n1");
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  add(TestPod("b", "10.42.0.2").node("n2").ready());
  start();
  EXPECT_EQ(sync().next, Result::Next::Retry);
  EXPECT_EQ(addresses(), std::set<std::string>{"10.42.0.1"});
  add_node("n2", "zone-b");
  ASSERT_TRUE(cache_matches(informers_, *client_, machinery::kEndpointSlices));
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(addresses(), (std::set<std::string>{"10.42.0.1", "10.42.0.2"}));
  EXPECT_EQ(machinery::string_at(endpoint_of("b"), {"zone"}), "zone-b");
}

TEST_F(SliceSync, NoWriteWhenNothingChanged) {
  add_node("n1");
  add(TestService());
  for (int i = 0; i < 5; ++i)
    add(TestPod("p" + std::to_string(i), "10.42.0." + std::to_string(i + 1)).ready());
  start(2);
  sync();
  ASSERT_EQ(slices().size(), 3u);
  client_->clear_actions();
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(writes(), 0u);
}

TEST_F(SliceSync, SplitsAtTheLimitAndFillsTheSliceWithRoomOnGrowth) {
  add_node("n1");
  add(TestService());
  for (int i = 0; i < 5; ++i)
    add(TestPod("p" + std::to_string(i), "10.42.0." + std::to_string(i + 1)).ready());
  start(2);
  sync();
  EXPECT_EQ(slice_sizes(), (std::vector<size_t>{1, 2, 2}));
  EXPECT_EQ(client_->count("create", "endpointslices"), 3u);

  // One more pod: it goes into the slice with room; the full ones stay untouched.
  add(TestPod("p5", "10.42.0.6").ready());
  client_->clear_actions();
  sync();
  EXPECT_EQ(client_->count("create", "endpointslices"), 0u);
  EXPECT_EQ(client_->count("update", "endpointslices"), 1u);
  EXPECT_EQ(slice_sizes(), (std::vector<size_t>{2, 2, 2}));

  // And one more: a new slice.
  add(TestPod("p6", "10.42.0.7").ready());
  client_->clear_actions();
  sync();
  EXPECT_EQ(client_->count("create", "endpointslices"), 1u);
  EXPECT_EQ(client_->count("update", "endpointslices"), 0u);
  EXPECT_EQ(slice_sizes(), (std::vector<size_t>{1, 2, 2, 2}));
  EXPECT_EQ(addresses().size(), 7u);
}

TEST_F(SliceSync, ChangedEndpointIsRewrittenInPlaceAndEmptiedSlicesGo) {
  add_node("n1");
  add(TestService());
  for (int i = 0; i < 4; ++i)
    add(TestPod("p" + std::to_string(i), "10.42.0." + std::to_string(i + 1)).ready());
  start(2);
  sync();
  ASSERT_EQ(slice_sizes(), (std::vector<size_t>{2, 2}));
  std::string home;
  for (const auto& s : slices())
    machinery::for_each_object(machinery::array_at(*s, {"endpoints"}), [&](const json::object& ep, size_t) {
      if (machinery::string_at(ep, {"targetRef", "name"}) == "p0") home = machinery::name_of(*s);
    });

  // p0 turns not ready: its slice alone is updated, and it stays in it.
  add(TestPod("p0", "10.42.0.1").not_ready());
  client_->clear_actions();
  sync();
  ASSERT_EQ(client_->count("update", "endpointslices"), 1u);
  EXPECT_EQ(machinery::name_of(*client_->actions("update", "endpointslices")[0].object), home);
  EXPECT_EQ(endpoint_of("p0")["conditions"], conditions(false, false, false));
  EXPECT_EQ(writes(), 1u);

  // Both pods of p0's slice go: that slice is deleted, the other one stays as it is.
  client_->objects().remove(machinery::kPods, "default", "p0");
  client_->objects().remove(machinery::kPods, "default", "p1");
  client_->clear_actions();
  sync();
  EXPECT_EQ(addresses(), (std::set<std::string>{"10.42.0.3", "10.42.0.4"}));
  EXPECT_EQ(slices().size(), 1u);
  EXPECT_EQ(client_->count("create", "endpointslices"), 0u);
  EXPECT_EQ(client_->count("delete", "endpointslices"), 1u);
}

TEST_F(SliceSync, ServiceWithoutEndpointsKeepsOnePlaceholderSlice) {
  add_node("n1");
  add(TestService());
  start();
  sync();
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(machinery::array_at(*all[0], {"endpoints"})->empty());
  EXPECT_TRUE(machinery::array_at(*all[0], {"ports"})->empty());
  client_->clear_actions();
  sync();
  EXPECT_EQ(writes(), 0u);

  // The placeholder becomes the first real slice rather than being replaced.
  const std::string placeholder = machinery::name_of(*all[0]);
  add(TestPod("a", "10.42.0.1").ready());
  client_->clear_actions();
  sync();
  EXPECT_EQ(client_->count("create", "endpointslices"), 0u);
  EXPECT_EQ(client_->count("delete", "endpointslices"), 0u);
  all = slices();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(machinery::name_of(*all[0]), placeholder);
  EXPECT_EQ(addresses(), std::set<std::string>{"10.42.0.1"});
}

TEST_F(SliceSync, HeadlessServiceSlicesAreLabelledAndMayHaveNoPorts) {
  add_node("n1");
  add(TestService().headless().no_ports());
  add(TestPod("a", "10.42.0.1").ready().hostname("a", "web"));
  start();
  sync();
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(
      machinery::string_at(*all[0], {"metadata", "labels", machinery::kHeadlessServiceLabel}, "<missing>"),
      "");
  EXPECT_TRUE(machinery::array_at(*all[0], {"ports"})->empty());
  EXPECT_EQ(machinery::string_at(endpoint_of("a"), {"hostname"}), "a");
}

TEST_F(SliceSync, Ipv6ServicePublishesThePodsIpv6Addresses) {
  add_node("n1");
  add(TestService().ipv6());
  add(TestPod("a", "").ips({"10.42.0.1", "fd00:42::0001"}).ready());
  add(TestPod("v4only", "10.42.0.2").ready());
  start();
  sync();
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(machinery::string_at(*all[0], {"addressType"}), "IPv6");
  EXPECT_EQ(addresses(), std::set<std::string>{"fd00:42::1"});
}

TEST_F(SliceSync, ServiceLabelChangesAreCopiedWithoutTouchingEndpoints) {
  add_node("n1");
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  add(TestService().labels({{"tier", "back"}}));
  client_->clear_actions();
  sync();
  ASSERT_EQ(client_->count("update", "endpointslices"), 1u);
  EXPECT_EQ(machinery::string_at(*slices()[0], {"metadata", "labels", "tier"}), "back");
  EXPECT_EQ(addresses(), std::set<std::string>{"10.42.0.1"});
}

TEST_F(SliceSync, SlicesOfAnEarlierServiceOfTheSameNameAreReplaced) {
  add_node("n1");
  add(TestService().uid("old-uid"));
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  ASSERT_EQ(slices().size(), 1u);
  const std::string old_slice = machinery::name_of(*slices()[0]);
  add(TestService().uid("new-uid"));
  sync();
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_NE(machinery::name_of(*all[0]), old_slice);
  EXPECT_EQ(machinery::string_at(
                (*machinery::array_at(*all[0], {"metadata", "ownerReferences"}))[0].as_object(), {"uid"}),
            "new-uid");
}

TEST_F(SliceSync, DeletedServiceLeavesItsSlicesToTheGarbageCollector) {
  add_node("n1");
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  client_->objects().remove(machinery::kServices, "default", "web");
  client_->clear_actions();
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(writes(), 0u);
  // What the controller tracked for the Service is forgotten: nothing stale remains.
  EXPECT_FALSE(controller_->tracker().stale(TestService().object(), {}));
}

TEST_F(SliceSync, ServicesWithoutSelectorGetNoSlices) {
  add_node("n1");
  add(TestService().no_selector());
  add(TestService("named").external_name());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(sync("default/named").next, Result::Next::Done);
  EXPECT_TRUE(slices().empty());
}

TEST_F(SliceSync, WaitsForItsOwnWritesToReachTheCache) {
  add_node("n1");
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  sync();
  ASSERT_EQ(slices().size(), 1u);
  // Until the informer has the slice just created, a sync would create it again.
  auto cached = controller_->managed_slices("default/web");
  if (cached.empty()) {
    EXPECT_EQ(controller_->sync("default/web").next, Result::Next::Retry);
  }
  ASSERT_TRUE(cache_matches(informers_, *client_, machinery::kEndpointSlices));
  EXPECT_EQ(controller_->sync("default/web").next, Result::Next::Done);
  EXPECT_EQ(slices().size(), 1u);
}

TEST_F(SliceSync, FailedWriteRecordsAWarningOnTheService) {
  add_node("n1");
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start();
  client_->prepend_reactor("create", "endpointslices",
                           testing::fail_with(ApiError::internal("etcd is down")));
  EXPECT_THROW(sync(), ApiError);
  EXPECT_THAT(events(), ::testing::ElementsAre("Warning FailedToUpdateEndpointSlices"));
}

TEST_F(SliceSync, RunningControllerFollowsPodsAndRepairsSlicesOthersDelete) {
  add_node("n1");
  add(TestService());
  add(TestPod("a", "10.42.0.1").ready());
  start().start();
  EXPECT_TRUE(eventually([&] { return addresses() == std::set<std::string>{"10.42.0.1"}; }));
  add(TestPod("b", "10.42.0.2").ready());
  EXPECT_TRUE(eventually([&] { return addresses().size() == 2; }));
  // Someone deletes the slice: it comes back (after the controller's one-second delay).
  std::string name = machinery::name_of(*slices()[0]);
  client_->objects().remove(machinery::kEndpointSlices, "default", name);
  EXPECT_TRUE(eventually([&] { return addresses().size() == 2; }));
  controller_->stop();
}

TEST(SliceTracker, TellsOwnWritesFromOthersAndLaggingCaches) {
  controllers::endpointslice::SliceTracker tracker;
  TestService service;
  json::object slice{{"metadata",
                      {{"name", "web-abc"},
                       {"namespace", "default"},
                       {"uid", "s1"},
                       {"generation", 2},
                       {"labels", {{"kubernetes.io/service-name", "web"}}}}}};
  auto at_generation = [&](int64_t g) {
    json::object copy = slice;
    copy["metadata"].as_object()["generation"] = g;
    return std::make_shared<const json::object>(std::move(copy));
  };
  EXPECT_TRUE(tracker.should_sync(slice));
  tracker.update(slice);
  EXPECT_TRUE(tracker.has(slice));
  EXPECT_FALSE(tracker.should_sync(slice));
  EXPECT_TRUE(tracker.should_sync(*at_generation(3)));
  EXPECT_TRUE(tracker.stale(service.object(), {}));                  // written, not cached yet
  EXPECT_TRUE(tracker.stale(service.object(), {at_generation(1)}));  // cached, but older
  EXPECT_FALSE(tracker.stale(service.object(), {at_generation(2)}));
  tracker.expect_deletion(slice);
  EXPECT_TRUE(tracker.stale(service.object(), {at_generation(2)}));  // deleted, still cached
  EXPECT_FALSE(tracker.stale(service.object(), {}));
  EXPECT_TRUE(tracker.handle_deletion(slice));
  tracker.update(slice);
  EXPECT_FALSE(tracker.handle_deletion(slice));  // deleted by someone else
  // A new Service of the same name does not wait for the old one's slices.
  tracker.update(slice);
  EXPECT_FALSE(tracker.stale(TestService().uid("other").object(), {}));
}

TEST(EndpointSliceSettings, DefaultsAreUpstreamsAndTheLimitIsChecked) {
  controllers::endpointslice::EndpointSliceConfig config;
  auto s = controllers::endpointslice::defaults(config);
  EXPECT_EQ(s.controller.workers, 5u);
  EXPECT_FALSE(s.controller.leader_elect);
  EXPECT_EQ(s.max_endpoints_per_slice, 100u);
  config.set_max_endpoints_per_slice(1000);
  EXPECT_EQ(controllers::endpointslice::defaults(config).max_endpoints_per_slice, 1000u);
  config.set_max_endpoints_per_slice(1001);
  EXPECT_THROW(controllers::endpointslice::defaults(config), std::invalid_argument);
}

}  // namespace
}  // namespace ukube::endpoints_test
