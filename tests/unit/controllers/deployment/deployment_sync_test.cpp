#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <boost/json.hpp>

#include "controllers/deployment/deployment_controller.h"
#include "controllers/deployment/deployment_util.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::deployment {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const machinery::Clock::time_point kSyncNow = *machinery::parse_time("2024-05-01T12:00:00Z");

template <class Condition>
bool wait_until(Condition condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

json::object pod_template(const std::string& image) {
  return json::object{
      {"metadata", json::object{{"labels", json::object{{"app", "web"}}}}},
      {"spec", json::object{{"containers", json::array{json::object{{"name", "web"}, {"image", image}}}}}}};
}

json::object make_deployment(int64_t replicas, const std::string& image,
                             const std::string& strategy = "RollingUpdate") {
  json::object strategy_object{{"type", strategy}};
  if (strategy == "RollingUpdate")
    strategy_object["rollingUpdate"] = json::object{{"maxSurge", "25%"}, {"maxUnavailable", "25%"}};
  return json::object{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       json::object{{"name", "web"}, {"namespace", "default"}, {"uid", "uid-web"}, {"generation", 1}}},
      {"spec", json::object{{"replicas", replicas},
                            {"selector", json::object{{"matchLabels", json::object{{"app", "web"}}}}},
                            {"template", pod_template(image)},
                            {"strategy", strategy_object},
                            {"revisionHistoryLimit", 10},
                            {"progressDeadlineSeconds", 600}}}};
}

// A ReplicaSet the deployment made earlier, for template `image`.
json::object make_old_rs(const std::string& name, const std::string& image, int64_t replicas,
                         int64_t available, int64_t revision) {
  json::object tmpl = pod_template(image);
  tmpl["metadata"].as_object()["labels"].as_object()["pod-template-hash"] = name;
  return json::object{
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata",
       json::object{{"name", "web-" + name},
                    {"namespace", "default"},
                    {"uid", "rs-" + name},
                    {"creationTimestamp", "2024-01-01T00:00:0" + std::to_string(revision) + "Z"},
                    {"labels", json::object{{"app", "web"}, {"pod-template-hash", name}}},
                    {"annotations", json::object{{kRevisionAnnotation, std::to_string(revision)}}},
                    {"ownerReferences", json::array{json::object{{"apiVersion", "apps/v1"},
                                                                 {"kind", "Deployment"},
                                                                 {"name", "web"},
                                                                 {"uid", "uid-web"},
                                                                 {"controller", true},
                                                                 {"blockOwnerDeletion", true}}}}}},
      {"spec",
       json::object{{"replicas", replicas},
                    {"selector", json::object{{"matchLabels",
                                               json::object{{"app", "web"}, {"pod-template-hash", name}}}}},
                    {"template", tmpl}}},
      {"status", json::object{{"replicas", replicas},
                              {"readyReplicas", available},
                              {"availableReplicas", available},
                              {"observedGeneration", 1}}}};
}

controller::RecorderSettings deployment_recorder() {
  controller::RecorderSettings settings;
  settings.source.component = "deployment-controller";
  return settings;
}

class DeploymentSyncTest : public ::testing::Test {
 protected:
  ~DeploymentSyncTest() override {
    syncer_.reset();
    informers_.shutdown();
  }

  DeploymentSyncer& start() {
    DeploymentSyncerOptions options;
    options.client = client_;
    options.deployments = informers_.informer(machinery::kDeployments);
    options.replica_sets = informers_.informer(machinery::kReplicaSets);
    options.pods = informers_.informer(machinery::kPods);
    options.events = &events_;
    options.now = [] { return kSyncNow; };
    EXPECT_TRUE(options.deployments->wait_for_sync(5s));
    EXPECT_TRUE(options.replica_sets->wait_for_sync(5s));
    EXPECT_TRUE(options.pods->wait_for_sync(5s));
    syncer_ =
        std::make_unique<DeploymentSyncer>(std::move(options), DeploymentQueue{[](const std::string&) {}});
    return *syncer_;
  }

