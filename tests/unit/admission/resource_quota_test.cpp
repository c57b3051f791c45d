// resource-quota: charging creates to quotas with upstream's refusals, and the reconciler
// that writes status.hard / status.used and lets usage fall after deletes.
#include <atomic>

#include "admission/resource-quota/resource_quota.h"
#include "admission_test_support.h"

namespace ukube::admission::testing {
namespace {

class QuotaTest : public ::testing::Test {
 protected:
  void SetUp() override { k_.start<ResourceQuotaPlugin>("resource-quota"); }

  // Creates the quota and waits for the reconciler to have written its status.
  void make_quota(const std::string& ns, const std::string& name, json::object hard,
                  json::object spec_extra = {}) {
    k_.admin().create(kQuotasR, ns, quota(name, std::move(hard), std::move(spec_extra)));
    ASSERT_TRUE(
        eventually([&] { return !at(*k_.admin().get(kQuotasR, ns, name), "status.used").is_null(); }));
  }
  std::string used(const std::string& ns, const std::string& name) {
    return json::serialize(at(*k_.admin().get(kQuotasR, ns, name), "status.used"));
  }
  std::string used(const std::string& ns, const std::string& name, const std::string& resource) {
    json::value u = at(*k_.admin().get(kQuotasR, ns, name), "status.used");
    const json::value* v = u.is_object() ? u.as_object().if_contains(resource) : nullptr;
    return v ? std::string(v->as_string()) : "<none>";
  }
  bool reads(const std::string& ns, const std::string& name, const std::string& resource,
             const std::string& want) {
    return eventually([&] { return used(ns, name, resource) == want; });
  }

