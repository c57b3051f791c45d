// The scheduling queue: order, back-off, and moving unschedulable pods on events.
#include <gtest/gtest.h>

#include "framework/registry.h"
#include "queue/scheduling_queue.h"
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

class QueueTest : public ::testing::Test {
 protected:
  QueueTest() : handle_(cache_) {
    Registry r;
    register_in_tree(r);
    sort_ = (*r.find("PrioritySort"))({}, handle_);
    QueueSettings s;
    s.initial_backoff = std::chrono::seconds(1);
    s.max_backoff = std::chrono::seconds(10);
    queue_ = std::make_unique<SchedulingQueue>(dynamic_cast<QueueSortPlugin*>(sort_.get()), s,
                                               [this] { return now_; });
  }
  PodInfoPtr prio(const std::string& name, int32_t priority) {
    auto p = std::make_shared<PodInfo>(*pod(name));
    p->priority = priority;
    return p;
  }
  std::string pop_name() {
    auto p = queue_->pop();
    return p ? p->pod->name : "";
  }

  Cache cache_;
  NullHandle handle_;
  std::unique_ptr<FrameworkPlugin> sort_;
  Clock::time_point now_ = Clock::time_point() + std::chrono::hours(1);
  std::unique_ptr<SchedulingQueue> queue_;
};

TEST_F(QueueTest, PopsByPriorityThenArrival) {
  queue_->add_or_update(prio("low", 0));
  now_ += std::chrono::milliseconds(1);
  queue_->add_or_update(prio("high", 100));
  now_ += std::chrono::milliseconds(1);
  queue_->add_or_update(prio("low2", 0));
  EXPECT_EQ(pop_name(), "high");
  EXPECT_EQ(pop_name(), "low");
  EXPECT_EQ(pop_name(), "low2");
  EXPECT_EQ(pop_name(), "");
}

TEST_F(QueueTest, PriorityChangeReordersAnActivePod) {
  queue_->add_or_update(prio("a", 0));
  queue_->add_or_update(prio("b", 0));
  queue_->add_or_update(prio("b", 50));
  EXPECT_EQ(pop_name(), "b");
  EXPECT_EQ(pop_name(), "a");
  EXPECT_EQ(pop_name(), "");
}

TEST_F(QueueTest, UnschedulablePodWaitsForAnEvent) {
  queue_->add_or_update(prio("p", 0));
  auto popped = queue_->pop();
  queue_->requeue_unschedulable(*popped);
  EXPECT_EQ(queue_->unschedulable_size(), 1u);
  now_ += std::chrono::seconds(30);
  queue_->flush();
  EXPECT_EQ(pop_name(), "");  // no event: stays put
  queue_->move_all_unschedulable();
  EXPECT_EQ(pop_name(), "p");  // its 1s back-off is long over
}

TEST_F(QueueTest, EventDuringTheCycleSendsThePodToBackoff) {
  queue_->add_or_update(prio("p", 0));
  auto popped = queue_->pop();
  queue_->move_all_unschedulable();  // e.g. a node was added while the pod was in flight
  queue_->requeue_unschedulable(*popped);
  EXPECT_EQ(queue_->unschedulable_size(), 0u);
  EXPECT_EQ(queue_->backoff_size(), 1u);
  EXPECT_EQ(pop_name(), "");
  now_ += std::chrono::milliseconds(1001);
  queue_->flush();
  EXPECT_EQ(pop_name(), "p");
}

TEST_F(QueueTest, BackoffDoublesPerAttemptUpToTheMaximum) {
  queue_->add_or_update(prio("p", 0));
  std::vector<int64_t> waits;
  for (int i = 0; i < 6; ++i) {
    auto popped = queue_->pop();
    ASSERT_TRUE(popped);
    queue_->requeue_backoff(*popped);
    auto at = queue_->next_wakeup();
    ASSERT_TRUE(at);
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(*at - now_).count());
    now_ = *at;
    queue_->flush();
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{1, 2, 4, 8, 10, 10}));
}

TEST_F(QueueTest, LongUnschedulablePodsAreRetriedAnyway) {
  queue_->add_or_update(prio("p", 0));
  queue_->requeue_unschedulable(*queue_->pop());
  now_ += std::chrono::minutes(5) + std::chrono::seconds(1);
  queue_->flush();
  EXPECT_EQ(pop_name(), "p");
}

TEST_F(QueueTest, ChangedUnschedulablePodGetsAnotherChance) {
  queue_->add_or_update(prio("p", 0));
  queue_->requeue_unschedulable(*queue_->pop());
  now_ += std::chrono::seconds(2);
  queue_->add_or_update(prio("p", 0));
  EXPECT_EQ(pop_name(), "p");
}

TEST_F(QueueTest, GatedPodsWaitForTheirGates) {
  auto gated = std::make_shared<PodInfo>(*pod("g"));
  gated->gated = true;
  queue_->add_or_update(gated);
  EXPECT_EQ(pop_name(), "");
  queue_->add_or_update(pod("g"));
  EXPECT_EQ(pop_name(), "g");
}

TEST_F(QueueTest, RemovedPodsAreNeverPopped) {
  queue_->add_or_update(prio("a", 0));
  queue_->add_or_update(prio("b", 0));
  queue_->remove("default-a");
  EXPECT_EQ(pop_name(), "b");
  EXPECT_EQ(pop_name(), "");
}

TEST_F(QueueTest, NominatedPodsAreListedByNode) {
  auto p = prio("p", 5);
  queue_->add_or_update(p);
  queue_->nominate(p, "n1");
  ASSERT_EQ(queue_->nominated_pods("n1").size(), 1u);
  queue_->remove(p->uid);
  EXPECT_TRUE(queue_->nominated_pods("n1").empty());
}

TEST_F(QueueTest, UnnominatedPodStaysQueued) {
  auto p = prio("p", 5);
  queue_->add_or_update(p);
  queue_->nominate(p, "n1");
  queue_->unnominate(p->uid);
  EXPECT_TRUE(queue_->nominated_pods("n1").empty());
  EXPECT_TRUE(queue_->nominated_pods_empty());
  EXPECT_TRUE(queue_->contains(p->uid));
}

}  // namespace
}  // namespace ukube::scheduler::testing