  std::vector<ObjectPtr> stored_sets() {
    auto items = client_->objects().list(machinery::kReplicaSets, "default").items;
    std::sort(items.begin(), items.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      return machinery::name_of(*a) < machinery::name_of(*b);
    });
    return items;
  }
  ObjectPtr stored_deployment() { return client_->objects().get(machinery::kDeployments, "default", "web"); }

  // Waits until the caches hold what is stored (sync reads the caches).
  void settle() {
    auto rs_informer = informers_.informer(machinery::kReplicaSets);
    auto d_informer = informers_.informer(machinery::kDeployments);
    ASSERT_TRUE(wait_until([&] {
      auto stored = stored_sets();
      if (rs_informer->list().size() != stored.size()) return false;
      for (const auto& rs : stored) {
        auto cached = rs_informer->get("default/" + machinery::name_of(*rs));
        if (!cached || machinery::meta_string(*cached, "resourceVersion") !=
                           machinery::meta_string(*rs, "resourceVersion"))
          return false;
      }
      auto d = stored_deployment();
      auto cached = d_informer->get("default/web");
      return !d || (cached && machinery::meta_string(*cached, "resourceVersion") ==
                                  machinery::meta_string(*d, "resourceVersion"));
    }));
  }

  // Stands in for the ReplicaSet controller: status.replicas and availability follow spec.
  void make_sets_available() {
    for (const auto& rs : stored_sets()) {
      json::object copy = *rs;
      const int64_t replicas = machinery::int_or(copy, {"spec", "replicas"}, 0);
      copy["status"] =
          json::object{{"replicas", replicas},
                       {"readyReplicas", replicas},
                       {"availableReplicas", replicas},
                       {"observedGeneration", machinery::int_or(copy, {"metadata", "generation"}, 1)}};
      client_->objects().update(machinery::kReplicaSets, "default", copy, {}, "status");
    }
  }

  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list({"", "v1", "events"}, "").items)
      out.push_back(machinery::string_at(*e, {"reason"}) + " " + machinery::string_at(*e, {"message"}));
    return out;
  }

  std::string condition_reason(const char* type) {
    auto d = stored_deployment();
    if (const auto* conditions = machinery::array_at(*d, {"status", "conditions"}))
      for (const auto& c : *conditions)
        if (machinery::string_at(c.as_object(), {"type"}) == type)
          return machinery::string_at(c.as_object(), {"status"}) + "/" +
                 machinery::string_at(c.as_object(), {"reason"});
    return "";
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  controller::EventRecorder events_{event_client_, deployment_recorder()};
  std::unique_ptr<DeploymentSyncer> syncer_;
};

int64_t spec_replicas(const ObjectPtr& rs) {
  return machinery::int_or(*rs, {"spec", "replicas"}, -1);
}

TEST_F(DeploymentSyncTest, CreatesNewReplicaSetWithHashAndAnnotations) {
  client_->add(machinery::kDeployments, make_deployment(3, "nginx:1"));
  start().sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(sets.size(), 1u);
  const json::object& rs = *sets[0];
  const std::string hash = pod_template_hash(pod_template("nginx:1"), std::nullopt);
  EXPECT_EQ(machinery::name_of(rs), "web-" + hash);
  EXPECT_EQ(machinery::string_at(rs, {"metadata", "labels", "pod-template-hash"}), hash);
  EXPECT_EQ(machinery::string_at(rs, {"spec", "selector", "matchLabels", "pod-template-hash"}), hash);
  EXPECT_EQ(machinery::string_at(rs, {"spec", "template", "metadata", "labels", "pod-template-hash"}), hash);
  EXPECT_EQ(machinery::string_at(rs, {"metadata", "annotations", kRevisionAnnotation}), "1");
  EXPECT_EQ(machinery::string_at(rs, {"metadata", "annotations", kDesiredReplicasAnnotation}), "3");
  EXPECT_EQ(machinery::string_at(rs, {"metadata", "annotations", kMaxReplicasAnnotation}), "4");
  EXPECT_EQ(spec_replicas(sets[0]), 3);
  EXPECT_EQ(machinery::string_at(*machinery::controller_of(rs), {"uid"}), "uid-web");
  EXPECT_EQ(machinery::string_at(*stored_deployment(), {"metadata", "annotations", kRevisionAnnotation}),
            "1");
  EXPECT_EQ(condition_reason("Progressing"), "True/NewReplicaSetCreated");
  EXPECT_EQ(condition_reason("Available"), "False/MinimumReplicasUnavailable");
  EXPECT_EQ(events(),
            std::vector<std::string>{"ScalingReplicaSet Scaled up replica set web-" + hash + " from 0 to 3"});

  // Once its pods are available the rollout is complete.
  settle();
  make_sets_available();
  settle();
  syncer_->sync("default/web");
  auto d = stored_deployment();
  EXPECT_EQ(machinery::int_or(*d, {"status", "availableReplicas"}, 0), 3);
  EXPECT_EQ(machinery::int_or(*d, {"status", "updatedReplicas"}, 0), 3);
  EXPECT_EQ(machinery::int_or(*d, {"status", "observedGeneration"}, 0), 1);
  EXPECT_EQ(condition_reason("Available"), "True/MinimumReplicasAvailable");
  EXPECT_EQ(condition_reason("Progressing"), "True/NewReplicaSetAvailable");
}

