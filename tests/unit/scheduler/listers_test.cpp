// The listers plugins reach through Handle::listers(): informer caches of Services and
// workload controllers, tolerant of kernels that do not serve them, and wired through
// SchedulerService into PodTopologySpread's default constraints.
#include <gtest/gtest.h>

#include "runtime/informer_listers.h"
#include "tests/unit/scheduler/scheduler_kernel.h"

namespace ukube::scheduler::testing {
namespace {

const GroupVersionResource kServices{"", "v1", "services"};
const GroupVersionResource kReplicaSets{"apps", "v1", "replicasets"};
const GroupVersionResource kStatefulSets{"apps", "v1", "statefulsets"};
const GroupVersionResource kRcs{"", "v1", "replicationcontrollers"};

void web_service(Client& c, const std::string& name = "web") {
  c.create(kServices, "default",
           bt::parse(R"({"metadata":{"name":")" + name +
                     R"("},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}})"));
}

TEST(InformerListers, ListsByNamespaceAndGetsByName) {
  SchedulerKernel k;
  web_service(k.client());
  k.client().create(kReplicaSets, "default", bt::parse(R"({"metadata":{"name":"rs"},"spec":{
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"app"}]}}}})"));
  auto resources = InformerListers::spread_resources();
  resources.push_back({"example.com", "v1", "widgets"});  // served by nobody
  InformerListers listers(k.shared_client(), resources);
  listers.start();
  auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(listers.wait_for_sync(std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));

  EXPECT_EQ(listers.list(kServices, "default").size(), 1u);
  EXPECT_TRUE(listers.list(kServices, "kube-system").empty());
  EXPECT_NE(listers.get(kReplicaSets, "default", "rs"), nullptr);
  EXPECT_EQ(listers.get(kReplicaSets, "default", "other"), nullptr);
  EXPECT_TRUE(listers.list({"example.com", "v1", "widgets"}, "default").empty());
  EXPECT_TRUE(listers.list({"", "v1", "configmaps"}, "default").empty());  // not watched

  web_service(k.client(), "web2");
  EXPECT_TRUE(eventually([&] { return listers.list(kServices, "default").size() == 2; }));
  listers.stop();
}

TEST(InformerListers, SchedulerRunsWhenTheKernelLacksTheTypes) {
  SchedulerKernel k;
  k.types().remove(kStatefulSets);
  k.types().remove(kRcs);
  k.node("n1");
  auto& service = k.start();
  EXPECT_TRUE(service.wait_for_sync(std::chrono::seconds(2)));
  k.pod("p", "", "", R"({"app":"web"})");
  EXPECT_TRUE(eventually([&] { return k.node_of("p") == "n1"; }));
}

// Resource scoring prefers "big" for every pod; a hard default constraint over the pods
// the Service selects sends the second pod to "small" instead.
TEST(InformerListers, ServiceSelectorReachesDefaultConstraints) {
  for (bool with_service : {true, false}) {
    SCOPED_TRACE(with_service ? "with a Service" : "without a Service");
    SchedulerKernel k;
    if (with_service) web_service(k.client());
    k.node("big", "64", "256Gi");
    k.node("small", "1", "1Gi");
    Settings s;
    s.scheduler.profiles[0].args["PodTopologySpread"] = bt::parse(
        R"({"defaultingType":"List","defaultConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNotSchedule"}]})");
    k.start(std::move(s));
    k.pod("p1", "", "100m", R"({"app":"web"})");
    ASSERT_TRUE(eventually([&] { return k.node_of("p1") == "big"; })) << k.node_of("p1");
    k.pod("p2", "", "100m", R"({"app":"web"})");
    const std::string want = with_service ? "small" : "big";
    EXPECT_TRUE(eventually([&] { return k.node_of("p2") == want; })) << k.node_of("p2");
  }
}

}  // namespace
}  // namespace ukube::scheduler::testing
