#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "resource_stats.h"

// Node-pressure eviction (upstream's eviction manager), its pure part: the hard
// thresholds (evictionHard), the signals observed from the node's usage, which ones are
// crossed, the order pods are evicted in, and the message an evicted pod carries.
namespace ukube::kubelet::eviction {

// "memory.available" < 100Mi, "nodefs.available" < 10%.
struct Threshold {
  std::string signal;
  std::optional<int64_t> bytes;      // a quantity
  std::optional<double> percentage;  // of the signal's capacity, 0..1
  std::string text;                  // as configured: "100Mi", "10%"
};

// Upstream's defaults for evictionHard.
std::map<std::string, std::string> default_hard();
// Parses an evictionHard map; throws std::invalid_argument naming a bad signal or value.
std::vector<Threshold> parse_thresholds(const std::map<std::string, std::string>& hard);

struct Observation {
  int64_t available = 0;
  int64_t capacity = 0;
};
// The signals the node's usage gives: memory.available is the memory capacity less the
// working set (as upstream); nodefs.available the root filesystem's free bytes, when known.
std::map<std::string, Observation> observe(const stats::Summary& usage, int64_t memory_capacity);

struct Crossed {
  const Threshold* threshold = nullptr;
  Observation observed;
};
std::vector<Crossed> crossed(const std::vector<Threshold>& thresholds,
                             const std::map<std::string, Observation>& observed);

// The resource a signal reclaims: "memory" or "ephemeral-storage".
std::string resource_of(const std::string& signal);

struct Candidate {
  std::string key;  // namespace/name
  std::string uid;
  int32_t priority = 0;
  int64_t usage = 0;    // of the resource under pressure, bytes
  int64_t request = 0;  // the pod's request of it
  // Per container: name, usage, request (for the message).
  struct Container {
    std::string name;
    int64_t usage = 0, request = 0;
  };
  std::vector<Container> containers;
};
// Upstream's order: pods using more than they request first, then lower priority, then
// the most usage above the request.
void rank(std::vector<Candidate>& candidates);

// A pod of the node as a candidate, with its usage of `resource` from the summary.
Candidate candidate_of(const boost::json::object& pod, const stats::Summary& usage,
                       const std::string& resource);

// "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. "
// then a sentence per container using more than it requests, as upstream words it.
std::string message(const Crossed& crossed, const Candidate& pod);

}  // namespace ukube::kubelet::eviction