TEST_F(DeploymentSyncTest, RollingUpdateSurgesThenScalesDownOld) {
  // 4 replicas, 25%: surge 1, unavailable 1.
  client_->add(machinery::kDeployments, make_deployment(4, "nginx:2"));
  client_->add(machinery::kReplicaSets, make_old_rs("old", "nginx:1", 4, 4, 1));
  start().sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(sets.size(), 2u);
  ObjectPtr new_rs = machinery::name_of(*sets[0]) == "web-old" ? sets[1] : sets[0];
  ObjectPtr old_rs = machinery::name_of(*sets[0]) == "web-old" ? sets[0] : sets[1];
  EXPECT_EQ(spec_replicas(new_rs), 1);  // 5 allowed, 4 running
  EXPECT_EQ(spec_replicas(old_rs), 3);  // 5 running, 3 must stay available, 1 new one unavailable
  EXPECT_EQ(machinery::string_at(*new_rs, {"metadata", "annotations", kRevisionAnnotation}), "2");

  // Next sync: the new one is not available yet; old may lose 1 (minAvailable 3 of 4 available).
  settle();
  syncer_->sync("default/web");
  sets = stored_sets();
  for (const auto& rs : sets) {
    if (machinery::name_of(*rs) == "web-old") {
      EXPECT_EQ(spec_replicas(rs), 3);
    }
  }
  auto ev = events();
  EXPECT_NE(std::find(ev.begin(), ev.end(), "ScalingReplicaSet Scaled down replica set web-old from 4 to 3"),
            ev.end());

  // Run the rollout to the end, the ReplicaSet controller making pods available each time.
  for (int i = 0; i < 12; ++i) {
    settle();
    make_sets_available();
    settle();
    syncer_->sync("default/web");
  }
  for (const auto& rs : stored_sets())
    EXPECT_EQ(spec_replicas(rs), machinery::name_of(*rs) == "web-old" ? 0 : 4) << machinery::name_of(*rs);
  EXPECT_EQ(condition_reason("Progressing"), "True/NewReplicaSetAvailable");
}

TEST_F(DeploymentSyncTest, RecreateScalesOldToZeroBeforeCreatingNew) {
  client_->add(machinery::kDeployments, make_deployment(3, "nginx:2", "Recreate"));
  client_->add(machinery::kReplicaSets, make_old_rs("old", "nginx:1", 3, 3, 1));
  start().sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(sets.size(), 1u);  // no new ReplicaSet while old pods run
  EXPECT_EQ(spec_replicas(sets[0]), 0);
  settle();
  syncer_->sync("default/web");
  EXPECT_EQ(stored_sets().size(), 1u);  // status still reports 3 old replicas
  make_sets_available();                // old pods gone
  settle();
  syncer_->sync("default/web");
  sets = stored_sets();
  ASSERT_EQ(sets.size(), 2u);
  for (const auto& rs : sets) EXPECT_EQ(spec_replicas(rs), machinery::name_of(*rs) == "web-old" ? 0 : 3);
}

