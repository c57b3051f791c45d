#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "controllers/daemonset/daemonset_controller.h"
#include "controllers/daemonset/daemonset_history.h"
#include "controllers/daemonset/daemonset_util.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::daemonset {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

template <class Condition>
bool wait_until(Condition condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

json::object make_ds(const std::string& image,
                     json::object rolling = {{"maxUnavailable", 1}, {"maxSurge", 0}}) {
  return json::object{
      {"apiVersion", "apps/v1"},
      {"kind", "DaemonSet"},
      {"metadata",
       json::object{{"name", "ds"}, {"namespace", "default"}, {"uid", "uid-ds"}, {"generation", 1}}},
      {"spec",
       json::object{
           {"selector", json::object{{"matchLabels", json::object{{"app", "d"}}}}},
           {"template",
            json::object{{"metadata", json::object{{"labels", json::object{{"app", "d"}}}}},
                         {"spec", json::object{{"containers", json::array{json::object{
                                                                  {"name", "c"}, {"image", image}}}}}}}},
           {"updateStrategy", json::object{{"type", "RollingUpdate"}, {"rollingUpdate", rolling}}},
           {"revisionHistoryLimit", 10}}}};
}

json::object make_node(const std::string& name, json::object labels = {}, json::array taints = {}) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", json::object{{"name", name}, {"labels", std::move(labels)}}},
          {"spec", json::object{{"taints", std::move(taints)}}}};
}

controller::RecorderSettings recorder() {
  controller::RecorderSettings settings;
  settings.source.component = "daemonset-controller";
  return settings;
}

class DaemonSetSyncTest : public ::testing::Test {
 protected:
  ~DaemonSetSyncTest() override {
    handlers_.clear();
    syncer_.reset();
    informers_.shutdown();
  }

  DaemonSetSyncer& start() {
    DaemonSetSyncerOptions options;
    options.client = client_;
    options.daemonsets = informers_.informer(machinery::kDaemonSets);
    options.pods = informers_.informer(machinery::kPods);
    options.nodes = informers_.informer(machinery::kNodes);
    options.revisions = informers_.informer(machinery::kControllerRevisions);
    options.events = &events_;
    for (const auto& i : {options.daemonsets, options.pods, options.nodes, options.revisions})
      EXPECT_TRUE(i->wait_for_sync(5s));
    syncer_ = std::make_unique<DaemonSetSyncer>(
        std::move(options), DaemonSetQueue{[](const std::string&) {}, [](const std::string&, auto) {}});
    // The pod handlers count the creations and deletions the expectations wait for.
    handlers_.push_back(informers_.informer(machinery::kPods)->add_handlers(syncer_->pod_handlers()));
    return *syncer_;
  }

