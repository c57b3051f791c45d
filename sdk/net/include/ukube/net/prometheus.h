#pragma once

#include <cstdint>
#include <string>
#include <vector>

// The Prometheus text format, for the components that serve their own /metrics.
namespace ukube::net {

// "# HELP <name> <help>\n# TYPE <name> <type>\n".
std::string metric_header(const std::string& name, const std::string& help, const std::string& type);
// A sample line: "<name>{<labels>} <value>\n" (no braces without labels).
std::string metric_sample(const std::string& name, const std::string& labels, double value);

// Counts of observations at or under each bound, their sum and count. Not thread-safe:
// its owner locks.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size()) {}
  // upstream's prometheus.ExponentialBuckets(start, factor, count).
  static Histogram exponential(double start, double factor, int count);

  void observe(double value);
  // Its _bucket, _sum and _count lines (the header is the caller's).
  std::string samples(const std::string& name, const std::string& labels = "") const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace ukube::net