TEST_F(DeploymentSyncTest, CleansUpOldReplicaSetsBeyondHistoryLimit) {
  json::object d = make_deployment(2, "nginx:4");
  d["spec"].as_object()["revisionHistoryLimit"] = 1;
  // Cleanup waits for a complete rollout.
  d["status"] = json::object{
      {"observedGeneration", 1}, {"replicas", 2}, {"updatedReplicas", 2}, {"availableReplicas", 2}};
  client_->add(machinery::kDeployments, d);
  client_->add(machinery::kReplicaSets, make_old_rs("a", "nginx:1", 0, 0, 1));
  client_->add(machinery::kReplicaSets, make_old_rs("b", "nginx:2", 0, 0, 2));
  client_->add(machinery::kReplicaSets, make_old_rs("c", "nginx:3", 0, 0, 3));
  json::object current = make_old_rs("d", "nginx:4", 2, 2, 4);
  current["metadata"].as_object()["annotations"].as_object()[kDesiredReplicasAnnotation] = "2";
  current["metadata"].as_object()["annotations"].as_object()[kMaxReplicasAnnotation] = "3";
  client_->add(machinery::kReplicaSets, current);
  start().sync("default/web");
  std::vector<std::string> names;
  for (const auto& rs : stored_sets()) names.push_back(machinery::name_of(*rs));
  EXPECT_EQ(names, (std::vector<std::string>{"web-c", "web-d"}));
}

TEST_F(DeploymentSyncTest, RollbackReusesOldReplicaSetWithNewRevision) {
  client_->add(machinery::kDeployments, make_deployment(2, "nginx:1"));
  client_->add(machinery::kReplicaSets, make_old_rs("a", "nginx:1", 0, 0, 1));
  client_->add(machinery::kReplicaSets, make_old_rs("b", "nginx:2", 2, 2, 2));
  start().sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(machinery::string_at(*sets[0], {"metadata", "annotations", kRevisionAnnotation}), "3");
  EXPECT_EQ(machinery::string_at(*sets[0], {"metadata", "annotations", kRevisionHistoryAnnotation}), "1");
  EXPECT_EQ(spec_replicas(sets[0]), 1);  // surge 1 of 2
}

TEST_F(DeploymentSyncTest, PausedDeploymentScalesWithoutRollout) {
  json::object d = make_deployment(5, "nginx:2");
  d["spec"].as_object()["paused"] = true;
  client_->add(machinery::kDeployments, d);
  json::object old = make_old_rs("old", "nginx:1", 3, 3, 1);
  old["metadata"].as_object()["annotations"].as_object()[kDesiredReplicasAnnotation] = "3";
  client_->add(machinery::kReplicaSets, old);
  start().sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(spec_replicas(sets[0]), 5);
  EXPECT_EQ(condition_reason("Progressing"), "Unknown/DeploymentPaused");
}

TEST_F(DeploymentSyncTest, ProgressDeadlineExceeded) {
  json::object d = make_deployment(2, "nginx:1");
  d["status"] =
      json::object{{"observedGeneration", 1},
                   {"replicas", 2},
                   {"updatedReplicas", 2},
                   {"unavailableReplicas", 2},
                   {"conditions", json::array{json::object{{"type", "Progressing"},
                                                           {"status", "True"},
                                                           {"reason", "ReplicaSetUpdated"},
                                                           {"lastUpdateTime", "2024-05-01T11:00:00Z"},
                                                           {"lastTransitionTime", "2024-05-01T11:00:00Z"}}}}};
  client_->add(machinery::kDeployments, d);
  json::object current = make_old_rs("a", "nginx:1", 2, 0, 1);
  current["metadata"].as_object()["annotations"].as_object()[kDesiredReplicasAnnotation] = "2";
  current["metadata"].as_object()["annotations"].as_object()[kMaxReplicasAnnotation] = "3";
  client_->add(machinery::kReplicaSets, current);
  start().sync("default/web");
  EXPECT_EQ(condition_reason("Progressing"), "False/ProgressDeadlineExceeded");
}

// Two active ReplicaSets of a rollout under way, sized for 10 replicas with maxSurge 3.
void add_mid_rollout(testing::FakeClient& client, int64_t replicas) {
  json::object d = make_deployment(replicas, "nginx:2");
  d["spec"].as_object()["strategy"].as_object()["rollingUpdate"] =
      json::object{{"maxSurge", 3}, {"maxUnavailable", 0}};
  client.add(machinery::kDeployments, d);
  for (auto [name, image, size, revision] :
       {std::tuple{"old", "nginx:1", 8, 1}, std::tuple{"new", "nginx:2", 5, 2}}) {
    json::object rs = make_old_rs(name, image, size, size, revision);
    auto& annotations = rs["metadata"].as_object()["annotations"].as_object();
    annotations[kDesiredReplicasAnnotation] = "10";
    annotations[kMaxReplicasAnnotation] = "13";
    client.add(machinery::kReplicaSets, rs);
  }
}

