// Which cluster events move a pod the scheduler gave up on back into the queue: only
// events a plugin that rejected it registered, and only when that plugin's hint says
// the event may help (EnqueueExtensions / QueueingHints).
#include <gtest/gtest.h>

#include "runtime/scheduler.h"
#include "tests/support/test_kernel.h"
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

NodeSpec tainted(std::string name) {
  NodeSpec n(std::move(name));
  n.spec["taints"] =
      json::array{json::object{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}};
  return n;
}

NodeSpec labelled(std::string name, const char* key, const char* value) {
  NodeSpec n(std::move(name));
  n.labels[key] = value;
  return n;
}

// A filter from a third party that rejects every node and registers no events.
class RejectAll final : public FilterPlugin {
 public:
  std::string name() const override { return "RejectAll"; }
  Status filter(const CycleState&, const PodInfo&, const NodeInfo&) override {
    return Status::unschedulable("rejected");
  }
};

class EnqueueTest : public ::testing::Test {
 protected:
  void start(NodeSpec first, PodInfoPtr pending, bool reject_all = false, PodInfoPtr bound = nullptr) {
    Registry r;
    register_in_tree(r);
    r.add({"RejectAll", [](const json::object&, Handle&) -> std::unique_ptr<FrameworkPlugin> {
             return std::make_unique<RejectAll>();
           }});
    SchedulerSettings s;
    if (reject_all) s.profiles[0].points[static_cast<size_t>(Point::Filter)].enabled = {{"RejectAll", 0}};
    s.scheduled_events = false;
    sched_ = std::make_unique<Scheduler>(kernel_.client(), r, s);
    first_ = node_object(first);
    sched_->node_added(first_);
    if (bound) sched_->pod_added(bound);
    sched_->pod_added(std::move(pending));
    sched_->process_events();
    ASSERT_TRUE(sched_->schedule_one());
    ASSERT_EQ(sched_->queue().unschedulable_size(), 1u) << "the pod should not fit the first node";
  }
  void TearDown() override {
    if (sched_) sched_->wait_for_writes();
  }
  // Whether the pending pod left the unschedulable pods after `event` was applied.
  bool moved() {
    sched_->process_events();
    return sched_->queue().unschedulable_size() == 0;
  }
  void update_first(NodeSpec now) {
    auto updated = node_object(std::move(now));
    sched_->node_updated(first_, updated);
    first_ = updated;
  }

  ukube::testing::TestKernel kernel_;
  std::unique_ptr<Scheduler> sched_;
  std::shared_ptr<const json::object> first_;
};

TEST_F(EnqueueTest, TaintRejectionWaitsForANodeThePodTolerates) {
  start(tainted("n1"), pod("p"));
  NodeSpec relabelled = tainted("n1");
  relabelled.labels["zone"] = "a";
  update_first(relabelled);  // labels: TaintToleration does not care
  EXPECT_FALSE(moved());
  sched_->node_added(node_object(tainted("n2")));  // a node with the same taint: no help
  EXPECT_FALSE(moved());
  sched_->node_added(node_object(NodeSpec("n3")));
  EXPECT_TRUE(moved());
}

TEST_F(EnqueueTest, TaintRemovedFromTheNodeHelps) {
  start(tainted("n1"), pod("p"));
  update_first(NodeSpec("n1"));
  EXPECT_TRUE(moved());
}

TEST_F(EnqueueTest, SelectorRejectionWaitsForMatchingLabels) {
  start(NodeSpec("n1"), pod("p", R"({"nodeSelector":{"disk":"ssd"}})"));
  update_first(tainted("n1"));  // taints: NodeAffinity does not care
  EXPECT_FALSE(moved());
  update_first(labelled("n1", "disk", "hdd"));  // labels, but not matching ones
  EXPECT_FALSE(moved());
  update_first(labelled("n1", "disk", "ssd"));
  EXPECT_TRUE(moved());
}

TEST_F(EnqueueTest, ResourceRejectionWaitsForRoom) {
  start(NodeSpec("n1", "4"), pod("big", requests("8")));
  sched_->node_added(node_object(NodeSpec("n2", "2")));  // too small as well
  EXPECT_FALSE(moved());
  sched_->node_added(node_object(NodeSpec("n3", "16")));
  EXPECT_TRUE(moved());
}

TEST_F(EnqueueTest, ResourceRejectionIsHelpedByABoundPodLeaving) {
  auto small = on(pod("small", requests("2")), "n1");
  start(NodeSpec("n1", "4"), pod("big", requests("3")), false, small);
  auto relabelled = on(pod("small", requests("2"), R"({"tier":"web"})"), "n1");
  sched_->pod_updated(relabelled, true);  // a label change frees no room
  EXPECT_FALSE(moved());
  sched_->pod_deleted(relabelled);
  EXPECT_TRUE(moved());
}

TEST_F(EnqueueTest, HeartbeatsMoveNothing) {
  start(tainted("n1"), pod("p"));
  NodeSpec same = tainted("n1");
  auto updated = node_object(same);
  auto with_conditions = std::make_shared<json::object>(*updated);
  (*with_conditions)["status"].as_object()["conditions"] = json::array{json::object{{"type", "Ready"}}};
  sched_->node_updated(first_, with_conditions);
  EXPECT_FALSE(moved());
}

TEST_F(EnqueueTest, APluginWithoutRegistrationsIsHelpedByAnyEvent) {
  start(NodeSpec("n1"), pod("p"), /*reject_all=*/true);
  update_first(labelled("n1", "zone", "a"));
  EXPECT_TRUE(moved());
}

}  // namespace
}  // namespace ukube::scheduler::testing
