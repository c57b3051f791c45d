// PodTopologySpread and InterPodAffinity: verdicts that depend on the pods across a
// topology domain, checked over a small three-zone cluster.
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

// n1, n2 in zone a; n3 in zone b; n4 has no zone label.
template <class H>
void zones(H& h) {
  for (auto [name, zone] : {std::pair<const char*, const char*>{"n1", "a"}, {"n2", "a"}, {"n3", "b"}}) {
    NodeSpec n{name};
    n.labels["zone"] = zone;
    h.node(n);
  }
  h.node({"n4"});
}

std::string spread(const std::string& key, int skew, const char* when = "DoNotSchedule") {
  return R"({"topologySpreadConstraints":[{"maxSkew":)" + std::to_string(skew) + R"(,"topologyKey":")" + key +
         R"(","whenUnsatisfiable":")" + when + R"(","labelSelector":{"matchLabels":{"app":"web"}}}]})";
}

const char* web = R"({"app":"web"})";

struct SpreadCase {
  const char* name;
  std::vector<std::string> existing_on;  // a web pod on each named node
  std::string node;
  Code code;
};

TEST(PodTopologySpread, HardConstraintTable) {
  std::vector<SpreadCase> cases = {
      {"empty cluster: any zone", {}, "n1", Code::Success},
      {"zone a ahead by one: b only", {"n1"}, "n2", Code::Unschedulable},
      {"zone a ahead by one: b fits", {"n1"}, "n3", Code::Success},
      {"balanced: a fits", {"n1", "n3"}, "n2", Code::Success},
      {"node without the key", {}, "n4", Code::UnschedulableAndUnresolvable},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PluginHarness h("PodTopologySpread");
    zones(h);
    int i = 0;
    for (const auto& n : c.existing_on) h.bound(pod("e" + std::to_string(i++), "{}", web), n);
    EXPECT_EQ(h.filter(*pod("p", spread("zone", 1), web), c.node).code(), c.code);
  }
}

TEST(PodTopologySpread, IgnoresOtherNamespacesAndNonMatchingPods) {
  PluginHarness h("PodTopologySpread");
  zones(h);
  h.bound(pod("other-ns", "{}", web, "kube-system"), "n1");
  h.bound(pod("other-app", "{}", R"({"app":"db"})"), "n1");
  EXPECT_TRUE(h.filter(*pod("p", spread("zone", 1), web), "n1").ok());
}

TEST(PodTopologySpread, MaxSkewTwoAllowsTwoAhead) {
  PluginHarness h("PodTopologySpread");
  zones(h);
  h.bound(pod("e1", "{}", web), "n1");
  EXPECT_TRUE(h.filter(*pod("p", spread("zone", 2), web), "n2").ok());
  h.bound(pod("e2", "{}", web), "n2");
  EXPECT_EQ(h.filter(*pod("p", spread("zone", 2), web), "n1").code(), Code::Unschedulable);
}

TEST(PodTopologySpread, MinDomainsCountsMissingDomainsAsEmpty) {
  PluginHarness h("PodTopologySpread");
  zones(h);
  h.bound(pod("e1", "{}", web), "n1");
  h.bound(pod("e2", "{}", web), "n3");
  const std::string c =
      R"({"topologySpreadConstraints":[{"maxSkew":1,"minDomains":3,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"web"}}}]})";
  // Two zones exist but three are wanted: the global minimum is 0, so 1 + 1 - 0 > 1.
  EXPECT_EQ(h.filter(*pod("p", c, web), "n2").code(), Code::Unschedulable);
}

TEST(PodTopologySpread, SoftConstraintPrefersEmptierDomains) {
  PluginHarness h("PodTopologySpread");
  zones(h);
  h.bound(pod("e1", "{}", web), "n1");
  h.bound(pod("e2", "{}", web), "n2");
  auto s = h.scores(*pod("p", spread("zone", 1, "ScheduleAnyway"), web));
  EXPECT_GT(s["n3"], s["n1"]);
  EXPECT_EQ(s["n1"], s["n2"]);
  EXPECT_EQ(s["n4"], 0);  // lacks the key
  EXPECT_EQ(s["n3"], kMaxNodeScore);
}

TEST(PodTopologySpread, HardConstraintsDoNotScore) {
  PluginHarness h("PodTopologySpread");
  zones(h);
  auto s = h.scores(*pod("p", spread("zone", 1), web));
  for (auto& [n, v] : s) EXPECT_EQ(v, 0) << n;
}

std::string affinity(const char* kind, const char* key, const char* sel = R"({"matchLabels":{"app":"db"}})") {
  return std::string(R"({"affinity":{")") + kind +
         R"(":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":")" + key +
         R"(","labelSelector":)" + sel + "}]}}}";
}