int64_t replicas_of_set(const std::vector<ObjectPtr>& sets, const std::string& name) {
  for (const auto& rs : sets)
    if (machinery::name_of(*rs) == name) return machinery::int_or(*rs, {"spec", "replicas"}, -1);
  return -1;
}

TEST_F(DeploymentSyncTest, ProportionalScaleUpDuringRollout) {
  add_mid_rollout(*client_, 20);  // 23 allowed: 10 more, shared by size
  start().sync("default/web");
  auto sets = stored_sets();
  EXPECT_EQ(replicas_of_set(sets, "web-old"), 14);  // round(8*23/13) = 14
  EXPECT_EQ(replicas_of_set(sets, "web-new"), 9);   // round(5*23/13) = 9
  for (const auto& rs : sets) {
    EXPECT_EQ(machinery::string_at(*rs, {"metadata", "annotations", kDesiredReplicasAnnotation}), "20");
    EXPECT_EQ(machinery::string_at(*rs, {"metadata", "annotations", kMaxReplicasAnnotation}), "23");
  }
}

TEST_F(DeploymentSyncTest, ProportionalScaleDownDuringRollout) {
  add_mid_rollout(*client_, 5);  // 8 allowed: 5 fewer
  start().sync("default/web");
  auto sets = stored_sets();
  EXPECT_EQ(replicas_of_set(sets, "web-old"), 5);  // round(8*8/13) = 5
  EXPECT_EQ(replicas_of_set(sets, "web-new"), 3);  // round(5*8/13) = 3
}

TEST_F(DeploymentSyncTest, RestartAnnotationStartsANewReplicaSet) {
  json::object d = make_deployment(2, "nginx:1");
  d["spec"].as_object()["template"].as_object()["metadata"].as_object()["annotations"] =
      json::object{{"kubectl.kubernetes.io/restartedAt", "2024-05-01T11:59:00Z"}};
  client_->add(machinery::kDeployments, d);
  client_->add(machinery::kReplicaSets, make_old_rs("a", "nginx:1", 2, 2, 1));
  start().sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(sets.size(), 2u);
  for (const auto& rs : sets) {
    if (machinery::name_of(*rs) != "web-a") {
      EXPECT_EQ(machinery::string_at(*rs, {"metadata", "annotations", kRevisionAnnotation}), "2");
    }
  }
}

TEST_F(DeploymentSyncTest, ResumedDeploymentSaysSo) {
  json::object d = make_deployment(2, "nginx:1");
  d["status"] =
      json::object{{"conditions", json::array{json::object{{"type", "Progressing"},
                                                           {"status", "Unknown"},
                                                           {"reason", "DeploymentPaused"},
                                                           {"lastUpdateTime", "2024-05-01T11:00:00Z"},
                                                           {"lastTransitionTime", "2024-05-01T11:00:00Z"}}}}};
  client_->add(machinery::kDeployments, d);
  start().sync("default/web");
  // Resumed, then the rollout creates the first ReplicaSet.
  EXPECT_EQ(condition_reason("Progressing"), "True/NewReplicaSetCreated");
  EXPECT_EQ(stored_sets().size(), 1u);
}

TEST_F(DeploymentSyncTest, RecreateWaitsForOldPodsToGo) {
  client_->add(machinery::kDeployments, make_deployment(3, "nginx:2", "Recreate"));
  client_->add(machinery::kReplicaSets, make_old_rs("old", "nginx:1", 0, 0, 1));
  auto pod = [](const std::string& name, const std::string& phase) {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", name},
                                  {"namespace", "default"},
                                  {"labels", json::object{{"app", "web"}, {"pod-template-hash", "old"}}},
                                  {"ownerReferences", json::array{json::object{{"apiVersion", "apps/v1"},
                                                                               {"kind", "ReplicaSet"},
                                                                               {"name", "web-old"},
                                                                               {"uid", "rs-old"},
                                                                               {"controller", true}}}}}},
        {"status", json::object{{"phase", phase}}}};
  };
  client_->add(machinery::kPods, pod("done", "Succeeded"));
  client_->add(machinery::kPods, pod("lingering", "Running"));
  start();
  auto pods = informers_.informer(machinery::kPods);
  ASSERT_TRUE(wait_until([&] { return pods->list().size() == 2; }));
  syncer_->sync("default/web");
  EXPECT_EQ(stored_sets().size(), 1u);  // a pod of the old ReplicaSet still runs

  client_->objects().remove(machinery::kPods, "default", "lingering");
  ASSERT_TRUE(wait_until([&] { return pods->list().size() == 1; }));
  settle();  // the first sync wrote the Deployment's status: sync from what it wrote
  syncer_->sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(replicas_of_set(sets, "web-old"), 0);
}

