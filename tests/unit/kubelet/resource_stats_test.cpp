#include "kubelet/resource_stats.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ukube::kubelet::stats {
namespace {

namespace json = boost::json;

constexpr int64_t kStatsSecond = 1000000000;
constexpr int64_t kT0 = 1767225600 * kStatsSecond;  // 2026-01-01T00:00:00Z

TEST(ResourceStats, CpuRateNeedsTwoSamplesInOrder) {
  // 2.5 core-seconds over 10 s: a quarter of a core.
  EXPECT_EQ(nano_cores(kStatsSecond, kT0, 3 * kStatsSecond + kStatsSecond / 2, kT0 + 10 * kStatsSecond),
            250000000u);
  EXPECT_FALSE(nano_cores(5 * kStatsSecond, kT0, kStatsSecond, kT0 + kStatsSecond));  // the counter went back
  EXPECT_FALSE(nano_cores(kStatsSecond, kT0, 2 * kStatsSecond, kT0));                 // no time passed
}

TEST(ResourceStats, ReadsProcStatAndMeminfo) {
  auto stat = parse_proc_stat(
      "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\nintr 1 2\nbtime 1767225600\n");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->busy_ticks, 100u + 5 + 50 + 3 + 2 + 1);  // idle and iowait left out
  EXPECT_EQ(stat->boot_time_s, 1767225600);
  EXPECT_FALSE(parse_proc_stat("intr 1 2\n"));

  auto info = parse_meminfo(
      "MemTotal:        1000 kB\nMemFree:          200 kB\nMemAvailable:     600 kB\nBuffers:           50 "
      "kB\n"
      "Cached:           250 kB\nInactive(file):   100 kB\n");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->total, 1000u * 1024);
  MemoryUsage memory = node_memory(*info, kT0);
  EXPECT_EQ(memory.usage_bytes, 800u * 1024);
  EXPECT_EQ(memory.working_set_bytes, 700u * 1024);  // less the inactive page cache
  EXPECT_EQ(memory.rss_bytes, 500u * 1024);
  EXPECT_EQ(memory.available_bytes, 300u * 1024);
  EXPECT_FALSE(parse_meminfo("Cached: 1 kB\n"));
}

TEST(ResourceStats, FloatsAsGoPrintsThem) {
  EXPECT_EQ(go_float(0), "0");
  EXPECT_EQ(go_float(1), "1");
  EXPECT_EQ(go_float(0.5), "0.5");
  EXPECT_EQ(go_float(78.291), "78.291");
  EXPECT_EQ(go_float(100000), "100000");
  EXPECT_EQ(go_float(1e6), "1e+06");
  EXPECT_EQ(go_float(16547840), "1.654784e+07");
  EXPECT_EQ(go_float(1767225601), "1.767225601e+09");
  EXPECT_EQ(go_float(0.00001), "1e-05");
}

Summary sample() {
  Summary s;
  s.node.name = "n1";
  s.node.start_ns = kT0;
  s.node.cpu = {kT0 + 60 * kStatsSecond, 90 * kStatsSecond, 500000000};
  s.node.memory.time_ns = kT0 + 60 * kStatsSecond;
  s.node.memory.working_set_bytes = 1u << 30;
  s.node.fs = FsUsage{kT0 + 60 * kStatsSecond, 100, 40, 60, 10, 4};
  PodUsage pod;
  pod.namespace_ = "ns";
  pod.name = "web";
  pod.uid = "u1";
  pod.start_ns = kT0;
  ContainerUsage app;
  app.name = "app";
  app.start_ns = kT0 + kStatsSecond;
  app.cpu = {kT0 + 60 * kStatsSecond, kStatsSecond / 2, 250000000};
  app.memory.time_ns = kT0 + 60 * kStatsSecond;
  app.memory.working_set_bytes = 35 * 1024 * 1024;
  ContainerUsage side = app;
  side.name = "side";
  side.cpu.usage_nano_cores.reset();  // sampled once so far
  side.memory.working_set_bytes = 5 * 1024 * 1024;
  pod.containers = {app, side};
  s.pods.push_back(pod);
  return s;
}

