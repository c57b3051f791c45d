#include "kubelet_metrics.h"

namespace ukube::kubelet {

namespace {

std::string header(const std::string& name, const char* help, const char* type) {
  return net::metric_header(name, std::string("[ALPHA] ") + help, type);
}

}  // namespace

const std::vector<double>& KubeletMetrics::pod_start_buckets() {
  static const std::vector<double> buckets{0.5, 1,   2,   3,   4,   5,   6,   8,   10,   20,   30,   45,  60,
                                           120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600};
  return buckets;
}

const std::vector<double>& KubeletMetrics::relist_buckets() {
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

KubeletMetrics::KubeletMetrics() : pod_start_(pod_start_buckets()), relist_(relist_buckets()) {}

void KubeletMetrics::observe_pod_start(double seconds) {
  std::lock_guard lock(mutex_);
  pod_start_.observe(seconds);
}

void KubeletMetrics::observe_relist(double seconds) {
  std::lock_guard lock(mutex_);
  relist_.observe(seconds);
}

void KubeletMetrics::count_eviction(const std::string& signal) {
  std::lock_guard lock(mutex_);
  ++evictions_[signal];
}

void KubeletMetrics::set_running(uint64_t pods, std::map<std::string, uint64_t> containers_by_state) {
  std::lock_guard lock(mutex_);
  running_pods_ = pods;
  running_containers_ = std::move(containers_by_state);
}

std::string KubeletMetrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += header("kubelet_evictions", "Cumulative number of pod evictions by eviction signal", "counter");
  for (const auto& [signal, count] : evictions_)
    out += "kubelet_evictions{eviction_signal=\"" + signal + "\"} " + std::to_string(count) + "\n";
  out += header("kubelet_pleg_relist_duration_seconds", "Duration in seconds for relisting pods in PLEG.",
                "histogram");
  out += relist_.samples("kubelet_pleg_relist_duration_seconds");
  out += header("kubelet_pod_start_duration_seconds",
                "Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run",
                "histogram");
  out += pod_start_.samples("kubelet_pod_start_duration_seconds");
  out += header("kubelet_running_containers", "Number of containers currently running", "gauge");
  for (const auto& [state, count] : running_containers_)
    out += "kubelet_running_containers{container_state=\"" + state + "\"} " + std::to_string(count) + "\n";
  out += header("kubelet_running_pods", "Number of pods that have a running pod sandbox", "gauge");
  out += "kubelet_running_pods " + std::to_string(running_pods_) + "\n";
  return out;
}

}  // namespace ukube::kubelet
