#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "../endpoints/service_test_objects.h"
#include "controllers/endpointslicemirroring/mirrored_slices.h"
#include "controllers/endpointslicemirroring/mirroring_controller.h"

namespace ukube::endpoints_test {
namespace {

using controllers::mirroring::MirroringController;
using controllers::mirroring::MirroringSettings;

const std::vector<GroupVersionResource> kInputs{machinery::kServices, machinery::kEndpoints,
                                                machinery::kEndpointSlices};

json::object address(const std::string& ip, const std::string& pod = "") {
  json::object a{{"ip", ip}};
  if (!pod.empty()) {
    a["nodeName"] = "n1";
    a["hostname"] = pod;
    a["targetRef"] = json::object{{"kind", "Pod"}, {"namespace", "default"}, {"name", pod}};
  }
  return a;
}

json::object endpoints(json::array subsets, json::object labels = {}) {
  json::object meta{{"name", "web"},
                    {"namespace", "default"},
                    {"uid", "ep-uid"},
                    {"annotations",
                     {{"note", "kept"},
                      {"endpoints.kubernetes.io/last-change-trigger-time", "2024-05-01T09:00:00Z"},
                      {"kubectl.kubernetes.io/last-applied-configuration", "{}"}}}};
  if (!labels.empty()) meta["labels"] = std::move(labels);
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Endpoints"},
                      {"metadata", std::move(meta)},
                      {"subsets", std::move(subsets)}};
}

json::object subset(json::array ready, json::array not_ready, json::array ports) {
  json::object s{{"ports", std::move(ports)}};
  if (!ready.empty()) s["addresses"] = std::move(ready);
  if (!not_ready.empty()) s["notReadyAddresses"] = std::move(not_ready);
  return s;
}

json::array http_port() {
  return json::array{json::object{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}};
}

class Mirroring : public ::testing::Test {
 protected:
  ~Mirroring() override {
    controller_.reset();
    informers_.shutdown();
  }
  MirroringController& start(size_t max_per_subset = 1000) {
    MirroringSettings settings;
    settings.workers = 1;
    settings.max_endpoints_per_subset = max_per_subset;
    controller::ControllerDeps deps;
    deps.client = client_;
    deps.informers = &informers_;
    controller_ = std::make_unique<MirroringController>(deps, settings);
    for (const auto& gvr : kInputs) EXPECT_TRUE(informers_.informer(gvr)->wait_for_sync(5s));
    return *controller_;
  }
  controller::Result sync() {
    for (const auto& gvr : kInputs) EXPECT_TRUE(cache_matches(informers_, *client_, gvr));
    return controller_->sync("default/web");
  }
  std::vector<ObjectPtr> slices() {
    return client_->objects().list(machinery::kEndpointSlices, "default").items;
  }
  size_t writes() {
    return client_->count("create", "endpointslices") + client_->count("update", "endpointslices") +
           client_->count("delete", "endpointslices");
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  std::unique_ptr<MirroringController> controller_;
};

TEST_F(Mirroring, MirrorsTheEndpointsOfAServiceWithoutSelector) {
  client_->add(machinery::kServices, TestService().no_selector().object());
  client_->add(machinery::kEndpoints,
               endpoints(json::array{subset(json::array{address("10.42.0.1", "a")},
                                            json::array{address("10.42.0.2")}, http_port())},
                         json::object{{"team", "x"}}));
  start();
  EXPECT_EQ(sync().next, controller::Result::Next::Done);
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  const json::object& slice = *all[0];
  EXPECT_EQ(machinery::string_at(slice, {"addressType"}), "IPv4");
  EXPECT_EQ(machinery::string_at(slice, {"metadata", "generateName"}), "web-");
  auto labels = machinery::string_map_at(slice, {"metadata", "labels"});
  EXPECT_EQ(labels["kubernetes.io/service-name"], "web");
  EXPECT_EQ(labels["endpointslice.kubernetes.io/managed-by"], "endpointslicemirroring-controller.k8s.io");
  EXPECT_EQ(labels["team"], "x");
  auto annotations = machinery::string_map_at(slice, {"metadata", "annotations"});
  EXPECT_EQ(annotations, (std::map<std::string, std::string>{{"note", "kept"}}));
  EXPECT_EQ(slice.at("metadata").at("ownerReferences").at(0).at("kind"), "Endpoints");
  EXPECT_EQ(slice.at("metadata").at("ownerReferences").at(0).at("uid"), "ep-uid");
  EXPECT_EQ(slice.at("ports"), http_port());
  const auto& eps = slice.at("endpoints").as_array();
  ASSERT_EQ(eps.size(), 2u);
  EXPECT_EQ(eps[0],
            (json::object{{"addresses", json::array{"10.42.0.1"}},
                          {"conditions", {{"ready", true}}},
                          {"hostname", "a"},
                          {"nodeName", "n1"},
                          {"targetRef", {{"kind", "Pod"}, {"namespace", "default"}, {"name", "a"}}}}));
  EXPECT_EQ(eps[1],
            (json::object{{"addresses", json::array{"10.42.0.2"}}, {"conditions", {{"ready", false}}}}));

  // Synced again with nothing changed: nothing is written.
  const size_t before = writes();
  sync();
  EXPECT_EQ(writes(), before);
}

TEST_F(Mirroring, ChangesRewriteTheSameSliceAndExtraOnesGo) {
  client_->add(machinery::kServices, TestService().no_selector().object());
  client_->add(machinery::kEndpoints,
               endpoints(json::array{subset(json::array{address("10.42.0.1")}, {}, http_port()),
                                     subset(json::array{address("fd00:42::1")}, {}, http_port())}));
  start();
  sync();
  ASSERT_EQ(slices().size(), 2u) << "one slice per address type";
  std::set<std::string> names;
  for (const auto& s : slices()) names.insert(machinery::name_of(*s));

  client_->add(machinery::kEndpoints,
               endpoints(json::array{
                   subset(json::array{address("10.42.0.1"), address("10.42.0.9")}, {}, http_port())}));
  sync();
  auto after = slices();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_TRUE(names.contains(machinery::name_of(*after[0]))) << "the IPv4 slice is updated in place";
  EXPECT_EQ(after[0]->at("endpoints").as_array().size(), 2u);
}

TEST_F(Mirroring, AtMostTheLimitPerSubsetAndInvalidAddressesAreSkipped) {
  client_->add(machinery::kServices, TestService().no_selector().object());
  client_->add(machinery::kEndpoints,
               endpoints(json::array{subset(json::array{address("10.42.0.1"), address("not-an-ip"),
                                                        address("10.42.0.2"), address("10.42.0.3")},
                                            {}, http_port())}));
  start(2);
  sync();
  auto all = slices();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]->at("endpoints").as_array().size(), 2u);
}

TEST_F(Mirroring, NothingForAServiceWithASelectorOrSkipMirrorAndSlicesGoWhenItChanges) {
  client_->add(machinery::kServices, TestService().object());
  client_->add(machinery::kEndpoints,
               endpoints(json::array{subset(json::array{address("10.42.0.1")}, {}, http_port())}));
  start();
  sync();
  EXPECT_TRUE(slices().empty()) << "the EndpointSlice controller serves Services with a selector";

  client_->add(machinery::kServices, TestService().no_selector().object());
  sync();
  EXPECT_EQ(slices().size(), 1u);

  client_->add(machinery::kEndpoints,
               endpoints(json::array{subset(json::array{address("10.42.0.1")}, {}, http_port())},
                         json::object{{"endpointslice.kubernetes.io/skip-mirror", "true"}}));
  sync();
  EXPECT_TRUE(slices().empty());
}

TEST_F(Mirroring, NoServiceNoSlices) {
  client_->add(machinery::kEndpoints,
               endpoints(json::array{subset(json::array{address("10.42.0.1")}, {}, http_port())}));
  start();
  sync();
  EXPECT_TRUE(slices().empty());
}

}  // namespace
}  // namespace ukube::endpoints_test
