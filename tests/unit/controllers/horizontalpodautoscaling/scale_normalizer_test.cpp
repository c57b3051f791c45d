// Stabilization and rate limits, with and without spec.behavior, as upstream's
// normalizeDesiredReplicas and normalizeDesiredReplicasWithBehaviors decide.
#include <gtest/gtest.h>

#include "controllers/horizontalpodautoscaling/scale_normalizer.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::hpa {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kFirstSync = *machinery::parse_time("2026-06-01T12:00:00Z");

NormalizeRequest ask(int32_t current, int32_t desired, Clock::time_point now,
                     const Behavior* behavior = nullptr, int32_t min = 1, int32_t max = 10) {
  return {"default/web", current, desired, min, max, behavior, now};
}

TEST(ScaleNormalizer, AScaleDownWaitsForTheHighestRecentRecommendation) {
  ScaleNormalizer n(300s);
  EXPECT_EQ(n.normalize(ask(5, 5, kFirstSync)).replicas, 5);
  Normalized held = n.normalize(ask(5, 2, kFirstSync + 60s));
  EXPECT_EQ(held.replicas, 5);
  EXPECT_EQ(held.able_to_scale.reason, "ScaleDownStabilized");
  EXPECT_EQ(held.scaling_limited.reason, "DesiredWithinRange");
  EXPECT_FALSE(held.scaling_limited.status);
  // Once the 5 is older than the window, the lower recommendations win.
  Normalized after = n.normalize(ask(5, 2, kFirstSync + 301s));
  EXPECT_EQ(after.replicas, 2);
  EXPECT_EQ(after.able_to_scale.reason, "ReadyForNewScale");
}

TEST(ScaleNormalizer, WithoutBehaviorAScaleUpAtMostDoublesAndStaysInRange) {
  ScaleNormalizer n(300s);
  Normalized up = n.normalize(ask(3, 20, kFirstSync, nullptr, 1, 50));
  EXPECT_EQ(up.replicas, 6);
  EXPECT_EQ(up.scaling_limited.reason, "ScaleUpLimit");
  EXPECT_TRUE(up.scaling_limited.status);
  ScaleNormalizer m(300s);
  Normalized capped = m.normalize(ask(1, 20, kFirstSync, nullptr, 1, 3));
  EXPECT_EQ(capped.replicas, 3);
  EXPECT_EQ(capped.scaling_limited.reason, "TooManyReplicas");
  ScaleNormalizer o(300s);
  Normalized floor = o.normalize(ask(3, 0, kFirstSync, nullptr, 2, 10));
  EXPECT_EQ(floor.replicas, 2);
  EXPECT_EQ(floor.scaling_limited.reason, "TooFewReplicas");
}

Behavior upstream_default_behavior(int32_t down_window) {
  Behavior b;
  b.scale_up = {0, "Max", {{"Pods", 4, 15}, {"Percent", 100, 15}}};
  b.scale_down = {down_window, "Max", {{"Percent", 100, 15}}};
  return b;
}

TEST(ScaleNormalizer, BehaviorPoliciesLimitTheRatePerPeriod) {
  Behavior b = upstream_default_behavior(0);
  b.scale_up.policies = {{"Pods", 2, 60}};
  ScaleNormalizer n(300s);
  Normalized first = n.normalize(ask(2, 9, kFirstSync, &b));
  EXPECT_EQ(first.replicas, 4);
  EXPECT_EQ(first.scaling_limited.reason, "ScaleUpLimit");
  n.record_scale("default/web", &b, 2, 4, kFirstSync);
  // Within the same 60 s period the two pods are spent already.
  EXPECT_EQ(n.normalize(ask(4, 9, kFirstSync + 30s, &b)).replicas, 4);
  // A period later two more are allowed.
  EXPECT_EQ(n.normalize(ask(4, 9, kFirstSync + 61s, &b)).replicas, 6);
}

TEST(ScaleNormalizer, BehaviorScaleDownWindowAndDisabledPolicy) {
  Behavior b = upstream_default_behavior(60);
  ScaleNormalizer n(300s);
  EXPECT_EQ(n.normalize(ask(6, 6, kFirstSync, &b)).replicas, 6);
  Normalized held = n.normalize(ask(6, 1, kFirstSync + 30s, &b));
  EXPECT_EQ(held.replicas, 6);
  EXPECT_EQ(held.able_to_scale.reason, "ScaleDownStabilized");
  EXPECT_EQ(n.normalize(ask(6, 1, kFirstSync + 91s, &b)).replicas, 1);

  Behavior disabled = upstream_default_behavior(0);
  disabled.scale_down.select_policy = "Disabled";
  ScaleNormalizer m(300s);
  Normalized none = m.normalize(ask(6, 1, kFirstSync, &disabled));
  EXPECT_EQ(none.replicas, 6);
  EXPECT_EQ(none.scaling_limited.reason, "ScaleDownLimit");
}

TEST(ScaleNormalizer, ScaleUpStabilizationTakesTheLowestRecentRecommendation) {
  Behavior b = upstream_default_behavior(0);
  b.scale_up.stabilization_window_seconds = 60;
  ScaleNormalizer n(300s);
  EXPECT_EQ(n.normalize(ask(2, 2, kFirstSync, &b)).replicas, 2);
  Normalized held = n.normalize(ask(2, 5, kFirstSync + 10s, &b));
  EXPECT_EQ(held.replicas, 2);
  EXPECT_EQ(held.able_to_scale.reason, "ScaleUpStabilized");
  EXPECT_EQ(n.normalize(ask(2, 5, kFirstSync + 71s, &b)).replicas, 5);
}

}  // namespace
}  // namespace ukube::controllers::hpa
