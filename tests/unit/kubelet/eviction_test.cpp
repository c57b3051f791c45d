#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kubelet/eviction.h"

namespace ukube::kubelet::eviction {
namespace {
namespace json = boost::json;

constexpr int64_t kMi = 1024 * 1024;

// A node's usage: its working set and root filesystem, and pods' containers' working sets.
stats::Summary usage(int64_t working_set, uint64_t fs_available, uint64_t fs_capacity,
                     std::vector<std::pair<std::string, int64_t>> pod_usage = {}) {
  stats::Summary s;
  s.node.memory.working_set_bytes = static_cast<uint64_t>(working_set);
  if (fs_capacity) s.node.fs = stats::FsUsage{0, fs_capacity, fs_available, fs_capacity - fs_available, 0, 0};
  for (const auto& [uid, bytes] : pod_usage) {
    stats::PodUsage p;
    p.uid = uid;
    stats::ContainerUsage c;
    c.name = "c";
    c.memory.working_set_bytes = static_cast<uint64_t>(bytes);
    p.containers.push_back(c);
    s.pods.push_back(p);
  }
  return s;
}

json::object pod(const std::string& name, const std::string& memory_request, int priority = 0) {
  json::object c{{"name", "c"}, {"image", "i"}};
  if (!memory_request.empty())
    c["resources"] = json::object{{"requests", json::object{{"memory", memory_request}}}};
  return json::object{{"metadata", json::object{{"name", name}, {"namespace", "d"}, {"uid", name + "-uid"}}},
                      {"spec", json::object{{"priority", priority}, {"containers", json::array{c}}}}};
}

TEST(Eviction, TheDefaultsAreUpstreamsAndBadThresholdsAreRefused) {
  auto t = parse_thresholds(default_hard());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].signal, "memory.available");
  EXPECT_EQ(*t[0].bytes, 100 * kMi);
  EXPECT_EQ(t[1].signal, "nodefs.available");
  EXPECT_DOUBLE_EQ(*t[1].percentage, 0.10);
  EXPECT_THROW(parse_thresholds({{"memory.free", "1Mi"}}), std::invalid_argument);
  EXPECT_THROW(parse_thresholds({{"memory.available", "lots"}}), std::invalid_argument);
  EXPECT_THROW(parse_thresholds({{"nodefs.available", "120%"}}), std::invalid_argument);
}

TEST(Eviction, ThresholdsAreCrossedBelowTheirQuantityOrPercentage) {
  auto t = parse_thresholds(default_hard());
  // 1 GiB of memory, 950 MiB in use: 74 MiB left, under 100Mi. A disk 95% full.
  auto hot = crossed(t, observe(usage(950 * kMi, 5, 100), 1024 * kMi));
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].threshold->signal, "memory.available");
  EXPECT_EQ(hot[0].observed.available, 74 * kMi);
  EXPECT_EQ(hot[1].threshold->signal, "nodefs.available");
  // Exactly at the threshold is not below it; an unknown filesystem crosses nothing.
  EXPECT_TRUE(crossed(t, observe(usage(924 * kMi, 0, 0), 1024 * kMi)).empty());
  EXPECT_TRUE(crossed(t, observe(usage(0, 50, 100), 1024 * kMi)).empty());
}

TEST(Eviction, PodsOverTheirRequestsGoFirstThenLowerPriorityThenTheBiggestExcess) {
  const auto u = usage(0, 0, 0,
                       {{"a-uid", 50 * kMi},
                        {"b-uid", 300 * kMi},
                        {"c-uid", 200 * kMi},
                        {"d-uid", 400 * kMi},
                        {"e-uid", 10 * kMi}});
  std::vector<Candidate> pods{
      candidate_of(pod("a", "100Mi"), u, "memory"),   // within its request
      candidate_of(pod("b", "", 1000), u, "memory"),  // over, high priority
      candidate_of(pod("c", ""), u, "memory"),        // over by 200Mi
      candidate_of(pod("d", "300Mi"), u, "memory"),   // over by 100Mi
      candidate_of(pod("e", "", -5), u, "memory"),    // over, lowest priority
  };
  EXPECT_EQ(pods[3].request, 300 * kMi);
  EXPECT_EQ(pods[3].usage, 400 * kMi);
  rank(pods);
  std::vector<std::string> order;
  for (const auto& p : pods) order.push_back(p.key);
  EXPECT_EQ(order, (std::vector<std::string>{"d/e", "d/c", "d/d", "d/b", "d/a"}));
}

TEST(Eviction, TheMessageIsUpstreams) {
  auto t = parse_thresholds(default_hard());
  const auto u = usage(950 * kMi, 0, 0, {{"c-uid", 200 * kMi}});
  auto hot = crossed(t, observe(u, 1024 * kMi));
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_EQ(message(hot[0], candidate_of(pod("c", "100Mi"), u, "memory")),
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 74Mi. "
            "Container c was using 200Mi, request is 100Mi, has larger consumption of memory. ");
}

}  // namespace
}  // namespace ukube::kubelet::eviction
