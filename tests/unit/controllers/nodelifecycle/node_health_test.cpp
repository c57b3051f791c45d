#include "node_health.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ukube/machinery/time.h"

namespace ukube::controllers::nodelifecycle {
namespace {

namespace json = boost::json;

json::array arr(const char* text) {
  return json::parse(text).as_array();
}

TEST(NodeHealth, ASilentKubeletLeavesEveryConditionUnknown) {
  json::array before =
      arr(R"([{"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"h"},
                               {"type":"MemoryPressure","status":"False"}])");
  json::array after = silent_kubelet_conditions(&before, "now");
  ASSERT_EQ(after.size(), 2u);
  for (const auto& c : after) {
    EXPECT_EQ(c.at("status"), "Unknown");
    EXPECT_EQ(c.at("reason"), "NodeStatusUnknown");
    EXPECT_EQ(c.at("message"), "Kubelet stopped posting node status.");
    EXPECT_EQ(c.at("lastTransitionTime"), "now");
  }
  EXPECT_EQ(after[0].at("lastHeartbeatTime"), "h") << "the kubelet's last heartbeat stays as it was";
  json::array never = silent_kubelet_conditions(nullptr, "now");
  ASSERT_EQ(never.size(), 1u);
  EXPECT_EQ(never[0].at("reason"), "NodeStatusNeverUpdated");
}

TEST(NodeHealth, TaintsFollowTheReadyCondition) {
  auto unknown = taints_for(nullptr, "Unknown", "t0");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(json::serialize(*unknown),
            R"([{"key":"node.kubernetes.io/unreachable","effect":"NoSchedule"},)"
            R"({"key":"node.kubernetes.io/unreachable","effect":"NoExecute","timeAdded":"t0"}])");
  EXPECT_FALSE(taints_for(&*unknown, "Unknown", "t1")) << "already right: no write";
  auto not_ready = taints_for(&*unknown, "False", "t2");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(json::serialize(*not_ready),
            R"([{"key":"node.kubernetes.io/not-ready","effect":"NoSchedule"},)"
            R"({"key":"node.kubernetes.io/not-ready","effect":"NoExecute","timeAdded":"t2"}])");
  json::array mixed = arr(R"([{"key":"dedicated","value":"gpu","effect":"NoSchedule"},
                              {"key":"node.kubernetes.io/not-ready","effect":"NoExecute"}])");
  auto ready = taints_for(&mixed, "True", "t3");
  ASSERT_TRUE(ready);
  EXPECT_EQ(json::serialize(*ready), R"([{"key":"dedicated","value":"gpu","effect":"NoSchedule"}])");
  json::array plain = arr(R"([{"key":"dedicated","effect":"NoSchedule"}])");
  EXPECT_FALSE(taints_for(&plain, "True", "t4"));
}

TEST(NodeHealth, EvictionWaitsForTheSmallestTolerationSeconds) {
  const auto now = Clock::now();
  const std::string added = machinery::format_time(now - std::chrono::seconds(10));
  json::array taints =
      json::parse(R"([{"key":"node.kubernetes.io/unreachable","effect":"NoExecute","timeAdded":")" + added +
                  R"("},{"key":"dedicated","effect":"NoSchedule"}])")
          .as_array();
  EXPECT_EQ(eviction_time(nullptr, &taints, now), now) << "not tolerated: at once";
  json::array forever =
      arr(R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"}])");
  EXPECT_FALSE(eviction_time(&forever, &taints, now)) << "tolerated without a limit: stays";
  json::array limited =
      arr(R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute",
                                 "tolerationSeconds":300},{"operator":"Exists","tolerationSeconds":60}])");
  auto due = eviction_time(&limited, &taints, now);
  ASSERT_TRUE(due);
  // The taint's timeAdded plus the smaller limit of the two that match.
  EXPECT_EQ(*due, *machinery::parse_time(added) + std::chrono::seconds(60));
  json::array no_execute_free = arr(R"([{"key":"dedicated","effect":"NoSchedule"}])");
  EXPECT_FALSE(eviction_time(nullptr, &no_execute_free, now)) << "NoSchedule alone evicts nobody";
}

}  // namespace
}  // namespace ukube::controllers::nodelifecycle
