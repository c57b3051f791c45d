#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ukube/machinery/time.h"

// From a metric's recommendation to the replica count the autoscaler sets, as upstream's
// horizontal.go normalizes it: stabilized over recent recommendations (so a dip does not
// shrink the target at once), then limited in rate and to [minReplicas, maxReplicas]. The
// recommendations and scale events of each autoscaler are kept in memory, as upstream does.
namespace ukube::controllers::hpa {

using machinery::Clock;

struct ScalingPolicy {
  std::string type;  // Pods or Percent
  int32_t value = 0;
  int32_t period_seconds = 0;
};

// One direction of spec.behavior, defaults applied.
struct ScalingRules {
  std::optional<int32_t> stabilization_window_seconds;  // unset scale-down: the controller's window
  std::string select_policy = "Max";
  std::vector<ScalingPolicy> policies;
};

struct Behavior {
  ScalingRules scale_up;
  ScalingRules scale_down;
};

// A condition to set on the autoscaler: AbleToScale (always True here) and ScalingLimited.
struct ConditionChange {
  bool status = true;
  std::string reason;
  std::string message;
};

struct Normalized {
  int32_t replicas = 0;
  ConditionChange able_to_scale;
  ConditionChange scaling_limited;
};

struct NormalizeRequest {
  std::string key;  // namespace/name of the autoscaler
  int32_t current = 0;
  int32_t desired = 0;  // what the metrics ask for
  int32_t min = 1;
  int32_t max = 1;
  const Behavior* behavior = nullptr;  // null: the rules without spec.behavior
  Clock::time_point now;
};

class ScaleNormalizer {
 public:
  explicit ScaleNormalizer(std::chrono::seconds downscale_stabilization)
      : downscale_window_(downscale_stabilization) {}

  Normalized normalize(const NormalizeRequest& r);
  // Remembers a rescale that happened, for the rate limits of spec.behavior.
  void record_scale(const std::string& key, const Behavior* behavior, int32_t from, int32_t to,
                    Clock::time_point now);
  // Forgets a deleted autoscaler.
  void forget(const std::string& key);

 private:
  struct Recommendation {
    int32_t replicas;
    Clock::time_point at;
  };
  struct ScaleEvent {
    int32_t change;
    Clock::time_point at;
    bool outdated;
  };
  struct Memory {
    std::vector<Recommendation> recommendations;
    std::vector<ScaleEvent> up, down;
  };

  int32_t stabilize(Memory& m, const NormalizeRequest& r, ConditionChange& able);
  int32_t stabilize_with_behavior(Memory& m, const NormalizeRequest& r, ConditionChange& able);
  static Normalized limit(const NormalizeRequest& r, int32_t stabilized);
  static Normalized limit_with_behavior(const Memory& m, const NormalizeRequest& r, int32_t stabilized);

  std::chrono::seconds downscale_window_;
  std::mutex mu_;
  std::map<std::string, Memory> memory_;
};

}  // namespace ukube::controllers::hpa
