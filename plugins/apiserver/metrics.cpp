#include "metrics.h"

namespace ukube::apiserver {

void Metrics::record(std::string_view verb, std::string_view resource, int code, double seconds) {
  std::lock_guard lock(mu_);
  ++totals_[{std::string(verb), std::string(resource), code}];
  auto key = std::make_pair(std::string(verb), std::string(resource));
  auto it = durations_.find(key);
  if (it == durations_.end())
    it = durations_.emplace(std::move(key), net::Histogram({kBuckets.begin(), kBuckets.end()})).first;
  it->second.observe(seconds);
}

std::string Metrics::render(size_t bus_watchers, int64_t store_revision,
                            const std::vector<std::pair<std::string, int64_t>>& stored_objects) const {
  std::string out;
  out +=
      net::metric_header("apiserver_request_total",
                         "Counter of apiserver requests broken out by verb, resource and code.", "counter");
  std::lock_guard lock(mu_);
  for (const auto& [key, count] : totals_) {
    const auto& [verb, resource, code] = key;
    out += net::metric_sample(
        "apiserver_request_total",
        "verb=\"" + verb + "\",resource=\"" + resource + "\",code=\"" + std::to_string(code) + "\"",
        static_cast<double>(count));
  }
  out += net::metric_header("apiserver_request_duration_seconds",
                            "Response latency distribution in seconds by verb and resource.", "histogram");
  for (const auto& [key, h] : durations_)
    out += h.samples("apiserver_request_duration_seconds",
                     "verb=\"" + key.first + "\",resource=\"" + key.second + "\"");
  auto gauge = [&](const char* name, const char* help, double value) {
    out += net::metric_header(name, help, "gauge") + net::metric_sample(name, "", value);
  };
  gauge("apiserver_current_inflight_requests", "Requests being served, watches excluded.",
        static_cast<double>(inflight.load()));
  gauge("apiserver_longrunning_requests", "Open watch streams served by this front end.",
        static_cast<double>(watches.load()));
  gauge("ukube_watch_bus_watchers", "Watchers registered on the kernel's watch bus.",
        static_cast<double>(bus_watchers));
  gauge("ukube_store_revision", "The store's latest durable revision.", static_cast<double>(store_revision));
  out += net::metric_header("apiserver_storage_objects",
                            "Number of stored objects at the time of last check split by kind.", "gauge");
  for (const auto& [resource, count] : stored_objects)
    out += net::metric_sample("apiserver_storage_objects", "resource=\"" + resource + "\"",
                              static_cast<double>(count));
  out += net::metric_header("apiserver_dropped_requests_total",
                            "Requests refused with 429 because max_in_flight was reached.", "counter");
  out += net::metric_sample("apiserver_dropped_requests_total", "",
                            static_cast<double>(rejected_too_many.load()));
  return out;
}

}  // namespace ukube::apiserver
