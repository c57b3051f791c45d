#include "scale_normalizer.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace ukube::controllers::hpa {
namespace {

constexpr const char* kReadyForNewScale = "ReadyForNewScale";
constexpr const char* kMatchesCurrent = "recommended size matches current size";
constexpr const char* kScaleDownStabilized = "ScaleDownStabilized";
constexpr const char* kHigherRecent =
    "recent recommendations were higher than current one, applying the highest recent recommendation";
constexpr const char* kScaleUpStabilized = "ScaleUpStabilized";
constexpr const char* kLowerRecent =
    "recent recommendations were lower than current one, applying the lowest recent recommendation";
constexpr const char* kScaleUpLimit = "ScaleUpLimit";
constexpr const char* kUpTooFast =
    "the desired replica count is increasing faster than the maximum scale rate";
constexpr const char* kScaleDownLimit = "ScaleDownLimit";
constexpr const char* kDownTooFast =
    "the desired replica count is decreasing faster than the maximum scale rate";
constexpr const char* kTooMany = "TooManyReplicas";
constexpr const char* kAboveMax = "the desired replica count is more than the maximum replica count";
constexpr const char* kTooFew = "TooFewReplicas";
constexpr const char* kBelowMin = "the desired replica count is less than the minimum replica count";
constexpr const char* kWithinRange = "DesiredWithinRange";
constexpr const char* kInRange = "the desired count is within the acceptable range";

// Without spec.behavior a scale-up is held to this factor, and at least this many replicas.
constexpr double kScaleUpLimitFactor = 2.0;
constexpr double kScaleUpLimitMinimum = 4.0;

Normalized result(int32_t replicas, int32_t stabilized, const char* reason, const char* message) {
  Normalized n;
  n.replicas = replicas;
  n.scaling_limited = {replicas != stabilized, reason, message};
  return n;
}

template <typename Events>
int32_t change_in_period(int32_t period_seconds, const Events& events, Clock::time_point now) {
  const auto cutoff = now - std::chrono::seconds(period_seconds);
  int32_t replicas = 0;
  for (const auto& e : events)
    if (e.at > cutoff) replicas += e.change;
  return replicas;
}

}  // namespace

Normalized ScaleNormalizer::normalize(const NormalizeRequest& r) {
  std::lock_guard lock(mu_);
  Memory& m = memory_[r.key];
  ConditionChange able;
  if (!r.behavior) {
    const int32_t stabilized = stabilize(m, r, able);
    Normalized n = limit(r, stabilized);
    n.able_to_scale = able;
    return n;
  }
  const int32_t stabilized = stabilize_with_behavior(m, r, able);
  Normalized n = limit_with_behavior(m, r, stabilized);
  n.able_to_scale = able;
  return n;
}

int32_t ScaleNormalizer::stabilize(Memory& m, const NormalizeRequest& r, ConditionChange& able) {
  const auto cutoff = r.now - downscale_window_;
  int32_t highest = r.desired;
  std::optional<size_t> old;
  for (size_t i = 0; i < m.recommendations.size(); ++i) {
    if (m.recommendations[i].at < cutoff)
      old = i;
    else
      highest = std::max(highest, m.recommendations[i].replicas);
  }
  if (old)
    m.recommendations[*old] = {r.desired, r.now};
  else
    m.recommendations.push_back({r.desired, r.now});
  able = highest != r.desired ? ConditionChange{true, kScaleDownStabilized, kHigherRecent}
                              : ConditionChange{true, kReadyForNewScale, kMatchesCurrent};
  return highest;
}

Normalized ScaleNormalizer::limit(const NormalizeRequest& r, int32_t stabilized) {
  const auto up_limit = static_cast<int32_t>(
      std::max(kScaleUpLimitFactor * static_cast<double>(r.current), kScaleUpLimitMinimum));
  const bool rate_bound = r.max > up_limit;
  const int32_t max_allowed = rate_bound ? up_limit : r.max;
  if (stabilized < r.min) return result(r.min, stabilized, kTooFew, kBelowMin);
  if (stabilized > max_allowed)
    return result(max_allowed, stabilized, rate_bound ? kScaleUpLimit : kTooMany,
                  rate_bound ? kUpTooFast : kAboveMax);
  return result(stabilized, stabilized, kWithinRange, kInRange);
}

