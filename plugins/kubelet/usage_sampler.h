#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "resource_stats.h"

namespace ukube::runtime {
class RuntimeDriver;
}

// Samples what the nodes' containers use, as cadvisor's housekeeping does: every
// kInterval (or on demand when the newest sample is older), keeping the previous sample
// of each node so CPU rates come from two points kInterval apart. A real node's own
// figures come from /proc; a simulated node (the fake runtime) is the sum of its pods.
namespace ukube::kubelet {

class UsageSampler {
 public:
  static constexpr std::chrono::seconds kInterval{10};

  // `clock` (nanoseconds since the epoch) paces the samples; empty: the system clock.
  explicit UsageSampler(std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers,
                        std::function<int64_t()> clock = {});

  // Samples every node whose newest sample is due; a failing node is skipped.
  void sample_due();
  // The node's usage at its newest sample (taken now if due). Throws ApiError NotFound for
  // a node this kubelet does not run.
  stats::Summary summary(const std::string& node);

 private:
  struct NodeSample;
  struct History {
    std::shared_ptr<const NodeSample> previous, latest;
  };
  std::shared_ptr<const NodeSample> take(runtime::RuntimeDriver& driver) const;
  void refresh(const std::string& node, History& history, int64_t now_ns);
  stats::Summary build(const std::string& node, const History& history) const;

  std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers_;
  std::function<int64_t()> clock_;
  const int64_t started_ns_;
  std::mutex mutex_;
  std::map<std::string, History> history_;
};

}  // namespace ukube::kubelet
