// One scheduling cycle driven by hand: how many feasible nodes it looks for before
// scoring (percentageOfNodesToScore), where the next pod starts, and what happens to an
// assumed pod whose binding fails.
#include <gtest/gtest.h>

#include "runtime/scheduler.h"
#include "tests/support/test_kernel.h"
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

// A filter that admits every node and remembers which ones it saw.
class CountingFilter final : public FilterPlugin {
 public:
  explicit CountingFilter(std::vector<std::string>* seen) : seen_(seen) {}
  std::string name() const override { return "CountingFilter"; }
  Status filter(const CycleState&, const PodInfo&, const NodeInfo& node) override {
    seen_->push_back(node.name);
    return {};
  }

 private:
  std::vector<std::string>* seen_;
};

class CycleTest : public ::testing::Test {
 protected:
  std::unique_ptr<Scheduler> make(int nodes, int32_t percentage) {
    Registry r;
    register_in_tree(r);
    r.add({"CountingFilter", [this](const json::object&, Handle&) -> std::unique_ptr<FrameworkPlugin> {
             return std::make_unique<CountingFilter>(&seen_);
           }});
    SchedulerSettings s;
    s.profiles[0].points[static_cast<size_t>(Point::Filter)].enabled = {{"CountingFilter", 0}};
    s.percentage_of_nodes_to_score = percentage;
    s.scheduled_events = false;
    auto sched = std::make_unique<Scheduler>(kernel_.client(), r, s);
    for (int i = 0; i < nodes; ++i) sched->node_added(node_object({"n" + std::to_string(i)}));
    return sched;
  }
  size_t filtered_for_one_pod(Scheduler& s, const std::string& name) {
    seen_.clear();
    s.pod_added(pod(name));
    s.process_events();
    EXPECT_TRUE(s.schedule_one());
    return seen_.size();
  }

  ukube::testing::TestKernel kernel_;
  std::vector<std::string> seen_;
};

TEST_F(CycleTest, Table) {
  struct Case {
    int nodes;
    int32_t percentage;
    size_t filtered;
  };
  std::vector<Case> cases = {
      {50, 10, 50},      // small clusters: every node
      {300, 0, 144},     // adaptive: 50% - 300/125 = 48%
      {300, 10, 100},    // never fewer than 100
      {300, 100, 300},   // all
      {5000, 0, 500},    // adaptive bottoms out at... 50 - 40 = 10%
      {20000, 0, 1000},  // ...and at 5%
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.nodes) + " nodes at " + std::to_string(c.percentage) + "%");
    auto s = make(c.nodes, c.percentage);
    EXPECT_EQ(filtered_for_one_pod(*s, "p"), c.filtered);
    s->wait_for_writes();
  }
}

TEST_F(CycleTest, NextPodStartsWhereTheLastStopped) {
  auto s = make(300, 10);
  filtered_for_one_pod(*s, "a");
  std::string last = seen_.back();
  filtered_for_one_pod(*s, "b");
  EXPECT_NE(seen_.front(), "n0");
  EXPECT_NE(seen_.front(), last);
  s->wait_for_writes();
}

}  // namespace
}  // namespace ukube::scheduler::testing

namespace ukube::scheduler::testing {
namespace {

TEST_F(CycleTest, FailedBindingIsForgottenAndRetried) {
  // The test kernel has no pods resource, so every binding is refused.
  auto s = make(1, 0);
  filtered_for_one_pod(*s, "p");
  EXPECT_TRUE(s->cache().is_assumed("default-p"));
  EXPECT_EQ(s->cache().find("n0")->pods.size(), 1u);
  s->wait_for_writes();
  s->process_events();
  EXPECT_FALSE(s->cache().is_assumed("default-p"));
  EXPECT_TRUE(s->cache().find("n0")->pods.empty());
  EXPECT_TRUE(s->queue().contains("default-p"));
  EXPECT_EQ(s->bound, 0u);
}

}  // namespace
}  // namespace ukube::scheduler::testing
