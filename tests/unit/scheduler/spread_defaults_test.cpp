// PodTopologySpread's default constraints: the selector derived from the Services and
// controller that select a pod, System and List defaulting, and the args validation.
#include <functional>
#include <stdexcept>

#include "tests/unit/scheduler/harness.h"
#include "ukube/testing/fake_object_lister.h"
#include "ukube/types.h"

namespace ukube::scheduler::testing {
namespace {

using ukube::testing::FakeObjectLister;

const GroupVersionResource kServices{"", "v1", "services"};
const GroupVersionResource kRcs{"", "v1", "replicationcontrollers"};
const GroupVersionResource kReplicaSets{"apps", "v1", "replicasets"};
const GroupVersionResource kStatefulSets{"apps", "v1", "statefulsets"};

// An object as the listers hold it: `name` in `ns` with `spec`.
std::shared_ptr<const json::object> with_spec(const std::string& name, const std::string& spec,
                                              const std::string& ns = "default") {
  return obj(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"("},"spec":)" + spec + "}");
}

// A pod with labels and, unless `owner` is empty, that ownerReferences entry.
PodInfoPtr owned_pod(const std::string& name, const std::string& labels, const std::string& owner = "",
                     const std::string& spec = "{}") {
  auto base = pod(name, spec, labels);
  if (owner.empty()) return base;
  json::object o = *base->object;
  o["metadata"].as_object()["ownerReferences"] = json::array{json::parse(owner)};
  return parse_pod(std::make_shared<const json::object>(std::move(o)));
}

std::string controller(const std::string& api_version, const std::string& kind, const std::string& name,
                       bool is_controller = true) {
  return R"({"apiVersion":")" + api_version + R"(","kind":")" + kind + R"(","name":")" + name +
         R"(","uid":"u-)" + name + R"(","controller":)" + (is_controller ? "true" : "false") + "}";
}

enum class Prefers { N1, N2, NoDefaults };

struct SelectorCase {
  const char* name;
  std::function<void(FakeObjectLister&)> objects;
  std::string owner;  // the incoming pod's owner reference, "" for none
  Prefers want;
};

