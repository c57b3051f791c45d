// Table-driven tests of the in-tree Score plugins: scores after normalization, by node.
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

using Scores = std::map<std::string, int64_t>;

TEST(NodeResourcesFit, ScoringStrategiesTable) {
  struct Case {
    const char* name;
    const char* args;
    Scores want;
  };
  // n1: 4 cpu / 8Gi with 2 cpu / 4Gi used; n2: empty. The pod asks 1 cpu / 2Gi.
  std::vector<Case> cases = {
      {"LeastAllocated", "{}", {{"n1", 25}, {"n2", 75}}},
      {"MostAllocated", R"({"scoringStrategy":{"type":"MostAllocated"}})", {{"n1", 75}, {"n2", 25}}},
      {"LeastAllocated weighted to cpu",
       R"({"scoringStrategy":{"type":"LeastAllocated","resources":[{"name":"cpu","weight":3},{"name":"memory","weight":1}]}})",
       {{"n1", 25}, {"n2", 75}}},
      {"RequestedToCapacityRatio favouring packing",
       R"({"scoringStrategy":{"type":"RequestedToCapacityRatio","requestedToCapacityRatio":{"shape":[{"utilization":0,"score":0},{"utilization":100,"score":10}]}}})",
       {{"n1", 75}, {"n2", 25}}},
      {"RequestedToCapacityRatio favouring spreading",
       R"({"scoringStrategy":{"type":"RequestedToCapacityRatio","requestedToCapacityRatio":{"shape":[{"utilization":0,"score":10},{"utilization":100,"score":0}]}}})",
       {{"n1", 25}, {"n2", 75}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PluginHarness h("NodeResourcesFit", json::parse(c.args).as_object());
    h.node({"n1", "4", "8Gi"});
    h.node({"n2", "4", "8Gi"});
    h.bound(pod("busy", requests("2", "4Gi")), "n1");
    EXPECT_EQ(h.scores(*pod("p", requests("1", "2Gi"))), c.want);
  }
}

TEST(NodeResourcesFit, UnsetRequestsScoreWithDefaults) {
  PluginHarness h("NodeResourcesFit");
  h.node({"n1", "1", "1Gi"});
  // 100m of 1000m and 200Mi of 1Gi are assumed: (90 + 80) / 2.
  EXPECT_EQ(h.scores(*pod("p"))["n1"], 85);
}

TEST(NodeResourcesFit, RejectsBadArgs) {
  EXPECT_THROW(
      PluginHarness("NodeResourcesFit", json::parse(R"({"scoringStrategy":{"type":"Nope"}})").as_object()),
      std::invalid_argument);
  EXPECT_THROW(PluginHarness("NodeResourcesFit", json::parse(R"({"typo":1})").as_object()),
               std::invalid_argument);
}

TEST(NodeResourcesBalancedAllocation, Table) {
  PluginHarness h("NodeResourcesBalancedAllocation");
  h.node({"n1", "4", "8Gi"});
  h.node({"n2", "4", "8Gi"});
  h.bound(pod("cpu-heavy", requests("3", "1Gi")), "n1");
  auto s = h.scores(*pod("p", requests("1", "2Gi")));
  // n2 after the pod: 25% cpu and 25% memory, perfectly even.
  EXPECT_EQ(s["n2"], 100);
  // n1: 100% cpu, 37.5% memory: deviation 0.3125.
  EXPECT_EQ(s["n1"], 68);
  EXPECT_EQ(h.scores(*pod("best-effort"))["n1"], 0);  // skipped without requests
}

TEST(TaintToleration, ScorePrefersFewerSoftTaints) {
  PluginHarness h("TaintToleration");
  NodeSpec soft{"n1"};
  soft.spec =
      json::parse(
          R"({"taints":[{"key":"a","effect":"PreferNoSchedule"},{"key":"b","effect":"PreferNoSchedule"}]})")
          .as_object();
  NodeSpec one{"n2"};
  one.spec = json::parse(R"({"taints":[{"key":"a","effect":"PreferNoSchedule"}]})").as_object();
  h.node(soft);
  h.node(one);
  h.node({"n3"});
  EXPECT_EQ(h.scores(*pod("p")), (Scores{{"n1", 0}, {"n2", 50}, {"n3", 100}}));
  auto tolerant =
      pod("p", R"({"tolerations":[{"key":"a","operator":"Exists","effect":"PreferNoSchedule"}]})");
  EXPECT_EQ(h.scores(*tolerant), (Scores{{"n1", 0}, {"n2", 100}, {"n3", 100}}));
}

TEST(NodeAffinity, PreferredTermsScoreByWeight) {
  PluginHarness h("NodeAffinity");
  NodeSpec a{"n1"};
  a.labels["zone"] = "a";
  a.labels["disk"] = "ssd";
  NodeSpec b{"n2"};
  b.labels["zone"] = "b";
  h.node(a);
  h.node(b);
  h.node({"n3"});
  auto p = pod(
      "p",
      R"({"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[)"
      R"({"weight":2,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}},)"
      R"({"weight":2,"preference":{"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]}},)"
      R"({"weight":1,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]}}]}}})");
  EXPECT_EQ(h.scores(*p), (Scores{{"n1", 100}, {"n2", 25}, {"n3", 0}}));
}

TEST(ImageLocality, PrefersNodesWithTheImage) {
  PluginHarness h("ImageLocality");
  NodeSpec with{"n1"};
  with.images =
      json::parse(R"([{"names":["docker.io/library/app:latest"],"sizeBytes":524288000}])").as_array();
  NodeSpec small{"n2"};
  small.images = json::parse(R"([{"names":["app"],"sizeBytes":10485760}])").as_array();
  h.node(with);
  h.node(small);
  h.node({"n3"});
  auto s = h.scores(*pod("p"));
  EXPECT_GT(s["n1"], 0);
  EXPECT_EQ(s["n2"], 0);  // below the minimum size worth counting
  EXPECT_EQ(s["n3"], 0);
}

TEST(PrioritySort, HigherPriorityThenOlder) {
  PluginHarness h("PrioritySort");
  auto& sort = dynamic_cast<QueueSortPlugin&>(h.plugin());
  auto hi = std::make_shared<PodInfo>(*pod("hi"));
  hi->priority = 10;
  auto lo = pod("lo");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(sort.less({hi.get(), t0 + std::chrono::seconds(5)}, {lo.get(), t0}));
  EXPECT_FALSE(sort.less({lo.get(), t0}, {hi.get(), t0 + std::chrono::seconds(5)}));
  EXPECT_TRUE(sort.less({lo.get(), t0}, {lo.get(), t0 + std::chrono::seconds(1)}));
}

}  // namespace
}  // namespace ukube::scheduler::testing
