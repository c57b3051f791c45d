#include <gtest/gtest.h>

#include "kubelet/kubelet_metrics.h"

namespace ukube::kubelet {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST(KubeletMetrics, RendersUpstreamNamesInTheTextFormat) {
  KubeletMetrics m;
  m.observe_pod_start(0.7);
  m.observe_pod_start(4000);
  m.observe_relist(0.003);
  m.count_eviction("memory.available");
  m.count_eviction("memory.available");
  m.set_running(2, {{"running", 3}, {"exited", 1}});
  const std::string text = m.render();
  for (const char* line : {
           "# TYPE kubelet_pod_start_duration_seconds histogram",
           "kubelet_pod_start_duration_seconds_bucket{le=\"0.5\"} 0",
           "kubelet_pod_start_duration_seconds_bucket{le=\"1\"} 1",
           "kubelet_pod_start_duration_seconds_bucket{le=\"3600\"} 1",
           "kubelet_pod_start_duration_seconds_bucket{le=\"+Inf\"} 2",
           "kubelet_pod_start_duration_seconds_sum 4000.7",
           "kubelet_pod_start_duration_seconds_count 2",
           "# TYPE kubelet_pleg_relist_duration_seconds histogram",
           "kubelet_pleg_relist_duration_seconds_bucket{le=\"0.005\"} 1",
           "kubelet_pleg_relist_duration_seconds_bucket{le=\"10\"} 1",
           "kubelet_pleg_relist_duration_seconds_count 1",
           "# TYPE kubelet_running_pods gauge",
           "kubelet_running_pods 2",
           "kubelet_running_containers{container_state=\"running\"} 3",
           "kubelet_running_containers{container_state=\"exited\"} 1",
           "# TYPE kubelet_evictions counter",
           "kubelet_evictions{eviction_signal=\"memory.available\"} 2",
       })
    EXPECT_TRUE(has_line(text, line)) << line << " missing from\n" << text;
}

TEST(KubeletMetrics, AFreshKubeletHasEmptyHistogramsAndNoEvictions) {
  const std::string text = KubeletMetrics().render();
  EXPECT_TRUE(has_line(text, "kubelet_pod_start_duration_seconds_count 0")) << text;
  EXPECT_TRUE(has_line(text, "kubelet_running_pods 0")) << text;
  EXPECT_EQ(text.find("kubelet_evictions{"), std::string::npos) << text;
  // Upstream's buckets, exactly.
  EXPECT_EQ(KubeletMetrics::pod_start_buckets().size(), 25u);
  EXPECT_EQ(KubeletMetrics::relist_buckets().front(), 0.005);
}

}  // namespace
}  // namespace ukube::kubelet
