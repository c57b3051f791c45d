// The whole scheduler against a real in-process kernel: binding, status and events,
// re-queueing on cluster events, preemption, profiles and leader election.
#include <gtest/gtest.h>

#include "tests/unit/scheduler/scheduler_kernel.h"
#include "ukube/controller/leader_election.h"
#include "ukube/scheduler/object_lister.h"

namespace ukube::scheduler::testing {
namespace {

TEST(SchedulerLoop, BindsAPodToTheNodeThatFits) {
  SchedulerKernel k;
  k.node("small", "1");
  k.node("big", "8");
  k.start();
  k.pod("p", "", "2");
  ASSERT_TRUE(eventually([&] { return k.node_of("p") == "big"; }));
  EXPECT_TRUE(eventually([&] { return !k.event_messages("p", "Scheduled").empty(); }));
  EXPECT_EQ(k.event_messages("p", "Scheduled").front(), "Successfully assigned default/p to big");
}

TEST(SchedulerLoop, UnschedulablePodGetsConditionAndEventThenFitsANewNode) {
  SchedulerKernel k;
  k.node("n1", "1");
  k.node("tainted", "8", "8Gi", "",
         R"({"taints":[{"key":"dedicated","value":"infra","effect":"NoSchedule"}]})");
  k.start();
  k.pod("p", "", "2");
  const std::string want =
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: infra}. "
      "preemption: "
      "0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful "
      "for "
      "scheduling.";
  ASSERT_TRUE(eventually([&] { return k.scheduled_condition("p") == "False/Unschedulable/" + want; }))
      << k.scheduled_condition("p");
  ASSERT_TRUE(eventually([&] { return !k.event_messages("p", "FailedScheduling").empty(); }));
  EXPECT_EQ(k.event_messages("p", "FailedScheduling").front(), want);

