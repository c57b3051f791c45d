#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ukube/net/prometheus.h"

// One kubelet's own Prometheus metrics, served on its server's /metrics in the text
// format under upstream's names, so dashboards and alerts written for a real kubelet
// read them unchanged: pod start latency, PLEG relist latency, running pods and
// containers, and evictions by signal. Thread-safe: pod syncs, the heartbeat thread and
// the server touch it at once.
namespace ukube::kubelet {

using net::Histogram;

class KubeletMetrics {
 public:
  KubeletMetrics();

  // Seconds from the kubelet's first sight of a pod to the pod running.
  void observe_pod_start(double seconds);
  void observe_relist(double seconds);
  void count_eviction(const std::string& signal);  // "memory.available", "nodefs.available"
  // What the runtime runs, after each relist: pods with a ready sandbox, containers by
  // state ("created", "running", "exited", "unknown").
  void set_running(uint64_t pods, std::map<std::string, uint64_t> containers_by_state);

  std::string render() const;

  // Upstream's buckets: pod start duration has its own; the relist histogram Prometheus' defaults.
  static const std::vector<double>& pod_start_buckets();
  static const std::vector<double>& relist_buckets();

 private:
  mutable std::mutex mutex_;
  Histogram pod_start_;
  Histogram relist_;
  uint64_t running_pods_ = 0;
  std::map<std::string, uint64_t> running_containers_;
  std::map<std::string, uint64_t> evictions_;
};

}  // namespace ukube::kubelet
