#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ukube/net/prometheus.h"

// Request counters and latency histograms, rendered in the Prometheus text format with
// upstream's metric names where one exists.
namespace ukube::apiserver {

class Metrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                      1,     2.5,  5,     10,   30,  60,   120};

  // `verb` in upstream's spelling (GET LIST WATCH POST PUT PATCH DELETE DELETECOLLECTION).
  void record(std::string_view verb, std::string_view resource, int code, double seconds);

  std::atomic<int64_t> inflight{0};  // requests being served now, watches excluded
  std::atomic<int64_t> watches{0};   // open watch streams
  std::atomic<uint64_t> rejected_too_many{0};

  // Extra gauges come from the kernel at render time; `stored_objects` holds
  // (group-resource, count) for apiserver_storage_objects.
  std::string render(size_t bus_watchers, int64_t store_revision,
                     const std::vector<std::pair<std::string, int64_t>>& stored_objects = {}) const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> totals_;
  std::map<std::pair<std::string, std::string>, net::Histogram> durations_;
};

}  // namespace ukube::apiserver
