// Pod phase and readiness helpers against the cases of upstream's pod util tests.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <boost/json.hpp>

#include "ukube/machinery/pod.h"

namespace ukube::machinery {
namespace {

using namespace std::chrono_literals;

// A pod whose Ready condition has `status`, last changed at `since`.
boost::json::object pod_with_ready(const std::string& ready, Clock::time_point since,
                                   const std::string& phase = "Running") {
  return boost::json::parse(R"({"metadata":{"name":"p"},"status":{"phase":")" + phase +
                            R"(","conditions":[{"type":"Ready","status":")" + ready +
                            R"(","lastTransitionTime":")" + format_time(since) + R"("}]}})")
      .as_object();
}

TEST(PodReadiness, ReadyMeansTheReadyConditionIsTrue) {
  const auto now = Clock::time_point(std::chrono::seconds(1'700'000'000));
  EXPECT_TRUE(is_pod_ready(pod_with_ready("True", now)));
  EXPECT_FALSE(is_pod_ready(pod_with_ready("False", now)));
  EXPECT_FALSE(is_pod_ready(pod_with_ready("Unknown", now)));
  EXPECT_FALSE(is_pod_ready(boost::json::parse(R"({"status":{}})").as_object()));
}

TEST(PodReadiness, AvailableOnceReadyForLongerThanMinReadySeconds) {
  const auto now = Clock::time_point(std::chrono::seconds(1'700'000'000));
  struct Case {
    const char* name;
    boost::json::object pod;
    int32_t min_ready_seconds;
    bool available;
  } cases[] = {
      {"not ready", pod_with_ready("False", now), 0, false},
      {"ready, no minimum", pod_with_ready("True", now), 0, true},
      {"ready one second, minimum one second", pod_with_ready("True", now - 1s), 1, false},
      {"ready two seconds, minimum one second", pod_with_ready("True", now - 2s), 1, true},
      {"ready in the future", pod_with_ready("True", now + 5s), 1, false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(is_pod_available(c.pod, c.min_ready_seconds, now), c.available) << c.name;
  auto no_time =
      boost::json::parse(R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})").as_object();
  EXPECT_FALSE(is_pod_available(no_time, 1, now));
  EXPECT_TRUE(is_pod_available(no_time, 0, now));
}

TEST(PodPhase, SucceededAndFailedAreTerminal) {
  const auto now = Clock::time_point(std::chrono::seconds(1'700'000'000));
  EXPECT_TRUE(is_pod_terminal(pod_with_ready("False", now, "Succeeded")));
  EXPECT_TRUE(is_pod_terminal(pod_with_ready("False", now, "Failed")));
  EXPECT_FALSE(is_pod_terminal(pod_with_ready("True", now, "Running")));
  EXPECT_FALSE(is_pod_terminal(pod_with_ready("False", now, "Pending")));
  EXPECT_EQ(pod_phase(pod_with_ready("True", now, "Running")), "Running");
  EXPECT_TRUE(is_pod_active(pod_with_ready("True", now, "Running")));
  EXPECT_FALSE(is_pod_active(pod_with_ready("False", now, "Failed")));
  auto deleting = pod_with_ready("True", now);
  deleting["metadata"].as_object()["deletionTimestamp"] = format_time(now);
  EXPECT_FALSE(is_pod_active(deleting));
}

}  // namespace
}  // namespace ukube::machinery
