// PodDisruptionBudgets in the real daemon with real kubectl, pods run by the kubelet on
// the fake runtime: the disruption controller keeps each budget's status, an eviction the
// budget forbids answers 429 (and kubectl drain waits on it), and one it allows goes
// through and is counted.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const std::string kPlugins = kNodeSidePlugins +
                             "  - uri: ukube.controller.v1.replicaset\n"
                             "  - uri: ukube.controller.v1.deployment\n"
                             "  - uri: ukube.controller.v1.disruption\n"
                             "  - uri: ukube.controller.v1.garbagecollector\n"
                             "  - uri: ukube.runtime.v1.fake\n"
                             "  - uri: ukube.kubelet.v1.kubelet\n"
                             "    config: {node_name: live, port: 0}\n";

std::string eviction_of(const std::string& pod) {
  return R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":")" + pod +
         R"(","namespace":"default"}})";
}

class DisruptionKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kPlugins); }
  bool soon(const std::function<bool()>& check) { return eventually(check, std::chrono::seconds(40)); }
  std::string first_pod() {
    std::istringstream names(get("pods -l app=web", ".items[*].metadata.name"));
    std::string name;
    names >> name;
    return name;
  }
  CommandResult evict(const std::string& pod) {
    return (*kubectl_)("create --raw /api/v1/namespaces/default/pods/" + pod + "/eviction -f -",
                       eviction_of(pod));
  }
};

TEST_F(DisruptionKubectl, ABudgetBlocksEvictionsUntilItAllowsOne) {
  ok("create deployment web --image=pause --replicas=2");
  ok("create pdb web --selector=app=web --min-available=2");
  ASSERT_TRUE(soon([&] {
    return get("pdb web", ".status.currentHealthy") == "2" && get("pdb web", ".status.expectedPods") == "2";
  })) << ok("get pdb,pods -o wide");
  EXPECT_EQ(get("pdb web", ".status.disruptionsAllowed"), "0");
  EXPECT_EQ(get("pdb web", R"(.status.conditions[?(@.type=="DisruptionAllowed")].reason)"),
            "InsufficientPods");
  EXPECT_EQ(get("pdb web", ".status.observedGeneration"), get("pdb web", ".metadata.generation"));

  const std::string victim = first_pod();
  CommandResult blocked = evict(victim);
  EXPECT_NE(blocked.exit_code, 0);
  EXPECT_NE(blocked.out.find("Error from server (TooManyRequests): Cannot evict pod as it would violate the "
                             "pod's disruption budget."),
            std::string::npos)
      << blocked.out;
  EXPECT_EQ(get("pod " + victim, ".metadata.deletionTimestamp"), "");

  // kubectl drain evicts, and keeps retrying what the budget refuses until its timeout.
  CommandResult drain = refused("drain live --timeout=7s");
  EXPECT_NE(drain.out.find("Cannot evict pod as it would violate the pod's disruption budget."),
            std::string::npos)
      << drain.out;
  EXPECT_NE(drain.out.find("will retry after 5s"), std::string::npos) << drain.out;
  ok("uncordon live");

  // With a third pod the budget allows one disruption, which the eviction spends.
  ok("scale deployment web --replicas=3");
  ASSERT_TRUE(soon([&] { return get("pdb web", ".status.disruptionsAllowed") == "1"; }))
      << ok("get pdb,pods -o wide");
  CommandResult allowed = evict(victim);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out;
  EXPECT_NE(allowed.out.find("\"status\":\"Success\""), std::string::npos) << allowed.out;
  EXPECT_TRUE(soon([&] {
    CommandResult r = (*kubectl_)("get pod " + victim);
    return r.exit_code != 0 || !get("pod " + victim, ".metadata.deletionTimestamp").empty();
  }));
  // The ReplicaSet replaces it and the budget recovers its one disruption.
  EXPECT_TRUE(soon([&] {
    return get("pdb web", ".status.currentHealthy") == "3" &&
           get("pdb web", ".status.disruptionsAllowed") == "1";
  })) << ok("get pdb,pods -o wide");
}

}  // namespace
}  // namespace ukube::testing