int32_t ScaleNormalizer::stabilize_with_behavior(Memory& m, const NormalizeRequest& r,
                                                 ConditionChange& able) {
  const auto up_cutoff =
      r.now - std::chrono::seconds(r.behavior->scale_up.stabilization_window_seconds.value_or(0));
  const auto down_window = r.behavior->scale_down.stabilization_window_seconds
                               ? std::chrono::seconds(*r.behavior->scale_down.stabilization_window_seconds)
                               : downscale_window_;
  const auto down_cutoff = r.now - down_window;
  int32_t up = r.desired, down = r.desired;
  std::optional<size_t> old;
  for (size_t i = 0; i < m.recommendations.size(); ++i) {
    const auto& rec = m.recommendations[i];
    if (rec.at > up_cutoff) up = std::min(up, rec.replicas);
    if (rec.at > down_cutoff) down = std::max(down, rec.replicas);
    if (rec.at < up_cutoff && rec.at < down_cutoff) old = i;
  }
  int32_t recommendation = r.current;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;
  if (old)
    m.recommendations[*old] = {r.desired, r.now};
  else
    m.recommendations.push_back({r.desired, r.now});
  if (recommendation != r.desired)
    able = r.desired >= r.current ? ConditionChange{true, kScaleUpStabilized, kLowerRecent}
                                  : ConditionChange{true, kScaleDownStabilized, kHigherRecent};
  else
    able = {true, kReadyForNewScale, kMatchesCurrent};
  return recommendation;
}

Normalized ScaleNormalizer::limit_with_behavior(const Memory& m, const NormalizeRequest& r,
                                                int32_t stabilized) {
  auto period_start = [&](const ScalingPolicy& p) {
    return r.current - change_in_period(p.period_seconds, m.up, r.now) +
           change_in_period(p.period_seconds, m.down, r.now);
  };
  if (stabilized > r.current) {
    const ScalingRules& rules = r.behavior->scale_up;
    int32_t limit = r.current;
    if (rules.select_policy != "Disabled") {
      const bool min = rules.select_policy == "Min";
      limit = min ? INT32_MAX : INT32_MIN;
      for (const auto& p : rules.policies) {
        const int32_t start = period_start(p);
        const int32_t proposed = p.type == "Pods"
                                     ? start + p.value
                                     : static_cast<int32_t>(std::ceil(start * (1.0 + p.value / 100.0)));
        limit = min ? std::min(limit, proposed) : std::max(limit, proposed);
      }
    }
    limit = std::max(limit, r.current);
    const bool rate_bound = r.max > limit;
    const int32_t max_allowed = rate_bound ? limit : r.max;
    if (stabilized > max_allowed)
      return result(max_allowed, stabilized, rate_bound ? kScaleUpLimit : kTooMany,
                    rate_bound ? kUpTooFast : kAboveMax);
  } else if (stabilized < r.current) {
    const ScalingRules& rules = r.behavior->scale_down;
    int32_t limit = r.current;
    if (rules.select_policy != "Disabled") {
      const bool min = rules.select_policy == "Min";
      limit = min ? INT32_MIN : INT32_MAX;
      for (const auto& p : rules.policies) {
        const int32_t start = period_start(p);
        const int32_t proposed =
            p.type == "Pods" ? start - p.value : static_cast<int32_t>(start * (1.0 - p.value / 100.0));
        limit = min ? std::max(limit, proposed) : std::min(limit, proposed);
      }
    }
    limit = std::min(limit, r.current);
    const bool rate_bound = r.min < limit;
    const int32_t min_allowed = rate_bound ? limit : r.min;
    if (stabilized < min_allowed)
      return result(min_allowed, stabilized, rate_bound ? kScaleDownLimit : kTooFew,
                    rate_bound ? kDownTooFast : kBelowMin);
  }
  return result(stabilized, stabilized, kWithinRange, kInRange);
}

void ScaleNormalizer::record_scale(const std::string& key, const Behavior* behavior, int32_t from, int32_t to,
                                   Clock::time_point now) {
  if (!behavior || from == to) return;
  std::lock_guard lock(mu_);
  Memory& m = memory_[key];
  const bool up = to > from;
  const ScalingRules& rules = up ? behavior->scale_up : behavior->scale_down;
  auto& events = up ? m.up : m.down;
  int32_t longest = 0;
  for (const auto& p : rules.policies) longest = std::max(longest, p.period_seconds);
  const auto cutoff = now - std::chrono::seconds(longest);
  std::optional<size_t> reusable;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].at < cutoff) events[i].outdated = true;
    if (events[i].outdated) reusable = i;
  }
  const ScaleEvent event{up ? to - from : from - to, now, false};
  if (reusable)
    events[*reusable] = event;
  else
    events.push_back(event);
}

void ScaleNormalizer::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  memory_.erase(key);
}

}  // namespace ukube::controllers::hpa
