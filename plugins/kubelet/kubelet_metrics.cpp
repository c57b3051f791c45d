#include "kubelet_metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ukube::kubelet {

namespace {

// A sample value in its shortest round-trip form ("3600", "0.005"), as Prometheus' Go
// client prints one.
std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return error == std::errc() ? std::string(text, end) : std::to_string(value);
}

std::string header(const std::string& name, const char* help, const char* type) {
  return "# HELP " + name + " [ALPHA] " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[static_cast<size_t>(at)];
  sum_ += value;
  ++count_;
}

std::string Histogram::render(const std::string& name) const {
  std::string out;
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    const std::string le = i < bounds_.size() ? number(bounds_[i]) : "+Inf";
    out += name + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_sum " + number(sum_) + "\n";
  out += name + "_count " + std::to_string(count_) + "\n";
  return out;
}

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
  out += relist_.render("kubelet_pleg_relist_duration_seconds");
  out += header("kubelet_pod_start_duration_seconds",
                "Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run",
                "histogram");
  out += pod_start_.render("kubelet_pod_start_duration_seconds");
  out += header("kubelet_running_containers", "Number of containers currently running", "gauge");
  for (const auto& [state, count] : running_containers_)
    out += "kubelet_running_containers{container_state=\"" + state + "\"} " + std::to_string(count) + "\n";
  out += header("kubelet_running_pods", "Number of pods that have a running pod sandbox", "gauge");
  out += "kubelet_running_pods " + std::to_string(running_pods_) + "\n";
  return out;
}

}  // namespace ukube::kubelet