TEST(InterPodAffinity, RequiredAffinityTable) {
  struct Case {
    const char* name;
    std::vector<std::string> db_on;
    std::string node;
    Code code;
  };
  std::vector<Case> cases = {
      {"db in zone a: n2 shares the zone", {"n1"}, "n2", Code::Success},
      {"db in zone a: n3 does not", {"n1"}, "n3", Code::UnschedulableAndUnresolvable},
      {"no db anywhere: not schedulable", {}, "n1", Code::UnschedulableAndUnresolvable},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PluginHarness h("InterPodAffinity");
    zones(h);
    for (const auto& n : c.db_on) h.bound(pod("db-" + n, "{}", R"({"app":"db"})"), n);
    EXPECT_EQ(h.filter(*pod("p", affinity("podAffinity", "zone")), c.node).code(), c.code);
  }
}

TEST(InterPodAffinity, FirstPodOfASelfSelectingGroupMayGoAnywhere) {
  PluginHarness h("InterPodAffinity");
  zones(h);
  EXPECT_TRUE(h.filter(*pod("p", affinity("podAffinity", "zone"), R"({"app":"db"})"), "n3").ok());
}

TEST(InterPodAffinity, RequiredAntiAffinityTable) {
  struct Case {
    const char* name;
    std::vector<std::string> db_on;
    std::string node;
    Code code;
  };
  std::vector<Case> cases = {
      {"no db: fits", {}, "n1", Code::Success},
      {"db in same zone", {"n1"}, "n2", Code::Unschedulable},
      {"db in other zone", {"n3"}, "n1", Code::Success},
      {"node without the key", {"n1"}, "n4", Code::Success},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PluginHarness h("InterPodAffinity");
    zones(h);
    for (const auto& n : c.db_on) h.bound(pod("db-" + n, "{}", R"({"app":"db"})"), n);
    Status s = h.filter(*pod("p", affinity("podAntiAffinity", "zone")), c.node);
    EXPECT_EQ(s.code(), c.code) << s.message();
    if (c.code == Code::Unschedulable) {
      EXPECT_EQ(s.reasons().front(), "node(s) didn't match pod anti-affinity rules");
    }
  }
}

TEST(InterPodAffinity, ExistingPodsAntiAffinityRepelsIncomingPod) {
  PluginHarness h("InterPodAffinity");
  zones(h);
  h.bound(pod("loner", affinity("podAntiAffinity", "zone", R"({"matchLabels":{"app":"web"}})")), "n1");
  Status s = h.filter(*pod("p", "{}", web), "n2");
  EXPECT_EQ(s.code(), Code::Unschedulable);
  EXPECT_EQ(s.reasons().front(), "node(s) didn't satisfy existing pods anti-affinity rules");
  EXPECT_TRUE(h.filter(*pod("p", "{}", web), "n3").ok());
}

TEST(InterPodAffinity, NamespacesAndNamespaceSelector) {
  PluginHarness h("InterPodAffinity");
  zones(h);
  h.cache().set_namespace("team", Labels(std::vector<Labels::Entry>{{"team", "x"}}));
  h.bound(pod("db", "{}", R"({"app":"db"})", "team"), "n1");
  // Own namespace only by default: the db in "team" is invisible.
  EXPECT_FALSE(h.filter(*pod("p", affinity("podAffinity", "zone")), "n2").ok());
  const std::string by_selector =
      R"({"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"zone","labelSelector":{"matchLabels":{"app":"db"}},"namespaceSelector":{"matchLabels":{"team":"x"}}}]}}})";
  EXPECT_TRUE(h.filter(*pod("p", by_selector), "n2").ok());
  const std::string by_list =
      R"({"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"zone","labelSelector":{"matchLabels":{"app":"db"}},"namespaces":["team"]}]}}})";
  EXPECT_TRUE(h.filter(*pod("p", by_list), "n2").ok());
}

TEST(InterPodAffinity, PreferredTermsScore) {
  PluginHarness h("InterPodAffinity");
  zones(h);
  h.bound(pod("db", "{}", R"({"app":"db"})"), "n1");
  const std::string prefer =
      R"({"affinity":{"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"podAffinityTerm":{"topologyKey":"zone","labelSelector":{"matchLabels":{"app":"db"}}}}]}}})";
  auto s = h.scores(*pod("p", prefer));
  EXPECT_EQ(s["n1"], kMaxNodeScore);
  EXPECT_EQ(s["n2"], kMaxNodeScore);
  EXPECT_EQ(s["n3"], 0);
  const std::string avoid =
      R"({"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"podAffinityTerm":{"topologyKey":"zone","labelSelector":{"matchLabels":{"app":"db"}}}}]}}})";
  auto a = h.scores(*pod("p", avoid));
  EXPECT_EQ(a["n1"], 0);
  EXPECT_EQ(a["n3"], kMaxNodeScore);
}

TEST(InterPodAffinity, ExistingPodsRequiredAffinityAttracts) {
  PluginHarness h("InterPodAffinity");
  zones(h);
  h.bound(pod("fan", affinity("podAffinity", "zone", R"({"matchLabels":{"app":"web"}})")), "n3");
  auto s = h.scores(*pod("p", "{}", web));
  EXPECT_EQ(s["n3"], kMaxNodeScore);
  EXPECT_EQ(s["n1"], 0);
}

}  // namespace
}  // namespace ukube::scheduler::testing
