#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "controllers/statefulset/stateful_pod.h"
#include "controllers/statefulset/statefulset_controller.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::statefulset {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using machinery::int_or;
using machinery::string_at;

template <class Condition>
bool wait_until(Condition condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

json::object make_set(const std::string& spec_extra = "") {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
      "metadata":{"name":"web","namespace":"default","uid":"uid-web","generation":1},
      "spec":{)" + spec_extra +
                     R"("serviceName":"nginx",
        "selector":{"matchLabels":{"app":"nginx"}},
        "template":{"metadata":{"labels":{"app":"nginx"}},
                    "spec":{"containers":[{"name":"nginx","image":"nginx"}]}}}})")
      .as_object();
}

class StatefulSetSyncTest : public ::testing::Test {
 protected:
  ~StatefulSetSyncTest() override {
    syncer_.reset();
    informers_.shutdown();
  }

  const std::vector<GroupVersionResource>& kinds() {
    static const std::vector<GroupVersionResource> all{machinery::kStatefulSets, machinery::kPods,
                                                       machinery::kControllerRevisions,
                                                       machinery::kPersistentVolumeClaims};
    return all;
  }

  StatefulSetSyncer& start() {
    SyncerOptions options;
    options.client = client_;
    options.sets = informers_.informer(machinery::kStatefulSets);
    options.pods = informers_.informer(machinery::kPods);
    options.revisions = informers_.informer(machinery::kControllerRevisions);
    options.claims = informers_.informer(machinery::kPersistentVolumeClaims);
    options.events = &events_;
    for (const auto& gvr : kinds()) EXPECT_TRUE(informers_.informer(gvr)->wait_for_sync(5s));
    syncer_ = std::make_unique<StatefulSetSyncer>(std::move(options), [](const std::string&) {});
    return *syncer_;
  }

  // Waits until every cache holds what is stored (sync reads the caches), then syncs.
  void sync() {
    ASSERT_TRUE(wait_until([&] {
      for (const auto& gvr : kinds()) {
        auto stored = client_->objects().list(gvr, "").items;
        auto informer = informers_.informer(gvr);
        if (informer->list().size() != stored.size()) return false;
        for (const auto& o : stored) {
          auto cached = informer->get(object_key(*o));
          if (!cached || machinery::meta_string(*cached, "resourceVersion") !=
                             machinery::meta_string(*o, "resourceVersion"))
            return false;
        }
      }
      return true;
    }));
    last_ = syncer_->sync("default/web");
  }

  std::vector<std::string> pod_names() {
    std::vector<std::string> out;
    for (const auto& p : client_->objects().list(machinery::kPods, "default").items)
      out.push_back(machinery::name_of(*p));
    std::sort(out.begin(), out.end());
    return out;
  }
  ObjectPtr pod(const std::string& name) { return client_->objects().get(machinery::kPods, "default", name); }
  json::object stored_set() { return *client_->objects().get(machinery::kStatefulSets, "default", "web"); }
  json::object status() { return machinery::object_or_empty(machinery::object_at(stored_set(), {"status"})); }

