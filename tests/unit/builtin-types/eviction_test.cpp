// POST pods/<name>/eviction: deleted at once when nothing protects the pod, refused with
// 429 while its PodDisruptionBudget allows no disruption, and the budget decremented when
// it does, with upstream's messages.
#include "builtin_test_support.h"
#include "core/pod_eviction.h"

namespace ukube::builtin::testing {
namespace {

const GroupVersionResource kBudgets{"policy", "v1", "poddisruptionbudgets"};

class Eviction : public ::testing::Test {
 protected:
  void SetUp() override {
    k.types().extend(
        kPods, [&](TypeInfo& t) { t.subresource_answers["eviction"] = pod_eviction(k.shared_client()); });
  }

  // A pod of app=web on node-1 in `phase`, Ready when `ready`.
  void pod(const std::string& name, const std::string& phase = "Running", bool ready = true) {
    k.client().create(kPods, "default",
                      parse(R"({"metadata":{"name":")" + name + R"(","labels":{"app":"web"}},
                                "spec":{"nodeName":"node-1","containers":[{"name":"a","image":"x:1"}]}})"));
    auto current = *k.client().get(kPods, "default", name);
    current["status"] = json::object{
        {"phase", phase},
        {"conditions", json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
    k.client().update(kPods, "default", current, {}, "status");
  }

  // A budget over app=web, needing one healthy pod, whose status says `allowed`
  // disruptions and `healthy` healthy pods (1 + allowed when negative), observed unless `stale`.
  void budget(const std::string& name, int allowed, bool stale = false, const std::string& policy = "",
              int healthy = -1) {
    auto b = parse(R"({"metadata":{"name":")" + name + R"("},
                       "spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}}})");
    if (!policy.empty()) b["spec"].as_object()["unhealthyPodEvictionPolicy"] = policy;
    auto created = *k.client().create(kBudgets, "default", b);
    created["status"] = json::object{{"observedGeneration", stale ? 0 : 1},
                                     {"disruptionsAllowed", allowed},
                                     {"currentHealthy", healthy < 0 ? 1 + allowed : healthy},
                                     {"desiredHealthy", 1},
                                     {"expectedPods", 1 + allowed}};
    k.client().update(kBudgets, "default", created, {}, "status");
  }

  ObjectPtr evict(const std::string& name, const std::string& body_name = "", bool dry_run = false) {
    WriteOptions options;
    options.dry_run = dry_run;
    return k.client().create(kPods, "default",
                             parse(R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":")" +
                                   (body_name.empty() ? name : body_name) + R"(","namespace":"default"}})"),
                             options, "eviction", name);
  }

  bool gone_or_terminating(const std::string& name) {
    try {
      auto pod = k.client().get(kPods, "default", name);
      return !at(*pod, "metadata.deletionTimestamp").is_null();
    } catch (const ApiError& e) {
      return is_not_found(e);
    }
  }

  BuiltinKernel k;
};

TEST_F(Eviction, WithoutABudgetThePodGoesAndLearnsWhy) {
  pod("p");
  auto status = evict("p");
  EXPECT_EQ(at(*status, "kind"), "Status");
  EXPECT_EQ(at(*status, "status"), "Success");
  auto marked = k.client().get(kPods, "default", "p");  // graceful: its kubelet stops it
  EXPECT_FALSE(at(*marked, "metadata.deletionTimestamp").is_null());
  bool found = false;
  for (const auto& c : marked->at("status").at("conditions").as_array())
    if (c.at("type") == "DisruptionTarget") {
      found = true;
      EXPECT_EQ(c.at("reason"), "EvictionByEvictionAPI");
      EXPECT_EQ(c.at("message"), "Eviction API: evicting");
    }
  EXPECT_TRUE(found);
}

TEST_F(Eviction, ABudgetWithNoDisruptionLeftAnswers429) {
  pod("p");
  budget("web", 0);
  auto e = expect_api_error([&] { evict("p"); });
  EXPECT_EQ(e.code(), 429);
  EXPECT_EQ(e.reason(), "TooManyRequests");
  EXPECT_STREQ(e.what(), "Cannot evict pod as it would violate the pod's disruption budget.");
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].reason, "DisruptionBudget");
  EXPECT_EQ(e.causes[0].message, "The disruption budget web needs 1 healthy pods and has 1 currently");
  EXPECT_FALSE(gone_or_terminating("p"));
}

TEST_F(Eviction, ABudgetThatAllowsItRecordsTheDisruption) {
  pod("p");
  budget("web", 1);
  evict("p");
  EXPECT_TRUE(gone_or_terminating("p"));
  auto b = k.client().get(kBudgets, "default", "web");
  EXPECT_EQ(at(*b, "status.disruptionsAllowed"), 0);
  EXPECT_TRUE(b->at("status").at("disruptedPods").as_object().contains("p"));
  const auto& condition = b->at("status").at("conditions").at(0);
  EXPECT_EQ(condition.at("type"), "DisruptionAllowed");
  EXPECT_EQ(condition.at("reason"), "InsufficientPods");

  pod("q");
  EXPECT_EQ(expect_api_error([&] { evict("q"); }).code(), 429);  // the one disruption is spent
}

TEST_F(Eviction, ABudgetNotYetObservedAsksToComeBack) {
  pod("p");
  budget("web", 1, /*stale=*/true);
  auto e = expect_api_error([&] { evict("p"); });
  EXPECT_EQ(e.code(), 429);
  EXPECT_EQ(e.retry_after_seconds, 10);
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].message, "The disruption budget web is still being processed by the server.");
}

TEST_F(Eviction, TwoBudgetsOverOnePodAreNotSupported) {
  pod("p");
  budget("a", 1);
  budget("b", 1);
  auto e = expect_api_error([&] { evict("p"); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_STREQ(
      e.what(),
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  EXPECT_FALSE(gone_or_terminating("p"));
}

TEST_F(Eviction, PendingAndUnhealthyPodsNeedNoDisruption) {
  budget("web", 0);
  pod("pending", "Pending", false);
  evict("pending");
  EXPECT_TRUE(gone_or_terminating("pending"));

  // Unready, with the healthy pods the budget needs elsewhere: it goes, nothing is spent.
  pod("unready", "Running", false);
  evict("unready");
  EXPECT_TRUE(gone_or_terminating("unready"));
  EXPECT_EQ(at(*k.client().get(kBudgets, "default", "web"), "status.disruptionsAllowed"), 0);
}

TEST_F(Eviction, UnhealthyPodsOfAnUnhealthyBudgetGoOnlyWhenItAlwaysAllows) {
  budget("web", 0, false, "", /*healthy=*/0);
  pod("unready", "Running", false);
  EXPECT_EQ(expect_api_error([&] { evict("unready"); }).code(), 429);
  k.client().remove(kBudgets, "default", "web");
  budget("web", 0, false, "AlwaysAllow", /*healthy=*/0);
  evict("unready");
  EXPECT_TRUE(gone_or_terminating("unready"));
}

TEST_F(Eviction, DryRunChangesNothingAndAMismatchedNameIsRefused) {
  pod("p");
  budget("web", 1);
  evict("p", "", /*dry_run=*/true);
  EXPECT_FALSE(gone_or_terminating("p"));
  EXPECT_EQ(at(*k.client().get(kBudgets, "default", "web"), "status.disruptionsAllowed"), 1);

  auto e = expect_api_error([&] { evict("p", "other"); });
  EXPECT_EQ(e.code(), 400);
  EXPECT_STREQ(e.what(), "name in URL does not match name in Eviction object");
}

}  // namespace
}  // namespace ukube::builtin::testing