  std::vector<ObjectPtr> stored(const GroupVersionResource& gvr) {
    auto items = client_->objects().list(gvr, "").items;
    std::sort(items.begin(), items.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      return machinery::name_of(*a) < machinery::name_of(*b);
    });
    return items;
  }
  std::vector<ObjectPtr> live_pods() {
    std::vector<ObjectPtr> out;
    for (auto& p : stored(machinery::kPods))
      if (!machinery::has_deletion_timestamp(*p)) out.push_back(p);
    return out;
  }
  std::vector<std::string> pod_nodes() {
    std::vector<std::string> out;
    for (const auto& p : live_pods()) out.push_back(target_node(*p));
    std::sort(out.begin(), out.end());
    return out;
  }

  // Waits until every cache holds exactly what is stored (sync reads the caches).
  void settle() {
    for (const auto& gvr :
         {machinery::kPods, machinery::kNodes, machinery::kDaemonSets, machinery::kControllerRevisions}) {
      auto informer = informers_.informer(gvr);
      ASSERT_TRUE(wait_until([&] {
        auto items = stored(gvr);
        if (informer->list().size() != items.size()) return false;
        for (const auto& o : items) {
          auto cached = informer->get(object_key(*o));
          if (!cached || machinery::meta_string(*cached, "resourceVersion") !=
                             machinery::meta_string(*o, "resourceVersion"))
            return false;
        }
        return true;
      }));
    }
  }
  void sync() {
    settle();
    syncer_->sync("default/ds");
    settle();
  }

  // Stands in for the scheduler and kubelet: every pod runs and is ready.
  void run_pods() {
    for (const auto& p : stored(machinery::kPods)) {
      json::object copy = *p;
      copy["spec"].as_object()["nodeName"] = target_node(*p);
      client_->objects().update(machinery::kPods, "default", copy);
      copy = *client_->objects().get(machinery::kPods, "default", machinery::name_of(*p));
      copy["status"] = json::object{
          {"phase", "Running"},
          {"conditions",
           json::array{json::object{
               {"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2024-01-01T00:00:00Z"}}}}};
      client_->objects().update(machinery::kPods, "default", copy, {}, "status");
    }
  }

  json::object status() {
    return machinery::object_or_empty(machinery::object_at(*stored(machinery::kDaemonSets)[0], {"status"}));
  }

  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list({"", "v1", "events"}, "").items)
      out.push_back(machinery::string_at(*e, {"reason"}) + " " + machinery::string_at(*e, {"message"}));
    return out;
  }

  void update_ds(const std::function<void(json::object&)>& change) {
    json::object copy = *client_->objects().get(machinery::kDaemonSets, "default", "ds");
    change(copy);
    client_->objects().update(machinery::kDaemonSets, "default", copy);
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  controller::EventRecorder events_{event_client_, recorder()};
  std::unique_ptr<DaemonSetSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

TEST_F(DaemonSetSyncTest, OnePodPerNodeWithRevisionAndAffinity) {
  for (const char* n : {"n1", "n2", "n3"}) client_->add(machinery::kNodes, make_node(n));
  client_->add(machinery::kDaemonSets, make_ds("img:1"));
  start();
  sync();
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"n1", "n2", "n3"}));
  auto revisions = stored(machinery::kControllerRevisions);
  ASSERT_EQ(revisions.size(), 1u);
  const std::string hash = machinery::string_at(*revisions[0], {"metadata", "labels", kRevisionHashLabel});
  EXPECT_EQ(machinery::name_of(*revisions[0]), "ds-" + hash);
  EXPECT_EQ(machinery::int_or(*revisions[0], {"revision"}, 0), 1);
  EXPECT_EQ(machinery::string_at(*revisions[0], {"metadata", "labels", "app"}), "d");
  for (const auto& p : live_pods()) {
    EXPECT_EQ(machinery::string_at(*p, {"metadata", "labels", kRevisionHashLabel}), hash);
    EXPECT_EQ(machinery::string_at(*p, {"metadata", "annotations", kTemplateGenerationAnnotation}), "1");
    EXPECT_TRUE(machinery::is_controlled_by(*p, "uid-ds"));
    EXPECT_EQ(machinery::string_at(*p, {"spec", "nodeName"}), "");  // the scheduler binds it
  }
  sync();  // status counts the pods once the cache shows them
  auto s = status();
  EXPECT_EQ(machinery::int_or(s, {"desiredNumberScheduled"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"currentNumberScheduled"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"numberReady"}, -1), 0);
  EXPECT_EQ(machinery::int_or(s, {"numberUnavailable"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"updatedNumberScheduled"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"observedGeneration"}, -1), 1);
  // Nothing more to do once the pods are seen.
  EXPECT_EQ(live_pods().size(), 3u);
  run_pods();
  sync();
  s = status();
  EXPECT_EQ(machinery::int_or(s, {"numberReady"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"numberAvailable"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"numberUnavailable"}, -1), 0);
}