  AdmissionKernel k_;
};

TEST_F(QuotaTest, ThePodCountIsEnforcedAndFallsAfterDeletes) {
  make_quota("team-a", "q", {{"pods", "2"}});
  EXPECT_EQ(used("team-a", "q"), R"({"pods":"0"})");
  EXPECT_EQ(json::serialize(at(*k_.admin().get(kQuotasR, "team-a", "q"), "status.hard")), R"({"pods":"2"})");
  k_.admin().create(kPodsR, "team-a", pod("p1"));
  EXPECT_EQ(used("team-a", "q", "pods"), "1");  // charged before the create returned
  k_.admin().create(kPodsR, "team-a", pod("p2"));
  EXPECT_EQ(used("team-a", "q", "pods"), "2");

  ApiError e = error_of([&] { k_.admin().create(kPodsR, "team-a", pod("p3")); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_STREQ(
      e.what(),
      "pods \"p3\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
  EXPECT_EQ(e.kind, "pods");
  EXPECT_EQ(e.name, "p3");
  EXPECT_EQ(used("team-a", "q", "pods"), "2");

  k_.admin().remove(kPodsR, "team-a", "p1");
  ASSERT_TRUE(reads("team-a", "q", "pods", "1"));
  EXPECT_NO_THROW(k_.admin().create(kPodsR, "team-a", pod("p3")));
  EXPECT_EQ(used("team-a", "q", "pods"), "2");
  // Another namespace is not charged.
  EXPECT_NO_THROW(k_.admin().create(kPodsR, "default", pod("p9")));
}

TEST_F(QuotaTest, ComputeResourcesAddUpAndPrintCanonically) {
  make_quota("team-a", "compute", {{"requests.cpu", "1000m"}, {"limits.memory", "1Gi"}});
  EXPECT_EQ(json::serialize(at(*k_.admin().get(kQuotasR, "team-a", "compute"), "status.hard")),
            R"({"limits.memory":"1Gi","requests.cpu":"1"})");
  EXPECT_EQ(used("team-a", "compute"), R"({"limits.memory":"0","requests.cpu":"0"})");
  k_.admin().create(kPodsR, "team-a",
                    pod("a", {{"c", R"({"requests":{"cpu":"500m"},"limits":{"memory":"512Mi"}})"}}));
  EXPECT_EQ(used("team-a", "compute"), R"({"limits.memory":"512Mi","requests.cpu":"500m"})");

  ApiError e = error_of([&] {
    k_.admin().create(kPodsR, "team-a",
                      pod("b", {{"c", R"({"requests":{"cpu":"600m"},"limits":{"memory":"256Mi"}})"}}));
  });
  EXPECT_STREQ(e.what(),
               "pods \"b\" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: "
               "requests.cpu=500m, limited: requests.cpu=1");
  e = error_of([&] {
    k_.admin().create(kPodsR, "team-a",
                      pod("b", {{"c", R"({"requests":{"cpu":"600m"},"limits":{"memory":"768Mi"}})"}}));
  });
  EXPECT_STREQ(
      e.what(),
      "pods \"b\" is forbidden: exceeded quota: compute, requested: limits.memory=768Mi,requests.cpu=600m, "
      "used: limits.memory=512Mi,requests.cpu=500m, limited: limits.memory=1Gi,requests.cpu=1");
  k_.admin().create(kPodsR, "team-a",
                    pod("b", {{"c", R"({"requests":{"cpu":"500m"},"limits":{"memory":"512Mi"}})"}}));
  EXPECT_EQ(used("team-a", "compute"), R"({"limits.memory":"1Gi","requests.cpu":"1"})");
}

struct MustSpecify {
  const char* name;
  const char* hard;
  std::vector<std::pair<std::string, std::string>> containers;
  const char* message;
};

TEST_F(QuotaTest, QuotasOnComputeResourcesRequireThemOfEveryContainer) {
  const MustSpecify cases[] = {
      {"one resource, two containers",
       R"({"limits.cpu":"2"})",
       {{"web", ""}, {"side", ""}},
       "failed quota: q0: must specify limits.cpu for: side,web"},
      {"two resources",
       R"({"requests.cpu":"2","limits.memory":"1Gi"})",
       {{"c", R"({"requests":{"cpu":"1"}})"}},
       "failed quota: q1: must specify limits.memory for: c"},
      {"cpu and memory",
       R"({"cpu":"2","memory":"1Gi"})",
       {{"a", ""}, {"b", R"({"requests":{"memory":"1Mi"}})"}},
       "failed quota: q2: must specify cpu for: a,b; memory for: a"},
  };
  int i = 0;
  for (const auto& c : cases) {
    std::string ns = "must-" + std::to_string(i);
    k_.create_namespace(ns);
    make_quota(ns, "q" + std::to_string(i++), json::parse(c.hard).as_object());
    ApiError e = error_of([&] { k_.admin().create(kPodsR, ns, pod("p", c.containers)); });
    EXPECT_EQ(e.code(), 403) << c.name;
    EXPECT_EQ(std::string(e.what()), std::string("pods \"p\" is forbidden: ") + c.message) << c.name;
  }
}

struct Counted {
  const char* name;
  const char* hard;
  GroupVersionResource gvr;
  std::function<json::object(const std::string&)> make;
  const char* message;  // for the second object, named "two"
};

json::object configmap(const std::string& name) {
  return named("v1", "ConfigMap", name);
}
json::object node_port_service(const std::string& name) {
  return named("v1", "Service", name,
               {{"spec",
                 {{"type", "NodePort"},
                  {"ports", json::array{json::object{{"name", "a"}, {"port", 80}},
                                        json::object{{"name", "b"}, {"port", 81}}}}}}});
}
json::object deployment(const std::string& name) {
  return named(
      "apps/v1", "Deployment", name,
      {{"spec", json::parse(R"({"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":
                     {"app":"x"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}})")}});
}

TEST_F(QuotaTest, ObjectCountsOfEveryKind) {
  const Counted cases[] = {
      {"configmaps", R"({"configmaps":"1"})", kConfigMapsR, configmap,
       "configmaps \"two\" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=1, "
       "limited: "
       "configmaps=1"},
      {"count/configmaps", R"({"count/configmaps":"1"})", kConfigMapsR, configmap,
       "configmaps \"two\" is forbidden: exceeded quota: q, requested: count/configmaps=1, used: "
       "count/configmaps=1, "
       "limited: count/configmaps=1"},
      {"count/deployments.apps (no cache: listed live)", R"({"count/deployments.apps":"1"})", kDeploymentsR,
       deployment,
       "deployments.apps \"two\" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: "
       "count/deployments.apps=1, limited: count/deployments.apps=1"},
      {"services.nodeports", R"({"services.nodeports":"3"})", kServicesR, node_port_service,
       "services \"two\" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: "
       "services.nodeports=2, limited: services.nodeports=3"},
  };
  int i = 0;
  for (const auto& c : cases) {
    std::string ns = "count-" + std::to_string(i++);
    k_.create_namespace(ns);
    make_quota(ns, "q", json::parse(c.hard).as_object());
    k_.admin().create(c.gvr, ns, c.make("one"));
    ApiError e = error_of([&] { k_.admin().create(c.gvr, ns, c.make("two")); });
    EXPECT_EQ(e.code(), 403) << c.name;
    EXPECT_EQ(std::string(e.what()), c.message) << c.name;
    // After the first one goes, the second fits.
    k_.admin().remove(c.gvr, ns, "one");
    EXPECT_TRUE(eventually([&] {
      try {
        k_.admin().create(c.gvr, ns, c.make("two"));
        return true;
      } catch (const ApiError&) {
        return false;
      }
    })) << c.name;
  }
}

TEST_F(QuotaTest, ScopedQuotasOnlyCountTheirPods) {
  make_quota("team-a", "best-effort", {{"pods", "1"}}, {{"scopes", json::array{"BestEffort"}}});
  k_.admin().create(kPodsR, "team-a", pod("free"));
  ApiError e = error_of([&] { k_.admin().create(kPodsR, "team-a", pod("free2")); });
  EXPECT_STREQ(e.what(),
               "pods \"free2\" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, "
               "limited: pods=1");
  // A pod with requests is not best effort: not this quota's business.
  EXPECT_NO_THROW(
      k_.admin().create(kPodsR, "team-a", pod("paid", {{"c", R"({"requests":{"cpu":"100m"}})"}})));
  make_quota(
      "team-a", "high", {{"pods", "0"}},
      {{"scopeSelector", json::parse(R"({"matchExpressions":[{"scopeName":"PriorityClass","operator":"In",
                                                   "values":["high"]}]})")}});
  e = error_of([&] {
    k_.admin().create(kPodsR, "team-a",
                      pod("vip", {{"c", R"({"requests":{"cpu":"1"}})"}}, R"({"priorityClassName":"high"})"));
  });
  EXPECT_STREQ(
      e.what(),
      "pods \"vip\" is forbidden: exceeded quota: high, requested: pods=1, used: pods=0, limited: pods=0");
}

TEST_F(QuotaTest, FinishedPodsStopUsingComputeButStillCount) {
  make_quota("team-a", "q", {{"pods", "5"}, {"count/pods", "5"}, {"requests.cpu", "2"}});
  k_.admin().create(kPodsR, "team-a", pod("job", {{"c", R"({"requests":{"cpu":"1"}})"}}));
  EXPECT_EQ(used("team-a", "q"), R"({"count/pods":"1","pods":"1","requests.cpu":"1"})");
  json::object done = *k_.admin().get(kPodsR, "team-a", "job");
  done["status"] = json::object{{"phase", "Succeeded"}};
  k_.admin().update(kPodsR, "team-a", done, {}, "status");
  ASSERT_TRUE(eventually([&] {
    return used("team-a", "q") == R"({"count/pods":"1","pods":"0","requests.cpu":"0"})";
  })) << used("team-a", "q");
}

TEST_F(QuotaTest, DryRunsAreCheckedButNotCharged) {
  make_quota("team-a", "q", {{"pods", "1"}});
  WriteOptions dry;
  dry.dry_run = true;
  k_.admin().create(kPodsR, "team-a", pod("a"), dry);
  EXPECT_EQ(used("team-a", "q", "pods"), "0");
  k_.admin().create(kPodsR, "team-a", pod("a"));
  ApiError e = error_of([&] { k_.admin().create(kPodsR, "team-a", pod("b"), dry); });
  EXPECT_EQ(e.code(), 403);
}

TEST_F(QuotaTest, ConcurrentCreatesNeverOvershoot) {
  make_quota("team-a", "q", {{"pods", "5"}});
  std::atomic<int> admitted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&, i] {
      try {
        k_.admin().create(kPodsR, "team-a", pod("p" + std::to_string(i)));
        ++admitted;
      } catch (const ApiError& e) {
        if (e.code() == 403) ++refused;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(refused, 7);
  EXPECT_EQ(used("team-a", "q", "pods"), "5");
  EXPECT_EQ(k_.admin().list(kPodsR, "team-a").items.size(), 5u);
}

TEST_F(QuotaTest, ChangedQuotasAreRecountedAndAChargeForAnObjectNeverStoredWearsOff) {
  make_quota("team-a", "q", {{"pods", "1"}});
  k_.admin().create(kPodsR, "team-a", pod("a"));
  // Admitted and charged, then refused by the store: used reads 2 for a while.
  json::object raised = *k_.admin().get(kQuotasR, "team-a", "q");
  raised["spec"].as_object()["hard"] = json::object{{"pods", "3"}};
  k_.admin().update(kQuotasR, "team-a", raised);
  ASSERT_TRUE(eventually([&] {
    return json::serialize(at(*k_.admin().get(kQuotasR, "team-a", "q"), "status.hard")) == R"({"pods":"3"})";
  }));
  ApiError e = error_of([&] { k_.admin().create(kPodsR, "team-a", pod("a")); });
  EXPECT_EQ(e.code(), 409);
  EXPECT_EQ(used("team-a", "q", "pods"), "2");
  ASSERT_TRUE(eventually([&] { return used("team-a", "q", "pods") == "1"; }, 20s));
}

}  // namespace
}  // namespace ukube::admission::testing
