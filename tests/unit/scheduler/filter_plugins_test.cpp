// Table-driven tests of the in-tree Filter plugins: one pod, one node, the verdict.
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

struct FilterCase {
  const char* name;
  PodInfoPtr pod;
  NodeSpec node;
  std::vector<std::pair<PodInfoPtr, std::string>> existing;  // pods already bound, and where
  Code code;
  std::string reason;  // first reason, when rejected
};

void run(const char* plugin, const std::vector<FilterCase>& cases, const json::object& args = {}) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PluginHarness h(plugin, args);
    h.node(c.node);
    for (const auto& [p, n] : c.existing) {
      if (!h.cache().find(n)) h.node({n});
      h.bound(p, n);
    }
    Status s = h.filter(*c.pod, c.node.name);
    EXPECT_EQ(s.code(), c.code) << s.message();
    if (!c.reason.empty()) {
      ASSERT_FALSE(s.reasons().empty());
      EXPECT_EQ(s.reasons().front(), c.reason);
    }
  }
}

json::object labels(std::initializer_list<std::pair<const char*, const char*>> kv) {
  json::object o;
  for (auto [k, v] : kv) o[k] = v;
  return o;
}

TEST(NodeUnschedulable, Table) {
  NodeSpec cordoned{"n1"};
  cordoned.spec = json::parse(R"({"unschedulable":true})").as_object();
  run("NodeUnschedulable",
      {
          {"schedulable node", pod("p"), {"n1"}, {}, Code::Success, ""},
          {"cordoned node",
           pod("p"),
           cordoned,
           {},
           Code::UnschedulableAndUnresolvable,
           "node(s) were unschedulable"},
          {"cordoned node, tolerated",
           pod("p",
               R"({"tolerations":[{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}]})"),
           cordoned,
           {},
           Code::Success,
           ""},
      });
}

TEST(NodeName, Table) {
  run("NodeName", {
                      {"no nodeName", pod("p"), {"n1"}, {}, Code::Success, ""},
                      {"matching nodeName", pod("p", R"({"nodeName":"n1"})"), {"n1"}, {}, Code::Success, ""},
                      {"other nodeName",
                       pod("p", R"({"nodeName":"n2"})"),
                       {"n1"},
                       {},
                       Code::UnschedulableAndUnresolvable,
                       "node(s) didn't match the requested node name"},
                  });
}

TEST(TaintToleration, FilterTable) {
  NodeSpec tainted{"n1"};
  tainted.spec =
      json::parse(R"({"taints":[{"key":"dedicated","value":"gpu","effect":"NoSchedule"}]})").as_object();
  NodeSpec soft{"n1"};
  soft.spec = json::parse(R"({"taints":[{"key":"dedicated","value":"gpu","effect":"PreferNoSchedule"}]})")
                  .as_object();
  run("TaintToleration",
      {
          {"no taints", pod("p"), {"n1"}, {}, Code::Success, ""},
          {"untolerated NoSchedule",
           pod("p"),
           tainted,
           {},
           Code::UnschedulableAndUnresolvable,
           "node(s) had untolerated taint {dedicated: gpu}"},
          {"tolerated by Equal",
           pod("p",
               R"({"tolerations":[{"key":"dedicated","operator":"Equal","value":"gpu","effect":"NoSchedule"}]})"),
           tainted,
           {},
           Code::Success,
           ""},
          {"Equal with another value",
           pod("p", R"({"tolerations":[{"key":"dedicated","operator":"Equal","value":"cpu"}]})"),
           tainted,
           {},
           Code::UnschedulableAndUnresolvable,
           ""},
          {"Exists without key tolerates everything",
           pod("p", R"({"tolerations":[{"operator":"Exists"}]})"),
           tainted,
           {},
           Code::Success,
           ""},
          {"toleration for another effect",
           pod("p", R"({"tolerations":[{"key":"dedicated","operator":"Exists","effect":"NoExecute"}]})"),
           tainted,
           {},
           Code::UnschedulableAndUnresolvable,
           ""},
          {"PreferNoSchedule does not filter", pod("p"), soft, {}, Code::Success, ""},
      });
}

TEST(NodeAffinity, FilterTable) {
  NodeSpec zone_a{"n1"};
  zone_a.labels = labels({{"zone", "a"}, {"disk", "ssd"}, {"cores", "8"}});
  auto required = [](const std::string& term) {
    return R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[)" +
           term + "]}}}}";
  };
  const char* mismatch = "node(s) didn't match Pod's node affinity/selector";
  run("NodeAffinity",
      {
          {"nothing required", pod("p"), zone_a, {}, Code::Success, ""},
          {"nodeSelector matches",
           pod("p", R"({"nodeSelector":{"zone":"a"}})"),
           zone_a,
           {},
           Code::Success,
           ""},
          {"nodeSelector differs",
           pod("p", R"({"nodeSelector":{"zone":"b"}})"),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           mismatch},
          {"In",
           pod("p", required(R"({"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]})")),
           zone_a,
           {},
           Code::Success,
           ""},
          {"NotIn",
           pod("p", required(R"({"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]})")),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           mismatch},
          {"Exists",
           pod("p", required(R"({"matchExpressions":[{"key":"disk","operator":"Exists"}]})")),
           zone_a,
           {},
           Code::Success,
           ""},
          {"DoesNotExist",
           pod("p", required(R"({"matchExpressions":[{"key":"disk","operator":"DoesNotExist"}]})")),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           mismatch},
          {"Gt",
           pod("p", required(R"({"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]})")),
           zone_a,
           {},
           Code::Success,
           ""},
          {"Lt",
           pod("p", required(R"({"matchExpressions":[{"key":"cores","operator":"Lt","values":["4"]}]})")),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           mismatch},
          {"terms are ORed",
           pod("p", required(R"({"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]},)"
                             R"({"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]})")),
           zone_a,
           {},
           Code::Success,
           ""},
          {"expressions in a term are ANDed",
           pod("p", required(R"({"matchExpressions":[{"key":"zone","operator":"In","values":["a"]},)"
                             R"({"key":"disk","operator":"In","values":["hdd"]}]})")),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           mismatch},
          {"matchFields on the name",
           pod("p", required(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]})")),
           zone_a,
           {},
           Code::Success,
           ""},
          {"matchFields on another name",
           pod("p", required(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["n2"]}]})")),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           ""},
          {"empty term matches nothing",
           pod("p", required("{}")),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           mismatch},
          {"selector and affinity both needed",
           pod("p",
               R"({"nodeSelector":{"zone":"b"},"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"disk","operator":"Exists"}]}]}}}})"),
           zone_a,
           {},
           Code::UnschedulableAndUnresolvable,
           mismatch},
      });
}

