#include "ukube/net/prometheus.h"

#include <charconv>
#include <cmath>

namespace ukube::net {
namespace {

// A sample value in its shortest round-trip form ("3600", "0.005"), as Prometheus' Go
// client prints one.
std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return error == std::errc() ? std::string(text, end) : std::to_string(value);
}

}  // namespace

std::string metric_header(const std::string& name, const std::string& help, const std::string& type) {
  return "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string metric_sample(const std::string& name, const std::string& labels, double value) {
  return name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(value) + "\n";
}

Histogram Histogram::exponential(double start, double factor, int count) {
  std::vector<double> bounds;
  for (double b = start; static_cast<int>(bounds.size()) < count; b *= factor) bounds.push_back(b);
  return Histogram(std::move(bounds));
}

void Histogram::observe(double value) {
  for (size_t i = 0; i < bounds_.size(); ++i)
    if (value <= bounds_[i]) ++counts_[i];
  ++count_;
  sum_ += value;
}

std::string Histogram::samples(const std::string& name, const std::string& labels) const {
  const std::string prefix = labels.empty() ? "" : labels + ",";
  std::string out;
  for (size_t i = 0; i < bounds_.size(); ++i)
    out += metric_sample(name + "_bucket", prefix + "le=\"" + number(bounds_[i]) + "\"",
                         static_cast<double>(counts_[i]));
  out += metric_sample(name + "_bucket", prefix + "le=\"+Inf\"", static_cast<double>(count_));
  out += metric_sample(name + "_sum", labels, sum_);
  out += metric_sample(name + "_count", labels, static_cast<double>(count_));
  return out;
}

}  // namespace ukube::net