TEST_F(DaemonSetSyncTest, NodeSelectorAndTaints) {
  client_->add(machinery::kNodes, make_node("n1", {{"role", "a"}}));
  client_->add(machinery::kNodes, make_node("n2", {{"role", "b"}}));
  client_->add(machinery::kNodes,
               make_node("n3", {{"role", "a"}}, {json::object{{"key", "k"}, {"effect", "NoSchedule"}}}));
  client_->add(machinery::kDaemonSets, make_ds("img:1"));
  start();
  sync();
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"n1", "n2"}));
  run_pods();
  // A NoSchedule taint added later leaves the running pod where it is.
  json::object n2 = *client_->objects().get(machinery::kNodes, "", "n2");
  n2["spec"].as_object()["taints"] = json::array{json::object{{"key", "k"}, {"effect", "NoSchedule"}}};
  client_->objects().update(machinery::kNodes, "", n2);
  sync();
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(machinery::int_or(status(), {"numberMisscheduled"}, -1), 1);
  EXPECT_EQ(machinery::int_or(status(), {"desiredNumberScheduled"}, -1), 1);
  // A node selector that excludes it takes the pod away.
  update_ds([](json::object& ds) {
    ds["spec"].as_object()["template"].as_object()["spec"].as_object()["nodeSelector"] =
        json::object{{"role", "a"}};
  });
  sync();  // the surplus pod goes before anything is replaced
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"n1"}));
}

TEST_F(DaemonSetSyncTest, DeletedNodeLosesItsPod) {
  client_->add(machinery::kNodes, make_node("n1"));
  client_->add(machinery::kNodes, make_node("n2"));
  client_->add(machinery::kDaemonSets, make_ds("img:1"));
  start();
  sync();
  run_pods();
  client_->objects().remove(machinery::kNodes, "", "n2");
  sync();
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"n1"}));
}

TEST_F(DaemonSetSyncTest, RollingUpdateReplacesWithinMaxUnavailable) {
  for (const char* n : {"n1", "n2", "n3"}) client_->add(machinery::kNodes, make_node(n));
  client_->add(machinery::kDaemonSets, make_ds("img:1"));
  start();
  sync();
  run_pods();
  update_ds([](json::object& ds) {
    ds["spec"]
        .as_object()["template"]
        .as_object()["spec"]
        .as_object()["containers"]
        .as_array()[0]
        .as_object()["image"] = "img:2";
  });
  sync();  // one old pod goes (maxUnavailable 1)
  EXPECT_EQ(live_pods().size(), 2u);
  EXPECT_EQ(stored(machinery::kControllerRevisions).size(), 2u);
  for (int round = 0; round < 10; ++round) {
    sync();
    run_pods();
  }
  sync();
  auto pods = live_pods();
  ASSERT_EQ(pods.size(), 3u);
  auto s = status();
  EXPECT_EQ(machinery::int_or(s, {"updatedNumberScheduled"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"numberAvailable"}, -1), 3);
  EXPECT_EQ(machinery::int_or(s, {"observedGeneration"}, -1), 2);
  for (const auto& p : pods)
    EXPECT_EQ(machinery::string_at(p->at("spec").at("containers").as_array()[0].as_object(), {"image"}),
              "img:2");
}

TEST_F(DaemonSetSyncTest, SurgeStartsNewPodBesideOld) {
  client_->add(machinery::kNodes, make_node("n1"));
  client_->add(machinery::kDaemonSets, make_ds("img:1", {{"maxUnavailable", 0}, {"maxSurge", 1}}));
  start();
  sync();
  run_pods();
  update_ds([](json::object& ds) {
    ds["spec"]
        .as_object()["template"]
        .as_object()["spec"]
        .as_object()["containers"]
        .as_array()[0]
        .as_object()["image"] = "img:2";
  });
  sync();
  EXPECT_EQ(live_pods().size(), 2u);  // old and new side by side
  sync();
  EXPECT_EQ(live_pods().size(), 2u);  // the new one is not available yet
  run_pods();
  sync();
  EXPECT_EQ(live_pods().size(), 1u);
  sync();  // status counts what the cache shows after the delete
  EXPECT_EQ(machinery::int_or(status(), {"updatedNumberScheduled"}, -1), 1);
}

TEST_F(DaemonSetSyncTest, OnDeleteLeavesOldPods) {
  client_->add(machinery::kNodes, make_node("n1"));
  json::object ds = make_ds("img:1");
  ds["spec"].as_object()["updateStrategy"] = json::object{{"type", "OnDelete"}};
  client_->add(machinery::kDaemonSets, ds);
  start();
  sync();
  run_pods();
  update_ds([](json::object& d) {
    d["spec"].as_object()["template"].as_object()["metadata"].as_object()["annotations"] =
        json::object{{"v", "2"}};
  });
  sync();
  sync();
  EXPECT_EQ(live_pods().size(), 1u);
  EXPECT_EQ(machinery::int_or(status(), {"updatedNumberScheduled"}, -1), 0);
}

