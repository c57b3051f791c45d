#include "metrics.h"

#include <cstdio>

namespace ukube::apiserver {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void Metrics::record(std::string_view verb, std::string_view resource, int code, double seconds) {
  std::lock_guard lock(mu_);
  ++totals_[{std::string(verb), std::string(resource), code}];
  Histogram& h = durations_[{std::string(verb), std::string(resource)}];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render(size_t bus_watchers, int64_t store_revision,
                            const std::vector<std::pair<std::string, int64_t>>& stored_objects) const {
  std::string out;
  out +=
      "# HELP apiserver_request_total Counter of apiserver requests broken out by verb, resource and code.\n";
  out += "# TYPE apiserver_request_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, count] : totals_) {
    const auto& [verb, resource, code] = key;
    out += "apiserver_request_total{verb=\"" + verb + "\",resource=\"" + resource + "\",code=\"" +
           std::to_string(code) + "\"} " + std::to_string(count) + "\n";
  }
  out +=
      "# HELP apiserver_request_duration_seconds Response latency distribution in seconds by verb and "
      "resource.\n";
  out += "# TYPE apiserver_request_duration_seconds histogram\n";
  for (const auto& [key, h] : durations_) {
    std::string labels = "verb=\"" + key.first + "\",resource=\"" + key.second + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out += "apiserver_request_duration_seconds_bucket{" + labels + ",le=\"" + number(kBuckets[i]) + "\"} " +
             std::to_string(h.counts[i]) + "\n";
    out += "apiserver_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "apiserver_request_duration_seconds_sum{" + labels + "} " + number(h.sum) + "\n";
    out += "apiserver_request_duration_seconds_count{" + labels + "} " + std::to_string(h.count) + "\n";
  }
  auto gauge = [&](const char* name, const char* help, const std::string& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + value +
           "\n";
  };
  gauge("apiserver_current_inflight_requests", "Requests being served, watches excluded.",
        std::to_string(inflight.load()));
  gauge("apiserver_longrunning_requests", "Open watch streams served by this front end.",
        std::to_string(watches.load()));
  gauge("ukube_watch_bus_watchers", "Watchers registered on the kernel's watch bus.",
        std::to_string(bus_watchers));
  gauge("ukube_store_revision", "The store's latest durable revision.", std::to_string(store_revision));
  out +=
      "# HELP apiserver_storage_objects Number of stored objects at the time of last check split by kind.\n";
  out += "# TYPE apiserver_storage_objects gauge\n";
  for (const auto& [resource, count] : stored_objects)
    out += "apiserver_storage_objects{resource=\"" + resource + "\"} " + std::to_string(count) + "\n";
  out +=
      "# HELP apiserver_dropped_requests_total Requests refused with 429 because max_in_flight was "
      "reached.\n";
  out += "# TYPE apiserver_dropped_requests_total counter\n";
  out += "apiserver_dropped_requests_total " + std::to_string(rejected_too_many.load()) + "\n";
  return out;
}

}  // namespace ukube::apiserver