TEST_F(DeploymentSyncTest, ReplicaFailureOfTheNewReplicaSetShows) {
  client_->add(machinery::kDeployments, make_deployment(2, "nginx:1"));
  json::object rs = make_old_rs("a", "nginx:1", 2, 0, 1);
  auto& annotations = rs["metadata"].as_object()["annotations"].as_object();
  annotations[kDesiredReplicasAnnotation] = "2";
  annotations[kMaxReplicasAnnotation] = "3";
  rs["status"].as_object()["replicas"] = 0;
  rs["status"].as_object()["conditions"] = json::array{json::object{{"type", "ReplicaFailure"},
                                                                    {"status", "True"},
                                                                    {"reason", "FailedCreate"},
                                                                    {"message", "quota exceeded"}}};
  client_->add(machinery::kReplicaSets, rs);
  start().sync("default/web");
  EXPECT_EQ(condition_reason("ReplicaFailure"), "True/FailedCreate");
}

TEST_F(DeploymentSyncTest, FailedCreateIsReportedOnTheDeployment) {
  client_->add(machinery::kDeployments, make_deployment(2, "nginx:1"));
  client_->prepend_reactor("create", "replicasets", testing::fail_with(ApiError::internal("boom")));
  EXPECT_ANY_THROW(start().sync("default/web"));
  EXPECT_EQ(condition_reason("Progressing"), "False/ReplicaSetCreateError");
  auto ev = events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].rfind("ReplicaSetCreateError Failed to create new replica set \"web-", 0), 0u) << ev[0];
}

TEST_F(DeploymentSyncTest, SecondRollbackKeepsTheRevisionHistory) {
  client_->add(machinery::kDeployments, make_deployment(2, "nginx:1"));
  json::object a = make_old_rs("a", "nginx:1", 0, 0, 3);
  a["metadata"].as_object()["annotations"].as_object()[kRevisionHistoryAnnotation] = "1";
  client_->add(machinery::kReplicaSets, a);
  client_->add(machinery::kReplicaSets, make_old_rs("b", "nginx:2", 2, 2, 4));
  start().sync("default/web");
  auto sets = stored_sets();
  ASSERT_EQ(machinery::name_of(*sets[0]), "web-a");
  EXPECT_EQ(machinery::string_at(*sets[0], {"metadata", "annotations", kRevisionAnnotation}), "5");
  EXPECT_EQ(machinery::string_at(*sets[0], {"metadata", "annotations", kRevisionHistoryAnnotation}), "1,3");
  EXPECT_EQ(machinery::string_at(*stored_deployment(), {"metadata", "annotations", kRevisionAnnotation}),
            "5");
}

TEST(DeploymentConditions, SetKeepsTransitionTimeWhenStatusUnchanged) {
  json::object status{
      {"conditions",
       json::array{json::object{
           {"type", "Progressing"}, {"status", "True"}, {"reason", "A"}, {"lastTransitionTime", "t0"}}}}};
  set_deployment_condition(
      status,
      json::object{
          {"type", "Progressing"}, {"status", "True"}, {"reason", "B"}, {"lastTransitionTime", "t1"}});
  EXPECT_EQ(machinery::string_at(status["conditions"].as_array()[0].as_object(), {"lastTransitionTime"}),
            "t0");
  EXPECT_EQ(machinery::string_at(status["conditions"].as_array()[0].as_object(), {"reason"}), "B");
  set_deployment_condition(
      status,
      json::object{
          {"type", "Progressing"}, {"status", "False"}, {"reason", "C"}, {"lastTransitionTime", "t2"}});
  EXPECT_EQ(machinery::string_at(status["conditions"].as_array()[0].as_object(), {"lastTransitionTime"}),
            "t2");
  EXPECT_EQ(status["conditions"].as_array().size(), 1u);
}

}  // namespace
}  // namespace ukube::controllers::deployment