  k.node("n2", "4");
  ASSERT_TRUE(eventually([&] { return k.node_of("p") == "n2"; }));
  EXPECT_TRUE(eventually([&] { return k.scheduled_condition("p").starts_with("True/"); }));
}

TEST(SchedulerLoop, DeletedPodFreesRoomForAPendingOne) {
  SchedulerKernel k;
  k.node("n1", "2");
  k.start();
  k.pod("first", "", "2");
  ASSERT_TRUE(eventually([&] { return k.node_of("first") == "n1"; }));
  k.pod("second", "", "2");
  ASSERT_TRUE(eventually([&] { return k.scheduled_condition("second").starts_with("False/"); }));
  k.kubelet_stops("first");  // a delete and its kubelet's final delete in one
  EXPECT_TRUE(eventually([&] { return k.node_of("second") == "n1"; }));
}

TEST(SchedulerLoop, PreemptsLowerPriorityPods) {
  SchedulerKernel k;
  k.client().create(kPriorityClasses, "",
                    bt::parse(R"({"metadata":{"name":"high"},"value":1000,"description":"urgent"})"));
  k.node("n1", "2");
  k.start();
  k.pod("low", "", "2");
  ASSERT_TRUE(eventually([&] { return k.node_of("low") == "n1"; }));
  k.pod("high", R"(,"priorityClassName":"high")", "2");
  ASSERT_TRUE(eventually([&] { return k.evicted("low"); }));
  k.kubelet_stops("low");
  EXPECT_TRUE(eventually([&] { return k.node_of("high") == "n1"; }));
}

TEST(SchedulerLoop, PreemptionPrefersVictimsTheirBudgetsAllow) {
  SchedulerKernel k;
  k.client().create(kPriorityClasses, "", bt::parse(R"({"metadata":{"name":"high"},"value":1000})"));
  // No disruptions allowed for app=guarded (no status: nothing allowed yet).
  k.client().create(
      kPdbs, "default",
      bt::parse(
          R"({"metadata":{"name":"guard"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"guarded"}}}})"));
  k.node("n1", "2");
  k.node("n2", "2");
  k.start();
  k.pod("guarded", R"(,"nodeName":"n1")", "2", R"({"app":"guarded"})");
  k.pod("free", R"(,"nodeName":"n2")", "2", R"({"app":"free"})");
  k.pod("high", R"(,"priorityClassName":"high")", "2");
  ASSERT_TRUE(eventually([&] { return k.evicted("free"); }));
  k.kubelet_stops("free");
  EXPECT_TRUE(eventually([&] { return k.node_of("high") == "n2"; }));
  EXPECT_FALSE(k.evicted("guarded"));
}

TEST(SchedulerLoop, PreemptionSparesPodsAtTheSamePriority) {
  SchedulerKernel k;
  k.node("n1", "2");
  k.start();
  k.pod("a", "", "2");
  ASSERT_TRUE(eventually([&] { return k.node_of("a") == "n1"; }));
  k.pod("b", "", "2");
  ASSERT_TRUE(eventually([&] {
    return k.scheduled_condition("b").find(
               "preemption: 0/1 nodes are available: 1 No preemption victims found") != std::string::npos;
  })) << k.scheduled_condition("b");
  EXPECT_FALSE(k.evicted("a"));
}

// A finalizer keeps a victim around, terminating, so the test can read what it was told
// and decide when it is really gone.
void hold(SchedulerKernel& k, const std::string& pod) {
  k.client().patch(kPods, "default", pod, PatchType::JsonMerge,
                   R"({"metadata":{"finalizers":["example.com/hold"]}})");
}
void release(SchedulerKernel& k, const std::string& pod) {
  k.client().patch(kPods, "default", pod, PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
}

TEST(SchedulerLoop, PreemptionMarksTheVictimDisruptionTargetAndRecordsWhy) {
  SchedulerKernel k;
  k.client().create(kPriorityClasses, "", bt::parse(R"({"metadata":{"name":"high"},"value":1000})"));
  k.node("n1", "2");
  k.start();
  k.pod("low", "", "2");
  ASSERT_TRUE(eventually([&] { return k.node_of("low") == "n1"; }));
  hold(k, "low");
  auto high = k.pod("high", R"(,"priorityClassName":"high")", "2");
  EXPECT_TRUE(eventually([&] {
    return k.condition("low", "DisruptionTarget") ==
           "True/PreemptionByScheduler/default-scheduler: preempting to accommodate a higher priority pod";
  })) << k.condition("low", "DisruptionTarget");
  ASSERT_TRUE(eventually([&] { return !k.event_messages("low", "Preempted").empty(); }));
  EXPECT_EQ(k.event_messages("low", "Preempted").front(),
            "Preempted by pod " + std::string(bt::at(*high, "metadata.uid").as_string()) + " on node n1");
  EXPECT_TRUE(bt::at(*k.client().get(kPods, "default", "low"), "metadata.deletionTimestamp").is_string());
  EXPECT_EQ(k.node_of("high"), "");  // its victim still holds the room

  release(k, "low");
  EXPECT_TRUE(eventually([&] { return k.node_of("high") == "n1"; }));
}

TEST(SchedulerLoop, PreemptionTakesTheNominationOfLowerPriorityPods) {
  SchedulerKernel k;
  k.client().create(kPriorityClasses, "", bt::parse(R"({"metadata":{"name":"mid"},"value":500})"));
  k.client().create(kPriorityClasses, "", bt::parse(R"({"metadata":{"name":"high"},"value":1000})"));
  k.node("n1", "2");
  k.start();
  k.pod("low", "", "2");
  ASSERT_TRUE(eventually([&] { return k.node_of("low") == "n1"; }));
  hold(k, "low");
  k.pod("mid", R"(,"priorityClassName":"mid")", "2");
  ASSERT_TRUE(eventually([&] { return k.nominated_node("mid") == "n1"; }));

  // While "low" is still leaving, a more important pod claims the same room.
  k.pod("high", R"(,"priorityClassName":"high")", "2");
  EXPECT_TRUE(eventually([&] { return k.nominated_node("high") == "n1"; }));
  EXPECT_TRUE(eventually([&] { return k.nominated_node("mid").empty(); })) << k.nominated_node("mid");

  release(k, "low");
  EXPECT_TRUE(eventually([&] { return k.node_of("high") == "n1"; }));
  EXPECT_EQ(k.node_of("mid"), "");
}

TEST(SchedulerLoop, PreemptionReadsBudgetsFromItsInformerNotTheServer) {
  SchedulerKernel k;
  k.client().create(kPriorityClasses, "", bt::parse(R"({"metadata":{"name":"high"},"value":1000})"));
  k.node("n1", "2");
  k.node("n2", "2");
  SchedulerService& service = k.start();
  // Created after the scheduler synced: only the informer's watch can bring it in.
  k.client().create(
      kPdbs, "default",
      bt::parse(
          R"({"metadata":{"name":"guard"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"guarded"}}}})"));
  const ObjectLister* cached = service.scheduler().framework("default-scheduler")->listers();
  ASSERT_NE(cached, nullptr);
  ASSERT_TRUE(eventually([&] { return cached->get(kPdbs, "default", "guard") != nullptr; }));
  const size_t lists = k.lists(kPdbs);

  k.pod("guarded", R"(,"nodeName":"n1")", "2", R"({"app":"guarded"})");
  k.pod("free", R"(,"nodeName":"n2")", "2", R"({"app":"free"})");
  k.pod("high", R"(,"priorityClassName":"high")", "2");
  ASSERT_TRUE(eventually([&] { return k.evicted("free"); }));
  k.kubelet_stops("free");
  EXPECT_TRUE(eventually([&] { return k.node_of("high") == "n2"; }));
  EXPECT_FALSE(k.evicted("guarded"));
  EXPECT_EQ(k.lists(kPdbs), lists) << "a preemption attempt listed PodDisruptionBudgets";
}

TEST(SchedulerLoop, ProfilesAreSelectedBySchedulerName) {
  SchedulerKernel k;
  Settings s;
  ProfileSpec packer;
  packer.scheduler_name = "packer";
  packer.args["NodeResourcesFit"] = bt::parse(R"({"scoringStrategy":{"type":"MostAllocated"}})");
  packer.points[static_cast<size_t>(Point::Score)].disabled = {"NodeResourcesBalancedAllocation"};
  s.scheduler.profiles = {ProfileSpec{}, packer};
  k.node("n1", "4");
  k.node("n2", "4");
  k.start(std::move(s));
  k.pod("seed", R"(,"nodeName":"n1")", "2");
  k.pod("packed", R"(,"schedulerName":"packer")", "1");
  k.pod("spread", "", "1");
  EXPECT_TRUE(eventually([&] { return k.node_of("packed") == "n1"; }));
  EXPECT_TRUE(eventually([&] { return k.node_of("spread") == "n2"; }));
  k.pod("nobody", R"(,"schedulerName":"someone-else")");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(k.node_of("nobody"), "");
}

TEST(LeaderElection, OneHolderAtATimeAndTakeoverAfterRelease) {
  SchedulerKernel k;
  controller::LeaseSettings s;
  s.name = "kube-scheduler";
  s.identity = "a";
  s.lease_duration = std::chrono::milliseconds(3000);
  controller::LeaderElector a(k.shared_client(), s, {});
  s.identity = "b";
  controller::LeaderElector b(k.shared_client(), s, {});
  EXPECT_TRUE(a.try_acquire_or_renew());
  EXPECT_FALSE(b.try_acquire_or_renew());
  EXPECT_TRUE(a.try_acquire_or_renew());  // renewing
  auto lease = k.client().get(kLeases, "kube-system", "kube-scheduler");
  EXPECT_EQ(bt::at(*lease, "spec.holderIdentity"), "a");
}

TEST(LeaderElection, StandbyTakesOverWhenTheLeaderStops) {
  SchedulerKernel k;
  controller::LeaseSettings s;
  s.name = "kube-scheduler";
  s.lease_duration = std::chrono::milliseconds(1000);
  s.renew_deadline = std::chrono::milliseconds(800);
  s.retry_period = std::chrono::milliseconds(50);
  std::atomic<int> a_leads{0}, b_leads{0};
  s.identity = "a";
  auto a = std::make_unique<controller::LeaderElector>(k.shared_client(), s,
                                                       controller::LeaderCallbacks{[&] { ++a_leads; }, {}});
  s.identity = "b";
  controller::LeaderElector b(k.shared_client(), s, controller::LeaderCallbacks{[&] { ++b_leads; }, {}});
  a->start();
  ASSERT_TRUE(eventually([&] { return a_leads == 1; }));
  b.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(b_leads, 0);
  a->stop();
  EXPECT_TRUE(eventually([&] { return b_leads == 1; }));
  auto lease = k.client().get(kLeases, "kube-system", "kube-scheduler");
  EXPECT_EQ(bt::at(*lease, "spec.holderIdentity"), "b");
  EXPECT_EQ(bt::at(*lease, "spec.leaseTransitions"), 1);
}

}  // namespace
}  // namespace ukube::scheduler::testing