  void make_ready(const std::string& name, const std::string& since = "2020-01-01T00:00:00Z") {
    json::object copy = *pod(name);
    copy["status"] = json::object{
        {"phase", "Running"},
        {"conditions",
         json::array{json::object{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", since}}}}};
    client_->objects().update(machinery::kPods, "default", copy, {}, "status");
  }
  void make_all_ready() {
    for (const auto& name : pod_names()) make_ready(name);
  }
  void change_spec(const std::function<void(json::object& spec)>& change) {
    json::object set = stored_set();
    change(set["spec"].as_object());
    client_->objects().update(machinery::kStatefulSets, "default", set);
  }
  void set_image(const std::string& image) {
    change_spec([&](json::object& spec) {
      spec["template"].as_object()["spec"].as_object()["containers"].as_array()[0].as_object()["image"] =
          image;
    });
  }

  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list(machinery::kEvents, "").items)
      out.push_back(string_at(*e, {"reason"}) + " " + string_at(*e, {"message"}));
    return out;
  }
  bool has_event(const std::string& text) {
    auto all = events();
    return std::find(all.begin(), all.end(), text) != all.end();
  }

  // Brings `replicas` pods up in order, each made ready before the next sync.
  void bring_up() {
    for (int i = 0; i < 10; ++i) {
      sync();
      make_all_ready();
    }
    sync();
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  controller::EventRecorder events_{event_client_, [] {
                                      controller::RecorderSettings settings;
                                      settings.source.component = "statefulset-controller";
                                      return settings;
                                    }()};
  std::unique_ptr<StatefulSetSyncer> syncer_;
  controller::Result last_;
};

TEST_F(StatefulSetSyncTest, OrderedReadyCreatesOnePodAtATimeInOrder) {
  client_->add(machinery::kStatefulSets, make_set(R"("replicas":3,)"));
  start();
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0"}));
  sync();  // web-0 is not ready: nothing more
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0"}));
  make_ready("web-0");
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-1"}));
  make_ready("web-1");
  sync();
  make_ready("web-2");
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-1", "web-2"}));
  auto s = status();
  EXPECT_EQ(int_or(s, {"replicas"}, 0), 3);
  EXPECT_EQ(int_or(s, {"readyReplicas"}, 0), 3);
  EXPECT_EQ(int_or(s, {"availableReplicas"}, 0), 3);
  EXPECT_EQ(int_or(s, {"updatedReplicas"}, 0), 3);
  EXPECT_EQ(int_or(s, {"currentReplicas"}, 0), 3);
  EXPECT_EQ(int_or(s, {"observedGeneration"}, 0), 1);
  EXPECT_EQ(int_or(s, {"collisionCount"}, -1), 0);
  EXPECT_NE(string_at(s, {"updateRevision"}), "");
  EXPECT_EQ(string_at(s, {"currentRevision"}), string_at(s, {"updateRevision"}));
  EXPECT_EQ(string_at(*pod("web-1"), {"metadata", "labels", kRevisionLabel}),
            string_at(s, {"updateRevision"}));
  EXPECT_EQ(client_->objects().list(machinery::kControllerRevisions, "default").items.size(), 1u);
  EXPECT_TRUE(has_event("SuccessfulCreate create Pod web-0 in StatefulSet web successful"));
}

TEST_F(StatefulSetSyncTest, OrderedReadyWaitsForMinReadySeconds) {
  client_->add(machinery::kStatefulSets, make_set(R"("replicas":2,"minReadySeconds":30,)"));
  start();
  sync();
  make_ready("web-0", machinery::now_rfc3339());
  sync();
  // Ready, but not for 30s yet: web-1 waits, and the set is looked at again by then.
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0"}));
  EXPECT_EQ(last_.next, controller::Result::Next::RequeueAfter);
  EXPECT_LE(last_.after, std::chrono::milliseconds(30s));
  EXPECT_EQ(int_or(status(), {"readyReplicas"}, 0), 1);
  EXPECT_EQ(int_or(status(), {"availableReplicas"}, 0), 0);
  make_ready("web-0");  // ready long ago
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-1"}));
}

TEST_F(StatefulSetSyncTest, ParallelCreatesAllAtOnceAndHonoursOrdinalsStart) {
  client_->add(machinery::kStatefulSets,
               make_set(R"("replicas":3,"podManagementPolicy":"Parallel","ordinals":{"start":5},)"));
  start();
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-5", "web-6", "web-7"}));
  EXPECT_EQ(string_at(*pod("web-6"), {"metadata", "labels", kPodIndexLabel}), "6");
}

TEST_F(StatefulSetSyncTest, ScaleDownRemovesTheHighestOrdinalFirstOneAtATime) {
  client_->add(machinery::kStatefulSets, make_set(R"("replicas":3,)"));
  start();
  bring_up();
  ASSERT_EQ(pod_names().size(), 3u);
  change_spec([](json::object& spec) { spec["replicas"] = 1; });
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-1"}));
  EXPECT_TRUE(has_event("SuccessfulDelete delete Pod web-2 in StatefulSet web successful"));
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0"}));
  sync();
  EXPECT_EQ(int_or(status(), {"replicas"}, 0), 1);
}

TEST_F(StatefulSetSyncTest, RollingUpdateGoesFromTheTopAndStopsAtThePartition) {
  client_->add(
      machinery::kStatefulSets,
      make_set(R"("replicas":3,"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}},)"));
  start();
  bring_up();
  const std::string old_revision = string_at(status(), {"currentRevision"});
  set_image("nginx:2");
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-1"}));  // web-2 deleted
  sync();                                                                // and made again at the new revision
  const std::string update_revision = string_at(status(), {"updateRevision"});
  EXPECT_NE(update_revision, old_revision);
  EXPECT_EQ(string_at(*pod("web-2"), {"metadata", "labels", kRevisionLabel}), update_revision);
  EXPECT_EQ(
      machinery::array_at(*pod("web-2"), {"spec", "containers"})->at(0).as_object().at("image").as_string(),
      "nginx:2");
  sync();  // web-2 not ready yet: web-1 waits (it is below the partition anyway)
  make_ready("web-2");
  sync();
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-1", "web-2"}));
  EXPECT_EQ(string_at(*pod("web-1"), {"metadata", "labels", kRevisionLabel}), old_revision);
  auto s = status();
  EXPECT_EQ(int_or(s, {"updatedReplicas"}, 0), 1);
  EXPECT_EQ(int_or(s, {"currentReplicas"}, 0), 2);
  EXPECT_EQ(string_at(s, {"currentRevision"}), old_revision);
  // Lowering the partition to 0 rolls the rest, web-1 before web-0.
  change_spec([](json::object& spec) {
    spec["updateStrategy"].as_object()["rollingUpdate"].as_object()["partition"] = 0;
  });
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-2"}));
  sync();
  make_ready("web-1");
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-1", "web-2"}));
  sync();
  make_ready("web-0");
  sync();
  sync();
  s = status();
  EXPECT_EQ(int_or(s, {"updatedReplicas"}, 0), 3);
  EXPECT_EQ(string_at(s, {"currentRevision"}), update_revision);
  EXPECT_EQ(client_->objects().list(machinery::kControllerRevisions, "default").items.size(), 2u);
}

TEST_F(StatefulSetSyncTest, OnDeleteLeavesOldPodsAlone) {
  client_->add(machinery::kStatefulSets, make_set(R"("replicas":2,"updateStrategy":{"type":"OnDelete"},)"));
  start();
  bring_up();
  const std::string old_revision = string_at(status(), {"currentRevision"});
  set_image("nginx:2");
  sync();
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0", "web-1"}));
  EXPECT_EQ(string_at(*pod("web-1"), {"metadata", "labels", kRevisionLabel}), old_revision);
  client_->objects().remove(machinery::kPods, "default", "web-1");
  sync();
  EXPECT_NE(string_at(*pod("web-1"), {"metadata", "labels", kRevisionLabel}), old_revision);
}

TEST_F(StatefulSetSyncTest, FailedPodsAreDeletedAndMadeAgain) {
  client_->add(machinery::kStatefulSets, make_set(R"("replicas":1,)"));
  start();
  bring_up();
  const std::string uid = machinery::uid_of(*pod("web-0"));
  json::object copy = *pod("web-0");
  copy["status"] = json::object{{"phase", "Failed"}};
  client_->objects().update(machinery::kPods, "default", copy, {}, "status");
  sync();
  EXPECT_TRUE(pod_names().empty());
  EXPECT_TRUE(has_event("RecreatingFailedPod StatefulSet default/web is recreating failed Pod web-0"));
  sync();
  ASSERT_EQ(pod_names(), (std::vector<std::string>{"web-0"}));
  EXPECT_NE(machinery::uid_of(*pod("web-0")), uid);
}

TEST_F(StatefulSetSyncTest, ClaimsAreMadeBeforeThePodAndFollowTheRetentionPolicy) {
  json::object set = make_set(
      R"("replicas":2,"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Delete"},)");
  set["spec"].as_object()["volumeClaimTemplates"] =
      json::parse(R"([{"metadata":{"name":"www"},"spec":{"accessModes":["ReadWriteOnce"]}}])");
  client_->add(machinery::kStatefulSets, set);
  start();
  bring_up();
  auto claim = [&](const char* name) {
    return client_->objects().get(machinery::kPersistentVolumeClaims, "default", name);
  };
  ASSERT_TRUE(claim("www-web-0"));
  ASSERT_TRUE(claim("www-web-1"));
  EXPECT_EQ(string_at(*claim("www-web-0"), {"metadata", "labels", "app"}), "nginx");
  EXPECT_FALSE(machinery::array_at(*claim("www-web-0"), {"metadata", "ownerReferences"}));
  EXPECT_TRUE(has_event("SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success"));
  const std::string pod_uid = machinery::uid_of(*pod("web-1"));
  change_spec([](json::object& spec) { spec["replicas"] = 1; });
  sync();
  // Scaled away: the claim now belongs to the pod, for the garbage collector.
  const auto* refs = machinery::array_at(*claim("www-web-1"), {"metadata", "ownerReferences"});
  ASSERT_TRUE(refs);
  EXPECT_EQ(string_at(refs->at(0).as_object(), {"uid"}), pod_uid);
}

TEST_F(StatefulSetSyncTest, OrphanedRevisionsAndPodsAreAdopted) {
  client_->add(machinery::kStatefulSets, make_set(R"("replicas":1,)"));
  start();
  bring_up();
  // As after `kubectl delete sts web --cascade=orphan` and a new set of the same name.
  const std::string revision = string_at(status(), {"updateRevision"});
  for (const auto& gvr : {machinery::kPods, machinery::kControllerRevisions})
    for (const auto& o : client_->objects().list(gvr, "default").items) {
      json::object copy = *o;
      copy["metadata"].as_object().erase("ownerReferences");
      if (gvr == machinery::kPods) copy["metadata"].as_object()["labels"].as_object().erase(kPodIndexLabel);
      client_->objects().update(gvr, "default", copy);
    }
  client_->objects().remove(machinery::kStatefulSets, "default", "web");
  json::object again = make_set(R"("replicas":1,)");
  again["metadata"].as_object()["uid"] = "uid-web-2";
  client_->add(machinery::kStatefulSets, again);
  sync();
  sync();
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"web-0"}));
  EXPECT_TRUE(machinery::is_controlled_by(*pod("web-0"), "uid-web-2"));
  EXPECT_EQ(string_at(*pod("web-0"), {"metadata", "labels", kPodIndexLabel}), "0");
  auto revisions = client_->objects().list(machinery::kControllerRevisions, "default").items;
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(machinery::name_of(*revisions[0]), revision);
  EXPECT_TRUE(machinery::is_controlled_by(*revisions[0], "uid-web-2"));
  EXPECT_EQ(string_at(status(), {"updateRevision"}), revision);
}

TEST_F(StatefulSetSyncTest, RevisionHistoryIsTrimmedToTheLimit) {
  client_->add(machinery::kStatefulSets, make_set(R"("replicas":1,"revisionHistoryLimit":1,)"));
  start();
  bring_up();
  for (const char* image : {"nginx:2", "nginx:3", "nginx:4"}) {
    set_image(image);
    bring_up();
  }
  // The live revision and one of history.
  EXPECT_EQ(client_->objects().list(machinery::kControllerRevisions, "default").items.size(), 2u);
}

}  // namespace
}  // namespace ukube::controllers::statefulset