// Two nodes without zones: n1 runs two web/front pods, n2 three web/back pods, and the
// incoming pod is web/front. Which node System defaulting prefers shows which selector
// it derived: app=web finds n2 busier (3 pods to 2), tier=front finds pods on n1 only.
TEST(PodTopologySpreadDefaults, SystemDefaultsUseTheDerivedSelector) {
  const std::string rs_front =
      R"({"selector":{"matchExpressions":[{"key":"tier","operator":"In","values":["front"]}]}})";
  std::vector<SelectorCase> cases = {
      {"Service selecting the pod: its selector counts",
       [](FakeObjectLister& l) { l.add(kServices, with_spec("web", R"({"selector":{"app":"web"}})")); }, "",
       Prefers::N1},
      {"narrower Service: only its pods count",
       [](FakeObjectLister& l) { l.add(kServices, with_spec("front", R"({"selector":{"tier":"front"}})")); },
       "", Prefers::N2},
      {"no Service, no owner: no default constraints", [](FakeObjectLister&) {}, "", Prefers::NoDefaults},
      {"Service in another namespace",
       [](FakeObjectLister& l) {
         l.add(kServices, with_spec("web", R"({"selector":{"app":"web"}})", "other"));
       },
       "", Prefers::NoDefaults},
      {"Service selecting other pods",
       [](FakeObjectLister& l) { l.add(kServices, with_spec("db", R"({"selector":{"app":"db"}})")); }, "",
       Prefers::NoDefaults},
      {"Service without a selector selects nothing",
       [](FakeObjectLister& l) { l.add(kServices, with_spec("headless", "{}")); }, "", Prefers::NoDefaults},
      {"ReplicaSet owner: its selector",
       [&](FakeObjectLister& l) { l.add(kReplicaSets, with_spec("rs", rs_front)); },
       controller("apps/v1", "ReplicaSet", "rs"), Prefers::N2},
      {"StatefulSet owner: its selector",
       [&](FakeObjectLister& l) { l.add(kStatefulSets, with_spec("ss", rs_front)); },
       controller("apps/v1", "StatefulSet", "ss"), Prefers::N2},
      {"ReplicationController owner: its selector",
       [](FakeObjectLister& l) { l.add(kRcs, with_spec("rc", R"({"selector":{"app":"web"}})")); },
       controller("v1", "ReplicationController", "rc"), Prefers::N1},
      {"Service and owner: requirements of both",
       [&](FakeObjectLister& l) {
         l.add(kServices, with_spec("web", R"({"selector":{"app":"web"}})"));
         l.add(kReplicaSets, with_spec("rs", rs_front));
       },
       controller("apps/v1", "ReplicaSet", "rs"), Prefers::N2},
      {"owner not in the cache", [](FakeObjectLister&) {}, controller("apps/v1", "ReplicaSet", "gone"),
       Prefers::NoDefaults},
      {"owner of another kind (Job)", [](FakeObjectLister&) {}, controller("batch/v1", "Job", "job"),
       Prefers::NoDefaults},
      {"owner at an old apiVersion",
       [&](FakeObjectLister& l) { l.add(kReplicaSets, with_spec("rs", rs_front)); },
       controller("extensions/v1beta1", "ReplicaSet", "rs"), Prefers::NoDefaults},
      {"owner reference that is not the controller",
       [&](FakeObjectLister& l) { l.add(kReplicaSets, with_spec("rs", rs_front)); },
       controller("apps/v1", "ReplicaSet", "rs", false), Prefers::NoDefaults},
      {"owner with a malformed selector adds nothing",
       [](FakeObjectLister& l) {
         l.add(kReplicaSets,
               with_spec("rs", R"({"selector":{"matchExpressions":[{"key":"tier","operator":"In"}]}})"));
       },
       controller("apps/v1", "ReplicaSet", "rs"), Prefers::NoDefaults},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    FakeObjectLister lister;
    c.objects(lister);
    PluginHarness h("PodTopologySpread");
    h.listers(&lister);
    h.node({"n1"});
    h.node({"n2"});
    for (int i = 0; i < 2; ++i)
      h.bound(pod("f" + std::to_string(i), "{}", R"({"app":"web","tier":"front"})"), "n1");
    for (int i = 0; i < 3; ++i)
      h.bound(pod("b" + std::to_string(i), "{}", R"({"app":"web","tier":"back"})"), "n2");
    auto s = h.scores(*owned_pod("p", R"({"app":"web","tier":"front"})", c.owner));
    switch (c.want) {
      case Prefers::N1: EXPECT_GT(s["n1"], s["n2"]); break;
      case Prefers::N2: EXPECT_GT(s["n2"], s["n1"]); break;
      case Prefers::NoDefaults:  // PreScore skipped: nothing scored
        EXPECT_EQ(s["n1"], 0);
        EXPECT_EQ(s["n2"], 0);
        break;
    }
  }
}

TEST(PodTopologySpreadDefaults, NoListersMeansNoDefaults) {
  PluginHarness h("PodTopologySpread");
  h.node({"n1"});
  h.node({"n2"});
  h.bound(pod("e", "{}", R"({"app":"web"})"), "n1");
  auto s = h.scores(*owned_pod("p", R"({"app":"web"})", controller("apps/v1", "ReplicaSet", "rs")));
  EXPECT_EQ(s["n1"], 0);
  EXPECT_EQ(s["n2"], 0);
}

TEST(PodTopologySpreadDefaults, PodsWithTheirOwnConstraintsGetNoDefaults) {
  FakeObjectLister lister;
  lister.add(kServices, with_spec("web", R"({"selector":{"app":"web"}})"));
  PluginHarness h("PodTopologySpread");
  h.listers(&lister);
  h.node({"n1"});
  h.node({"n2"});
  h.bound(pod("e", "{}", R"({"app":"web"})"), "n1");
  // Only a hard constraint of its own (on pods nothing matches): nothing to score.
  const std::string own =
      R"({"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"none"}}}]})";
  auto s = h.scores(*owned_pod("p", R"({"app":"web"})", "", own));
  EXPECT_EQ(s["n1"], 0);
  EXPECT_EQ(s["n2"], 0);
}

// n1, n2 in zone a; n3 in zone b; n4 without a zone. One web pod runs on n1 and a
// Service selects app=web.
template <class H>
void zoned(H& h) {
  for (auto [name, zone] : {std::pair<const char*, const char*>{"n1", "a"}, {"n2", "a"}, {"n3", "b"}}) {
    NodeSpec n{name};
    n.labels["topology.kubernetes.io/zone"] = zone;
    h.node(n);
  }
  h.node({"n4"});
  h.bound(pod("e", "{}", R"({"app":"web"})"), "n1");
}

