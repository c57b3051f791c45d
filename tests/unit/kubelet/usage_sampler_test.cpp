#include "kubelet/usage_sampler.h"

#include "inert_driver.h"

#include <gtest/gtest.h>

#include "ukube/errors.h"
#include "ukube/runtime/driver.h"

namespace ukube::kubelet {
namespace {

constexpr int64_t kSamplerSecond = 1000000000;
constexpr int64_t kT0 = 1767225600 * kSamplerSecond;

// A simulated node whose running containers and their usage the test sets.
class StatsDriver : public InertDriver {
 public:
  struct Running {
    runtime::ContainerStatus status;
    runtime::ContainerStats stats;
  };
  std::vector<Running> running;

  void run(const std::string& id, const std::string& pod, const std::string& container, uint64_t cpu_core_ns,
           uint64_t memory, int64_t at) {
    for (auto& r : running)
      if (r.status.id == id) {
        r.stats.cpu_usage_core_nanoseconds = cpu_core_ns;
        r.stats.memory_working_set_bytes = memory;
        r.stats.timestamp = at;
        return;
      }
    Running r;
    r.status.id = r.stats.id = id;
    r.status.state = runtime::ContainerState::Running;
    r.status.started_at = kT0;
    r.status.labels = {{runtime::label::kPodNamespace, "ns"},
                       {runtime::label::kPodName, pod},
                       {runtime::label::kPodUid, pod + "-uid"},
                       {runtime::label::kContainerName, container}};
    r.stats.cpu_usage_core_nanoseconds = cpu_core_ns;
    r.stats.memory_working_set_bytes = memory;
    r.stats.timestamp = at;
    running.push_back(r);
  }

  bool simulated() const override { return true; }
  std::vector<runtime::ContainerStatus> list_containers(const runtime::ContainerFilter&) override {
    std::vector<runtime::ContainerStatus> out;
    for (const auto& r : running) out.push_back(r.status);
    return out;
  }
  std::vector<runtime::ContainerStats> list_container_stats(const runtime::ContainerFilter&) override {
    std::vector<runtime::ContainerStats> out;
    for (const auto& r : running) out.push_back(r.stats);
    return out;
  }
};

struct Fixture {
  std::shared_ptr<StatsDriver> driver = std::make_shared<StatsDriver>();
  int64_t now = kT0;
  UsageSampler sampler{{{"n1", driver}}, [this] { return now; }};
};

TEST(UsageSampler, CpuRatesComeFromTwoSamplesAnIntervalApart) {
  Fixture f;
  f.driver->run("a", "web", "app", 0, 1000, f.now);
  stats::Summary first = f.sampler.summary("n1");
  ASSERT_EQ(first.pods.size(), 1u);
  EXPECT_FALSE(first.pods[0].containers[0].cpu.usage_nano_cores);  // one sample: no rate yet
  EXPECT_FALSE(first.node.cpu.usage_nano_cores);

  // Asked again too soon: the same sample, so still no rate.
  f.now += kSamplerSecond;
  f.driver->run("a", "web", "app", kSamplerSecond / 4, 1000, f.now);
  EXPECT_FALSE(f.sampler.summary("n1").pods[0].containers[0].cpu.usage_nano_cores);

  // A quarter of a core over the interval; a container that appeared meanwhile has no rate yet.
  f.now = kT0 + 10 * kSamplerSecond;
  f.driver->run("a", "web", "app", 10 * kSamplerSecond / 4, 2000, f.now);
  f.driver->run("b", "web", "side", 7, 3000, f.now);
  stats::Summary second = f.sampler.summary("n1");
  ASSERT_EQ(second.pods.size(), 1u);
  const auto& pod = second.pods[0];
  EXPECT_EQ(pod.namespace_, "ns");
  EXPECT_EQ(pod.uid, "web-uid");
  ASSERT_EQ(pod.containers.size(), 2u);
  EXPECT_EQ(pod.containers[0].name, "app");
  EXPECT_EQ(pod.containers[0].cpu.usage_nano_cores, 250000000u);
  EXPECT_EQ(pod.containers[0].memory.working_set_bytes, 2000u);
  EXPECT_FALSE(pod.containers[1].cpu.usage_nano_cores);
  // A simulated node uses what its pods do.
  EXPECT_EQ(second.node.name, "n1");
  EXPECT_EQ(second.node.cpu.usage_nano_cores, 250000000u);
  EXPECT_EQ(second.node.memory.working_set_bytes, 5000u);
  EXPECT_EQ(second.node.cpu.usage_core_nanoseconds, 10 * kSamplerSecond / 4 + 7);
}

TEST(UsageSampler, HousekeepingSamplesDueNodesAndUnknownNodesAreNotFound) {
  Fixture f;
  f.driver->run("a", "web", "app", 0, 1000, f.now);
  f.sampler.sample_due();
  f.now += 10 * kSamplerSecond;
  f.driver->run("a", "web", "app", kSamplerSecond, 1000, f.now);
  f.sampler.sample_due();
  // The request finds two samples already: a rate at once.
  EXPECT_EQ(f.sampler.summary("n1").pods[0].containers[0].cpu.usage_nano_cores, 100000000u);
  try {
    f.sampler.summary("n2");
    FAIL() << "n2 is not this kubelet's";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 404);
  }
}

}  // namespace
}  // namespace ukube::kubelet
