// Profiles: which plugins run where, config errors, and the fit-error message.
#include <gtest/gtest.h>

#include <thread>

#include "runtime/fit_error.h"
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

class FrameworkTest : public ::testing::Test {
 protected:
  FrameworkTest() { register_in_tree(registry_); }
  std::unique_ptr<Framework> make(const ProfileSpec& spec) {
    Framework::Services s;
    s.snapshot = &cache_;
    return std::make_unique<Framework>(spec, registry_, s);
  }
  Registry registry_;
  Cache cache_;
};

TEST_F(FrameworkTest, DefaultProfilePlacesPluginsLikeUpstream) {
  auto fw = make({});
  EXPECT_EQ(fw->plugins_at(Point::QueueSort), (std::vector<std::string>{"PrioritySort"}));
  EXPECT_EQ(
      fw->plugins_at(Point::Filter),
      (std::vector<std::string>{"NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity",
                                "NodePorts", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity"}));
  EXPECT_EQ(
      fw->plugins_at(Point::Score),
      (std::vector<std::string>{"TaintToleration", "NodeAffinity", "NodeResourcesFit", "PodTopologySpread",
                                "InterPodAffinity", "NodeResourcesBalancedAllocation", "ImageLocality"}));
  EXPECT_EQ(fw->plugins_at(Point::PostFilter), (std::vector<std::string>{"DefaultPreemption"}));
  EXPECT_EQ(fw->plugins_at(Point::Bind), (std::vector<std::string>{"DefaultBinder"}));
}

TEST_F(FrameworkTest, DisableAtOnePointAndEverywhere) {
  ProfileSpec spec;
  spec.points[static_cast<size_t>(Point::Score)].disabled = {"ImageLocality",
                                                             "NodeResourcesBalancedAllocation"};
  spec.multi_point.disabled = {"InterPodAffinity"};
  auto fw = make(spec);
  auto score = fw->plugins_at(Point::Score);
  EXPECT_EQ(std::count(score.begin(), score.end(), "ImageLocality"), 0);
  auto filter = fw->plugins_at(Point::Filter);
  EXPECT_EQ(std::count(filter.begin(), filter.end(), "InterPodAffinity"), 0);
  EXPECT_EQ(std::count(filter.begin(), filter.end(), "NodeResourcesFit"), 1);
}

TEST_F(FrameworkTest, StarDisablesEveryDefaultAtAPoint) {
  ProfileSpec spec;
  spec.points[static_cast<size_t>(Point::Score)].disabled = {"*"};
  spec.points[static_cast<size_t>(Point::Score)].enabled = {{"NodeResourcesFit", 5}};
  auto fw = make(spec);
  EXPECT_EQ(fw->plugins_at(Point::Score), (std::vector<std::string>{"NodeResourcesFit"}));
}

TEST_F(FrameworkTest, ConfigErrorsNameTheProfileAndPlugin) {
  ProfileSpec unknown;
  unknown.scheduler_name = "mine";
  unknown.multi_point.enabled = {{"NoSuchPlugin", 0}};
  try {
    make(unknown);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("profile mine: unknown plugin \"NoSuchPlugin\""), std::string::npos);
  }
  ProfileSpec misplaced;
  misplaced.points[static_cast<size_t>(Point::Bind)].enabled = {{"NodeName", 0}};
  EXPECT_THROW(make(misplaced), std::invalid_argument);
  ProfileSpec bad_args;
  bad_args.args["NodeResourcesFit"] = json::parse(R"({"bogus":true})").as_object();
  EXPECT_THROW(make(bad_args), std::invalid_argument);
  ProfileSpec no_binder;
  no_binder.points[static_cast<size_t>(Point::Bind)].disabled = {"*"};
  EXPECT_THROW(make(no_binder), std::invalid_argument);
}

TEST_F(FrameworkTest, FirstRejectingFilterWinsAndSkipLeavesPluginsOut) {
  auto fw = make({});
  NodeSpec n{"n1", "1", "1Gi"};
  n.spec = json::parse(R"({"unschedulable":true})").as_object();
  cache_.add_node(node_object(n));
  auto p = pod("p", requests("2"));
  CycleState state;
  PreFilterResult pre;
  ASSERT_TRUE(fw->run_pre_filter(state, *p, pre).ok());
  Status s = fw->run_filters(state, *p, *cache_.find("n1"));
  EXPECT_EQ(s.plugin(), "NodeUnschedulable");
  // NodePorts skipped itself at PreFilter: its bit is set.
  EXPECT_NE(state.skip_filter, 0u);
}

// Holds every pod at Permit until the test decides; counts reserve / unreserve.
class Gate final : public ReservePlugin, public PermitPlugin {
 public:
  std::string name() const override { return "Gate"; }
  Status reserve(CycleState&, const PodInfo&, const std::string&) override {
    ++reserved;
    return {};
  }
  void unreserve(CycleState&, const PodInfo&, const std::string&) override { ++unreserved; }
  Status permit(CycleState&, const PodInfo&, const std::string&,
                std::chrono::milliseconds& timeout) override {
    timeout = std::chrono::milliseconds(100);
    return Status::wait();
  }
  int reserved = 0;
  int unreserved = 0;
};

TEST_F(FrameworkTest, PermitWaitsUntilAllowedRejectedOrTimedOut) {
  Gate* gate = nullptr;
  registry_.add({"Gate", [&](const json::object&, Handle&) -> std::unique_ptr<FrameworkPlugin> {
                   auto g = std::make_unique<Gate>();
                   gate = g.get();
                   return g;
                 }});
  ProfileSpec spec;
  spec.multi_point.enabled = {{"Gate", 0}};
  auto fw = make(spec);
  ASSERT_NE(gate, nullptr);
  CycleState state;
  auto p = pod("p");

  ASSERT_TRUE(fw->run_reserve(state, *p, "n1").ok());
  EXPECT_EQ(gate->reserved, 1);
  ASSERT_TRUE(fw->run_permit(state, *p, "n1").is_wait());
  Status timed_out = fw->wait_on_permit(*p);
  EXPECT_EQ(timed_out.code(), Code::Unschedulable);
  EXPECT_EQ(timed_out.message(), "rejected due to timeout after waiting at permit");
  fw->run_unreserve(state, *p, "n1");
  EXPECT_EQ(gate->unreserved, 1);

  ASSERT_TRUE(fw->run_permit(state, *p, "n1").is_wait());
  std::thread allow([&] { fw->allow(p->uid, "Gate"); });
  EXPECT_TRUE(fw->wait_on_permit(*p).ok());
  allow.join();

  ASSERT_TRUE(fw->run_permit(state, *p, "n1").is_wait());
  fw->reject(p->uid, "Gate", "not today");
  Status rejected = fw->wait_on_permit(*p);
  EXPECT_EQ(rejected.message(), "not today");
  EXPECT_EQ(rejected.plugin(), "Gate");
}

TEST(FitError, ReadsLikeUpstream) {
  NodeStatuses statuses(3);
  statuses[0] =
      Status::unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
  statuses[1] = Status::unschedulable("Insufficient cpu");
  statuses[2] =
      Status(Code::Unschedulable, std::vector<std::string>{"Insufficient cpu", "Insufficient memory"});
  Diagnosis d;
  d.num_nodes = 3;
  d.statuses = &statuses;
  d.post_filter_message =
      "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No "
      "preemption victims found for incoming pod.";
  EXPECT_EQ(
      fit_error_message(d),
      "0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint "
      "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 "
      "Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
}

TEST(FitError, PreFilterRejection) {
  Diagnosis d;
  d.num_nodes = 5;
  d.pre_filter_message = "node(s) didn't match Pod's node affinity/selector";
  EXPECT_EQ(fit_error_message(d),
            "0/5 nodes are available: node(s) didn't match Pod's node affinity/selector.");
}

TEST(FitError, NoNodes) {
  NodeStatuses none;
  Diagnosis d;
  d.statuses = &none;
  EXPECT_EQ(fit_error_message(d), "0/0 nodes are available.");
}

}  // namespace
}  // namespace ukube::scheduler::testing