TEST_F(DaemonSetSyncTest, FailedPodIsDeletedWithEvent) {
  client_->add(machinery::kNodes, make_node("n1"));
  client_->add(machinery::kDaemonSets, make_ds("img:1"));
  start();
  sync();
  auto pod = live_pods().at(0);
  json::object failed = *pod;
  failed["status"] = json::object{{"phase", "Failed"}};
  client_->objects().update(machinery::kPods, "default", failed, {}, "status");
  sync();  // deleted, and replaced at once as upstream does
  auto pods = live_pods();
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_NE(machinery::name_of(*pods[0]), machinery::name_of(*pod));
  bool seen = false;
  for (const auto& e : events())
    if (e == "FailedDaemonPod Found failed daemon pod default/" + machinery::name_of(*pod) +
                 " on node n1, will try to kill it")
      seen = true;
  EXPECT_TRUE(seen);
  EXPECT_EQ(pod_nodes(), (std::vector<std::string>{"n1"}));
}

TEST_F(DaemonSetSyncTest, RevisionHistoryLimitTrimsUnusedRevisions) {
  client_->add(machinery::kNodes, make_node("n1"));
  json::object ds = make_ds("img:1");
  ds["spec"].as_object()["revisionHistoryLimit"] = 1;
  ds["spec"].as_object()["updateStrategy"] = json::object{{"type", "OnDelete"}};
  client_->add(machinery::kDaemonSets, ds);
  start();
  for (int v = 2; v <= 4; ++v) {
    sync();
    update_ds([v](json::object& d) {
      d["spec"].as_object()["template"].as_object()["metadata"].as_object()["annotations"] =
          json::object{{"v", std::to_string(v)}};
    });
  }
  sync();
  sync();
  // The current revision, the one the pod still runs, and one more kept by the limit.
  EXPECT_EQ(stored(machinery::kControllerRevisions).size(), 3u);
}

TEST_F(DaemonSetSyncTest, SelectorThatSelectsAllIsRefused) {
  client_->add(machinery::kNodes, make_node("n1"));
  json::object ds = make_ds("img:1");
  ds["spec"].as_object()["selector"] = json::object{};
  client_->add(machinery::kDaemonSets, ds);
  start();
  sync();
  EXPECT_TRUE(live_pods().empty());
  EXPECT_EQ(events(),
            std::vector<std::string>{
                "SelectingAll This daemon set is selecting all pods. A non-empty selector is required."});
}

TEST_F(DaemonSetSyncTest, AdoptsAnOrphanRevisionOfItsTemplate) {
  client_->add(machinery::kNodes, make_node("n1"));
  const json::object ds = make_ds("img:1");
  client_->add(machinery::kDaemonSets, ds);
  // Left behind by an earlier DaemonSet of this name, deleted with --cascade=orphan.
  client_->add(
      machinery::kControllerRevisions,
      json::object{
          {"apiVersion", "apps/v1"},
          {"kind", "ControllerRevision"},
          {"metadata", json::object{{"name", "ds-old"},
                                    {"namespace", "default"},
                                    {"labels", json::object{{"app", "d"}, {kRevisionHashLabel, "old"}}}}},
          {"data", revision_data(ds)},
          {"revision", 5}});
  start();
  sync();
  auto revisions = stored(machinery::kControllerRevisions);
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_TRUE(machinery::is_controlled_by(*revisions[0], "uid-ds"));
  EXPECT_EQ(machinery::int_or(*revisions[0], {"revision"}, 0), 5);
  for (const auto& p : live_pods())
    EXPECT_EQ(machinery::string_at(*p, {"metadata", "labels", kRevisionHashLabel}), "old");
}

}  // namespace
}  // namespace ukube::controllers::daemonset