TEST(NodeResourcesFit, FilterTable) {
  NodeSpec small{"n1", "2", "4Gi", 3};
  auto busy = pod("busy", requests("1500m", "1Gi"));
  run("NodeResourcesFit",
      {
          {"fits", pod("p", requests("1", "1Gi")), small, {}, Code::Success, ""},
          {"no requests fits anywhere", pod("p"), small, {{busy, "n1"}}, Code::Success, ""},
          {"cpu short",
           pod("p", requests("1")),
           small,
           {{busy, "n1"}},
           Code::Unschedulable,
           "Insufficient cpu"},
          {"memory short",
           pod("p", requests("", "5Gi")),
           small,
           {},
           Code::Unschedulable,
           "Insufficient memory"},
          {"exactly full fits", pod("p", requests("500m", "3Gi")), small, {{busy, "n1"}}, Code::Success, ""},
          {"pod count",
           pod("p"),
           small,
           {{pod("a"), "n1"}, {pod("b"), "n1"}, {pod("c"), "n1"}},
           Code::Unschedulable,
           "Too many pods"},
          {"init container larger than containers",
           pod("p", R"({"initContainers":[{"name":"i","resources":{"requests":{"cpu":"3"}}}]})"),
           small,
           {},
           Code::Unschedulable,
           "Insufficient cpu"},
          {"init container smaller than containers",
           pod("p", R"({"initContainers":[{"name":"i","resources":{"requests":{"cpu":"100m"}}}],)"
                    R"("containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}]})"),
           small,
           {},
           Code::Success,
           ""},
          {"sidecars add to the containers",
           pod("p",
               R"({"initContainers":[{"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"1"}}}],)"
               R"("containers":[{"name":"c","resources":{"requests":{"cpu":"1500m"}}}]})"),
           small,
           {},
           Code::Unschedulable,
           "Insufficient cpu"},
          {"overhead counts",
           pod("p",
               R"({"overhead":{"cpu":"1500m"},"containers":[{"name":"c","resources":{"requests":{"cpu":"1"}}}]})"),
           small,
           {},
           Code::Unschedulable,
           "Insufficient cpu"},
          {"extended resource missing",
           pod("p", R"({"containers":[{"name":"c","resources":{"requests":{"example.com/gpu":"1"}}}]})"),
           small,
           {},
           Code::Unschedulable,
           "Insufficient example.com/gpu"},
      });
}

TEST(NodeResourcesFit, IgnoredResources) {
  run("NodeResourcesFit",
      {{"ignored extended resource",
        pod("p", R"({"containers":[{"name":"c","resources":{"requests":{"example.com/gpu":"1"}}}]})"),
        {"n1"},
        {},
        Code::Success,
        ""}},
      json::parse(R"({"ignoredResources":["example.com/gpu"]})").as_object());
}

TEST(NodeResourcesFit, ReportsEveryShortResource) {
  PluginHarness h("NodeResourcesFit");
  h.node({"n1", "1", "1Gi"});
  Status s = h.filter(*pod("p", requests("2", "2Gi")), "n1");
  EXPECT_EQ(s.reasons(), (std::vector<std::string>{"Insufficient cpu", "Insufficient memory"}));
}

TEST(NodePorts, Table) {
  auto port = [](int p, const char* ip = "", const char* proto = "TCP") {
    return std::string(R"({"containers":[{"name":"c","ports":[{"containerPort":80,"hostPort":)") +
           std::to_string(p) + R"(,"hostIP":")" + ip + R"(","protocol":")" + proto + R"("}]}]})";
  };
  const char* busy = "node(s) didn't have free ports for the requested pod ports";
  run("NodePorts",
      {
          {"no host ports", pod("p"), {"n1"}, {{pod("o", port(80)), "n1"}}, Code::Success, ""},
          {"free port", pod("p", port(81)), {"n1"}, {{pod("o", port(80)), "n1"}}, Code::Success, ""},
          {"taken port", pod("p", port(80)), {"n1"}, {{pod("o", port(80)), "n1"}}, Code::Unschedulable, busy},
          {"other protocol",
           pod("p", port(80, "", "UDP")),
           {"n1"},
           {{pod("o", port(80)), "n1"}},
           Code::Success,
           ""},
          {"different specific IPs",
           pod("p", port(80, "10.0.0.1")),
           {"n1"},
           {{pod("o", port(80, "10.0.0.2")), "n1"}},
           Code::Success,
           ""},
          {"wildcard against specific IP",
           pod("p", port(80, "0.0.0.0")),
           {"n1"},
           {{pod("o", port(80, "10.0.0.2")), "n1"}},
           Code::Unschedulable,
           busy},
      });
}

}  // namespace
}  // namespace ukube::scheduler::testing