TEST(ResourceStats, SummaryIsUpstreamsShape) {
  json::object summary = json::parse(summary_json(sample(), false)).as_object();
  const auto& node = summary.at("node").as_object();
  EXPECT_EQ(node.at("nodeName"), "n1");
  EXPECT_EQ(node.at("startTime"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(node.at("cpu").at("usageNanoCores"), 500000000);
  EXPECT_EQ(node.at("cpu").at("usageCoreNanoSeconds"), 90 * kStatsSecond);
  EXPECT_EQ(node.at("cpu").at("time"), "2026-01-01T00:01:00Z");
  EXPECT_EQ(node.at("memory").at("workingSetBytes"), 1 << 30);
  EXPECT_EQ(node.at("fs").at("inodesUsed"), 6);
  const auto& pod = summary.at("pods").as_array().at(0).as_object();
  EXPECT_EQ(pod.at("podRef"), (json::object{{"name", "web"}, {"namespace", "ns"}, {"uid", "u1"}}));
  const auto& app = pod.at("containers").as_array().at(0).as_object();
  EXPECT_EQ(app.at("name"), "app");
  EXPECT_EQ(app.at("cpu").at("usageNanoCores"), 250000000);
  EXPECT_FALSE(pod.at("containers").as_array().at(1).at("cpu").as_object().contains("usageNanoCores"));
  // The pod's figures are its containers' sum; no rate while one container lacks it.
  EXPECT_EQ(pod.at("memory").at("workingSetBytes"), 40 * 1024 * 1024);
  EXPECT_EQ(pod.at("cpu").at("usageCoreNanoSeconds"), kStatsSecond);
  EXPECT_FALSE(pod.at("cpu").as_object().contains("usageNanoCores"));

  json::object lean = json::parse(summary_json(sample(), true)).as_object();
  EXPECT_FALSE(lean.at("node").as_object().contains("fs"));
}

TEST(ResourceStats, ResourceMetricsAsUpstreamPrintsThem) {
  const std::string text = resource_metrics(sample());
  const std::string cpu_family =
      "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in "
      "core-seconds\n"
      "# TYPE container_cpu_usage_seconds_total counter\n"
      "container_cpu_usage_seconds_total{container=\"app\",namespace=\"ns\",pod=\"web\"} 0.5 1767225660000\n"
      "container_cpu_usage_seconds_total{container=\"side\",namespace=\"ns\",pod=\"web\"} 0.5 1767225660000\n"
      "# HELP container_memory_working_set_bytes";
  EXPECT_EQ(text.rfind(cpu_family, 0), 0u) << text;
  // Go prints the shortest form of 36700160.
  EXPECT_NE(text.find("container_memory_working_set_bytes{container=\"app\",namespace=\"ns\",pod=\"web\"} "
                      "3.670016e+07 1767225660000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("container_start_time_seconds{container=\"app\",namespace=\"ns\",pod=\"web\"} "
                      "1.767225601e+09 1767225601000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE node_cpu_usage_seconds_total counter\nnode_cpu_usage_seconds_total 90 "
                      "1767225660000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("node_memory_working_set_bytes 1.073741824e+09 1767225660000\n"), std::string::npos);
  EXPECT_NE(text.find("pod_cpu_usage_seconds_total{namespace=\"ns\",pod=\"web\"} 1 1767225660000\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("pod_memory_working_set_bytes{namespace=\"ns\",pod=\"web\"} 4.194304e+07 1767225660000\n"),
      std::string::npos);
  // Families in name order, the scrape result last.
  EXPECT_LT(text.find("container_start_time_seconds"), text.find("node_cpu_usage_seconds_total"));
  EXPECT_LT(text.find("node_memory_working_set_bytes"), text.find("pod_cpu_usage_seconds_total"));
  const std::string tail =
      "# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 "
      "otherwise\n# TYPE resource_scrape_error gauge\nresource_scrape_error 0\n";
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail);
}

}  // namespace
}  // namespace ukube::kubelet::stats
