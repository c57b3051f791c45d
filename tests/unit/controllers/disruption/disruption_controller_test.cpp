// The disruption controller synced by hand against a FakeClient whose objects its caches
// list, with the clock set by the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "controllers/disruption/disruption_controller.h"
#include "controllers/disruption/expected_pods.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::disruption {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using controller::Result;

const Clock::time_point kNow = machinery::parse_time("2026-03-01T12:00:00Z").value();

json::object owner_ref(const std::string& api_version, const std::string& kind, const std::string& name) {
  return json::object{{"apiVersion", api_version},
                      {"kind", kind},
                      {"name", name},
                      {"uid", "uid-" + name},
                      {"controller", true}};
}

// A pod of app=web, Ready unless told otherwise, controlled by `owner` when given.
json::object pod(const std::string& name, bool ready = true, const json::object* owner = nullptr) {
  json::object p{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", json::object{{"name", name},
                                {"namespace", "default"},
                                {"uid", "uid-" + name},
                                {"labels", json::object{{"app", "web"}}}}},
      {"status",
       json::object{{"phase", "Running"},
                    {"conditions",
                     json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
  if (owner) p["metadata"].as_object()["ownerReferences"] = json::array{*owner};
  return p;
}

json::object workload(const std::string& kind, const std::string& name, int64_t replicas,
                      const json::object* owner = nullptr) {
  json::object w{{"metadata", json::object{{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
                 {"spec", json::object{{"replicas", replicas}}}};
  w["kind"] = kind;
  if (owner) w["metadata"].as_object()["ownerReferences"] = json::array{*owner};
  return w;
}

// A budget over app=web with `field` (minAvailable or maxUnavailable) set to `value`.
json::object budget(const char* field, json::value value) {
  json::object spec{{"selector", json::object{{"matchLabels", json::object{{"app", "web"}}}}}};
  spec[field] = std::move(value);
  return json::object{
      {"apiVersion", "policy/v1"},
      {"kind", "PodDisruptionBudget"},
      {"metadata",
       json::object{{"name", "web"}, {"namespace", "default"}, {"uid", "uid-web"}, {"generation", 2}}},
      {"spec", std::move(spec)}};
}

class DisruptionSync : public ::testing::Test {
 protected:
  ~DisruptionSync() override {
    controller_.reset();
    informers_.shutdown();
  }

  DisruptionController& start() {
    controller::ControllerDeps deps;
    deps.client = client_;
    deps.informers = &informers_;
    deps.events = &events_;
    controller_ = std::make_unique<DisruptionController>(deps, 1, [this] { return now_; });
    for (const auto& gvr : kWatched) EXPECT_TRUE(informers_.informer(gvr)->wait_for_sync(5s));
    return *controller_;
  }

  // Syncs the budget once the caches show what the client stores.
  Result sync() {
    for (const auto& gvr : kWatched)
      for (auto deadline = std::chrono::steady_clock::now() + 5s;
           informers_.informer(gvr)->list().size() != client_->objects().list(gvr, "").items.size() &&
           std::chrono::steady_clock::now() < deadline;)
        std::this_thread::sleep_for(2ms);
    wait_for_cached_budget();
    return controller_->sync("default/web");
  }

  // The cache holds the budget as the client last stored it.
  void wait_for_cached_budget() {
    auto stored = client_->objects().get(machinery::kPodDisruptionBudgets, "default", "web");
    for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(2ms)) {
      auto cached = informers_.informer(machinery::kPodDisruptionBudgets)->get("default/web");
      if (cached && machinery::meta_string(*cached, "resourceVersion") ==
                        machinery::meta_string(*stored, "resourceVersion"))
        return;
    }
    ADD_FAILURE() << "the budget cache never caught up";
  }

  json::object status() {
    return machinery::object_or_empty(machinery::object_at(
        *client_->objects().get(machinery::kPodDisruptionBudgets, "default", "web"), {"status"}));
  }
  int64_t status_int(const char* field) { return machinery::int_or(status(), {field}, -1); }
  std::string condition(const char* field) {
    const json::object current = status();
    const auto* conditions = machinery::array_at(current, {"conditions"});
    return conditions && !conditions->empty() ? machinery::string_at(conditions->at(0).as_object(), {field})
                                              : "";
  }
  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list(machinery::kEvents, "").items)
      out.push_back(machinery::string_at(*e, {"reason"}) + ": " + machinery::string_at(*e, {"message"}));
    return out;
  }

  static inline const std::vector<GroupVersionResource> kWatched = {
      machinery::kPodDisruptionBudgets,   machinery::kPods,        machinery::kReplicaSets,
      machinery::kReplicationControllers, machinery::kDeployments, machinery::kStatefulSets};

  Clock::time_point now_ = kNow;
  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  controller::EventRecorder events_{event_client_, {}};
  std::unique_ptr<DisruptionController> controller_;
};

TEST_F(DisruptionSync, IntegerMinAvailableCountsTheSelectedPods) {
  client_->add(machinery::kPodDisruptionBudgets, budget("minAvailable", 2));
  for (const char* name : {"a", "b", "c"}) client_->add(machinery::kPods, pod(name));
  client_->add(machinery::kPods, pod("unready", false));
  start();
  EXPECT_EQ(sync().next, Result::Next::Done);
  EXPECT_EQ(status_int("expectedPods"), 4);
  EXPECT_EQ(status_int("desiredHealthy"), 2);
  EXPECT_EQ(status_int("currentHealthy"), 3);
  EXPECT_EQ(status_int("disruptionsAllowed"), 1);
  EXPECT_EQ(status_int("observedGeneration"), 2);
  EXPECT_EQ(condition("type"), "DisruptionAllowed");
  EXPECT_EQ(condition("status"), "True");
  EXPECT_EQ(condition("reason"), "SufficientPods");

  // Nothing changed: nothing is written again.
  const size_t writes = client_->count("update", "poddisruptionbudgets/status");
  sync();
  EXPECT_EQ(client_->count("update", "poddisruptionbudgets/status"), writes);
}

TEST_F(DisruptionSync, TooFewHealthyPodsAllowNoDisruption) {
  client_->add(machinery::kPodDisruptionBudgets, budget("minAvailable", 3));
  client_->add(machinery::kPods, pod("a"));
  client_->add(machinery::kPods, pod("b"));
  start();
  sync();
  EXPECT_EQ(status_int("disruptionsAllowed"), 0);
  EXPECT_EQ(condition("status"), "False");
  EXPECT_EQ(condition("reason"), "InsufficientPods");
}

TEST_F(DisruptionSync, MaxUnavailableIsTakenOfTheDeploymentsReplicas) {
  auto deployment_ref = owner_ref("apps/v1", "Deployment", "web");
  auto rs_ref = owner_ref("apps/v1", "ReplicaSet", "web-1");
  client_->add(machinery::kDeployments, workload("Deployment", "web", 5));
  client_->add(machinery::kReplicaSets, workload("ReplicaSet", "web-1", 5, &deployment_ref));
  client_->add(machinery::kPodDisruptionBudgets, budget("maxUnavailable", "20%"));
  for (const char* name : {"a", "b", "c", "d"}) client_->add(machinery::kPods, pod(name, true, &rs_ref));
  start();
  sync();
  EXPECT_EQ(status_int("expectedPods"), 5);    // the Deployment wants 5, though 4 exist
  EXPECT_EQ(status_int("desiredHealthy"), 4);  // 20% of 5 may be unavailable
  EXPECT_EQ(status_int("currentHealthy"), 4);
  EXPECT_EQ(status_int("disruptionsAllowed"), 0);
}

TEST_F(DisruptionSync, PercentMinAvailableAddsUpEachControllerOnce) {
  auto rc_ref = owner_ref("v1", "ReplicationController", "rc");
  auto sts_ref = owner_ref("apps/v1", "StatefulSet", "db");
  client_->add(machinery::kReplicationControllers, workload("ReplicationController", "rc", 2));
  client_->add(machinery::kStatefulSets, workload("StatefulSet", "db", 2));
  client_->add(machinery::kPodDisruptionBudgets, budget("minAvailable", "50%"));
  client_->add(machinery::kPods, pod("rc-a", true, &rc_ref));
  client_->add(machinery::kPods, pod("rc-b", true, &rc_ref));
  client_->add(machinery::kPods, pod("db-0", true, &sts_ref));
  client_->add(machinery::kPods, pod("db-1", true, &sts_ref));
  start();
  sync();
  EXPECT_EQ(status_int("expectedPods"), 4);
  EXPECT_EQ(status_int("desiredHealthy"), 2);
  EXPECT_EQ(status_int("disruptionsAllowed"), 2);
}

TEST_F(DisruptionSync, APodWhoseControllerIsUnknownFailsSafe) {
  auto ref = owner_ref("example.com/v1", "Widget", "w");
  client_->add(machinery::kPodDisruptionBudgets, budget("maxUnavailable", 1));
  client_->add(machinery::kPods, pod("a", true, &ref));
  client_->add(machinery::kPods, pod("b", true, &ref));
  start();
  EXPECT_EQ(sync().next, Result::Next::Retry);
  EXPECT_EQ(status_int("disruptionsAllowed"), 0);
  EXPECT_EQ(condition("status"), "False");
  EXPECT_EQ(condition("reason"), "SyncFailed");
  EXPECT_EQ(condition("message"), "found no controllers for pod \"a\"");
  auto seen = events();
  EXPECT_NE(std::find(seen.begin(), seen.end(), "NoControllers: found no controllers for pod \"a\""),
            seen.end());
}

TEST_F(DisruptionSync, PodsWithoutAControllerAreUnmanagedUnderAPercentage) {
  client_->add(machinery::kPodDisruptionBudgets, budget("minAvailable", "50%"));
  client_->add(machinery::kPods, pod("a"));
  start();
  sync();
  EXPECT_EQ(status_int("expectedPods"), 0);
  EXPECT_EQ(status_int("disruptionsAllowed"), 0);
  auto seen = events();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(
      seen.front().rfind("UnmanagedPods: Pods selected by this PodDisruptionBudget (selector: app=web)", 0),
      0u)
      << seen.front();
}

TEST_F(DisruptionSync, NoPodsIsAnEventAndNoDisruption) {
  client_->add(machinery::kPodDisruptionBudgets, budget("minAvailable", 0));
  start();
  sync();
  EXPECT_EQ(status_int("expectedPods"), 0);
  EXPECT_EQ(status_int("disruptionsAllowed"), 0);
  EXPECT_EQ(events(), std::vector<std::string>{"NoPods: No matching pods found"});
}

TEST_F(DisruptionSync, EvictedPodsCountAsGoneUntilTheirTimeoutRunsOut) {
  auto b = budget("minAvailable", 1);
  b["status"] = json::object{{"disruptedPods", json::object{{"a", machinery::format_time(kNow - 30s)},
                                                            {"gone", machinery::format_time(kNow - 30s)}}}};
  client_->add(machinery::kPodDisruptionBudgets, b);
  for (const char* name : {"a", "b", "c"}) client_->add(machinery::kPods, pod(name));
  start();
  Result r = sync();
  ASSERT_EQ(r.next, Result::Next::RequeueAfter);
  EXPECT_GE(r.after, 90s);  // the eviction of a expires 2 minutes after it was recorded
  EXPECT_LE(r.after, 92s);
  EXPECT_EQ(status_int("currentHealthy"), 2);
  EXPECT_EQ(status_int("disruptionsAllowed"), 1);
  // Pods that went are forgotten; the one still there is kept.
  const json::object kept = status();
  EXPECT_EQ(machinery::object_or_empty(machinery::object_at(kept, {"disruptedPods"})).size(), 1u);

  now_ = kNow + 2min;
  r = sync();
  EXPECT_EQ(r.next, Result::Next::Done);
  EXPECT_EQ(status_int("currentHealthy"), 3);
  EXPECT_FALSE(status().contains("disruptedPods"));
  auto seen = events();
  EXPECT_NE(std::find(seen.begin(), seen.end(),
                      "NotDeleted: Pod was expected by PDB default/web to be deleted but it wasn't"),
            seen.end());
}

TEST_F(DisruptionSync, APodChangeQueuesTheBudgetsOverIt) {
  client_->add(machinery::kPodDisruptionBudgets, budget("minAvailable", 1));
  client_->add(machinery::kPods, pod("a"));
  start().start();
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       status_int("currentHealthy") != 1 && std::chrono::steady_clock::now() < deadline;)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(status_int("currentHealthy"), 1);
  client_->add(machinery::kPods, pod("b"));
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       status_int("currentHealthy") != 2 && std::chrono::steady_clock::now() < deadline;)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(status_int("currentHealthy"), 2);
  EXPECT_EQ(status_int("disruptionsAllowed"), 1);
}

TEST(ExpectedPods, MaxUnavailableRoundsUpAndNeverGoesBelowZero) {
  std::vector<ObjectPtr> pods;
  auto ref = owner_ref("apps/v1", "StatefulSet", "db");
  for (const char* name : {"a", "b", "c"})
    pods.push_back(std::make_shared<json::object>(pod(name, true, &ref)));
  auto three = [](const json::object&, const std::string&) {
    return std::optional<ControllerScale>({"uid-db", 3});
  };
  EXPECT_EQ(expected_pods(budget("maxUnavailable", "50%"), pods, three).desired_healthy,
            1);  // 1.5 → 2 may go
  EXPECT_EQ(expected_pods(budget("maxUnavailable", 5), pods, three).desired_healthy, 0);
  EXPECT_THROW(expected_pods(budget("maxUnavailable", "x"), pods, three), std::invalid_argument);
  auto none = [](const json::object&, const std::string&) { return std::optional<ControllerScale>(); };
  EXPECT_THROW(expected_pods(budget("minAvailable", "10%"), pods, none), NoControllersError);
  EXPECT_EQ(expected_pods(budget("minAvailable", 2), pods, none).expected, 3);
}

}  // namespace
}  // namespace ukube::controllers::disruption