json::object list_args(const std::string& constraints) {
  return json::parse(R"({"defaultingType":"List","defaultConstraints":)" + constraints + "}").as_object();
}

TEST(PodTopologySpreadDefaults, ListConstraintsFilter) {
  const std::string zone_hard =
      R"([{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"DoNotSchedule"}])";
  struct Case {
    const char* name;
    json::object args;
    bool service;
    std::map<std::string, Code> want;
  };
  const Code ok = Code::Success, no = Code::Unschedulable, never = Code::UnschedulableAndUnresolvable;
  std::vector<Case> cases = {
      {"System: only soft defaults, every node passes",
       {},
       true,
       {{"n1", ok}, {"n2", ok}, {"n3", ok}, {"n4", ok}}},
      {"List, zone maxSkew 1: zone b only",
       list_args(zone_hard),
       true,
       {{"n1", no}, {"n2", no}, {"n3", ok}, {"n4", never}}},
      {"List, zone maxSkew 2: zone a still fits",
       list_args(
           R"([{"maxSkew":2,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"DoNotSchedule"}])"),
       true,
       {{"n1", ok}, {"n2", ok}, {"n3", ok}, {"n4", never}}},
      {"List, but nothing selects the pod",
       list_args(zone_hard),
       false,
       {{"n1", ok}, {"n2", ok}, {"n3", ok}, {"n4", ok}}},
      {"List of none: defaulting off",
       list_args("[]"),
       true,
       {{"n1", ok}, {"n2", ok}, {"n3", ok}, {"n4", ok}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    FakeObjectLister lister;
    if (c.service) lister.add(kServices, with_spec("web", R"({"selector":{"app":"web"}})"));
    PluginHarness h("PodTopologySpread", c.args);
    h.listers(&lister);
    zoned(h);
    auto p = pod("p", "{}", R"({"app":"web"})");
    for (const auto& [node, code] : c.want) EXPECT_EQ(h.filter(*p, node).code(), code) << node;
  }
}

TEST(PodTopologySpreadDefaults, ListConstraintsScore) {
  struct Case {
    const char* name;
    json::object args;
    std::string best;  // the one top-scoring node; "" when nothing scores
  };
  std::vector<Case> cases = {
      // Hostname and zone; n4 lacks a zone and only scores on its (empty) hostname.
      {"System", {}, "n4"},
      // A List requires every key: n4 is out of the running, zone b wins.
      {"List, zone soft",
       list_args(
           R"([{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway"}])"),
       "n3"},
      {"List of none", list_args("[]"), ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    FakeObjectLister lister;
    lister.add(kServices, with_spec("web", R"({"selector":{"app":"web"}})"));
    PluginHarness h("PodTopologySpread", c.args);
    h.listers(&lister);
    zoned(h);
    auto s = h.scores(*pod("p", "{}", R"({"app":"web"})"));
    std::string best;
    int64_t top = 0;
    for (const auto& [node, score] : s)
      if (score > top) {
        top = score;
        best = node;
      } else if (score == top && score > 0) {
        best += "," + node;  // a tie is not a preference
      }
    EXPECT_EQ(best, c.best);
    if (c.best == "n3") {
      EXPECT_EQ(s["n4"], 0);
    }
  }
}

TEST(PodTopologySpreadDefaults, ArgsValidation) {
  struct Case {
    const char* name;
    const char* args;
    std::string error;  // "" when valid
  };
  const std::string zone = R"("topologyKey":"topology.kubernetes.io/zone")";
  std::vector<Case> cases = {
      {"empty: System", "{}", ""},
      {"System", R"({"defaultingType":"System"})", ""},
      {"List of none", R"({"defaultingType":"List","defaultConstraints":[]})", ""},
      {"List, maxSkew as a whole double",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":2.0,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","minDomains":2,"nodeTaintsPolicy":"Honor","matchLabelKeys":["app"]}]})",
       ""},
      {"unknown defaultingType", R"({"defaultingType":"Sometimes"})",
       R"(defaultingType: Unsupported value: "Sometimes": supported values: "System", "List")"},
      {"System with constraints",
       R"({"defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]})",
       R"(defaultingType: Invalid value: "System": when .defaultConstraints are not empty)"},
      {"maxSkew zero",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":0,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]})",
       "defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)"},
      {"maxSkew missing",
       R"({"defaultingType":"List","defaultConstraints":[{"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]})",
       "defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)"},
      {"maxSkew fractional",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1.5,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]})",
       "defaultConstraints[0].maxSkew: Invalid value: 1.5: not in valid range (0, inf)"},
      {"topologyKey missing",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"whenUnsatisfiable":"DoNotSchedule"}]})",
       "defaultConstraints[0].topologyKey: Required value: can not be empty"},
      {"topologyKey not a label key",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"my zone","whenUnsatisfiable":"DoNotSchedule"}]})",
       R"(defaultConstraints[0].topologyKey: Invalid value: "my zone": the name part must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)"},
      {"topologyKey with a bad prefix",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"Topology/zone","whenUnsatisfiable":"DoNotSchedule"}]})",
       R"(defaultConstraints[0].topologyKey: Invalid value: "Topology/zone": the prefix must be a DNS subdomain (lowercase alphanumerics, '-' and '.', at most 253 characters))"},
      {"whenUnsatisfiable missing",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"zone"}]})",
       "defaultConstraints[0].whenUnsatisfiable: Required value: can not be empty"},
      {"whenUnsatisfiable unknown",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"Maybe"}]})",
       R"(defaultConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway")"},
      {"labelSelector set",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"web"}}}]})",
       "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as it is "
       "derived "
       "for each pod from the Services and controllers that select it"},
      {"duplicate key and action",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"},{"maxSkew":2,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]})",
       R"(defaultConstraints[1]: Duplicate value: "{zone, DoNotSchedule}")"},
      {"minDomains zero",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","minDomains":0}]})",
       "defaultConstraints[0].minDomains: Invalid value: 0: must be greater than 0"},
      {"bad policy",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","nodeAffinityPolicy":"Sometimes"}]})",
       R"(defaultConstraints[0].nodeAffinityPolicy: Unsupported value: "Sometimes": supported values: "Honor", "Ignore")"},
      {"unknown constraint field",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","maxSkw":2}]})",
       "defaultConstraints[0].maxSkw: unknown field"},
      {"constraints not a list", R"({"defaultingType":"List","defaultConstraints":{"maxSkew":1}})",
       R"(defaultConstraints: Invalid value: {"maxSkew":1}: must be a list of constraints)"},
      {"constraint not an object", R"({"defaultingType":"List","defaultConstraints":[3]})",
       "defaultConstraints[0]: Invalid value: 3: must be an object"},
      {"every problem at once",
       R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":-1,"topologyKey":"zone"}]})",
       "[defaultConstraints[0].maxSkew: Invalid value: -1: not in valid range (0, inf), "
       "defaultConstraints[0].whenUnsatisfiable: Required value: can not be empty]"},
      {"unknown arg", R"({"defaultConstraint":[]})",
       R"(unknown arg "defaultConstraint" (known args: defaultingType, defaultConstraints))"},
  };
  Registry registry;
  register_in_tree(registry);
  Cache cache;
  NullHandle handle(cache);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string got;
    try {
      (*registry.find("PodTopologySpread"))(json::parse(c.args).as_object(), handle);
    } catch (const std::invalid_argument& e) {
      got = e.what();
    }
    EXPECT_EQ(got, c.error);
  }
}

TEST(PodTopologySpreadDefaults, ProfileErrorsNameThePluginAndField) {
  Registry registry;
  register_in_tree(registry);
  Cache cache;
  ProfileSpec spec;
  spec.args["PodTopologySpread"] =
      list_args(R"([{"maxSkew":0,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}])");
  Framework::Services services;
  services.snapshot = &cache;
  try {
    Framework fw(spec, registry, services);
    ADD_FAILURE() << "bad args accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "profile default-scheduler: plugin PodTopologySpread: defaultConstraints[0].maxSkew: Invalid value: "
        "0: not in valid range (0, inf)");
  }
  // A framework hands its plugins the listers it was built with.
  FakeObjectLister lister;
  services.listers = &lister;
  Framework fw({}, registry, services);
  EXPECT_EQ(fw.listers(), &lister);
}

}  // namespace
}  // namespace ukube::scheduler::testing
