// upstream's replica calculator cases: tolerance, the ready/unready/missing pod groups and
// the rebalancing that keeps a guess about pods without metrics from turning a decision.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "controllers/horizontalpodautoscaling/replica_calculator.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::hpa {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const Clock::time_point kNow = *machinery::parse_time("2026-06-01T12:00:00Z");

// A Running pod requesting `cpu_milli`, started long ago and Ready since then.
json::object pod(const std::string& name, int64_t cpu_milli, const std::string& phase = "Running",
                 bool ready = true, Clock::duration started_ago = 1h) {
  json::object p{{"metadata", {{"name", name}, {"namespace", "default"}}}};
  p["spec"] = json::object{
      {"containers",
       json::array{json::object{{"name", "app"},
                                {"resources", {{"requests", {{"cpu", std::to_string(cpu_milli) + "m"}}}}}}}}};
  const std::string start = machinery::format_time(kNow - started_ago);
  p["status"] = json::object{{"phase", phase},
                             {"startTime", start},
                             {"conditions", json::array{json::object{{"type", "Ready"},
                                                                     {"status", ready ? "True" : "False"},
                                                                     {"lastTransitionTime", start}}}}};
  return p;
}

struct Fixture {
  std::vector<json::object> pods;
  PodMetrics metrics;
  std::vector<const json::object*> pointers;

  CalculatorInput input(int32_t current) {
    pointers.clear();
    for (const auto& p : pods) pointers.push_back(&p);
    CalculatorInput in;
    in.current_replicas = current;
    in.resource = "cpu";
    in.pods = &pointers;
    in.metrics = metrics;
    in.now = kNow;
    return in;
  }
  void use(const std::string& name, int64_t milli) { metrics[name] = {milli, kNow - 5s, 10s}; }
};

TEST(ReplicaCalculator, ScalesUpByTheRatioOfUsageToTarget) {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    f.pods.push_back(pod("p" + std::to_string(i), 1000));
    f.use("p" + std::to_string(i), 900);
  }
  ReplicaEstimate e = utilization_replicas(f.input(3), 30, {});
  EXPECT_EQ(e.utilization, 90);
  EXPECT_EQ(e.replicas, 9);  // ceil(90/30 * 3)
  EXPECT_EQ(e.average_milli, 900);
}

TEST(ReplicaCalculator, WithinToleranceKeepsTheCount) {
  Fixture f;
  f.pods = {pod("a", 1000), pod("b", 1000)};
  f.use("a", 520);
  f.use("b", 560);
  EXPECT_EQ(utilization_replicas(f.input(2), 50, {}).replicas, 2);  // 54% of 50%: within 10%
}

TEST(ReplicaCalculator, ScalesDownAndIgnoresFailedAndDeletedPods) {
  Fixture f;
  f.pods = {pod("a", 1000), pod("b", 1000), pod("c", 1000), pod("dead", 1000, "Failed")};
  json::object gone = pod("gone", 1000);
  gone["metadata"].as_object()["deletionTimestamp"] = machinery::format_time(kNow);
  f.pods.push_back(gone);
  for (const char* name : {"a", "b", "c", "dead", "gone"}) f.use(name, 100);
  EXPECT_EQ(utilization_replicas(f.input(5), 50, {}).replicas, 1);  // ceil(10/50 * 3)
}

TEST(ReplicaCalculator, MissingPodsCountAgainstTheMove) {
  // Scaling up, the pod without metrics is taken as idle: 2 pods at 100% and one at 0%
  // of a 50% target still ask for more, but fewer than the two alone would.
  Fixture f;
  f.pods = {pod("a", 1000), pod("b", 1000), pod("new", 1000)};
  f.use("a", 1000);
  f.use("b", 1000);
  EXPECT_EQ(utilization_replicas(f.input(3), 50, {}).replicas, 4);  // ceil((2000/3000)/0.5 * 3)
  // Scaling down, it is taken as fully busy: 10% and 10% with one at 100% stays put.
  f.metrics.clear();
  f.use("a", 100);
  f.use("b", 100);
  EXPECT_EQ(utilization_replicas(f.input(3), 50, {}).replicas, 3);
}

TEST(ReplicaCalculator, StartingCpuSamplesAndPendingPodsDoNotCount) {
  Fixture f;
  f.pods = {pod("a", 1000), pod("starting", 1000, "Running", false, 20s), pod("pending", 1000, "Pending")};
  f.use("a", 800);
  f.use("starting", 1000);
  ReplicaEstimate e = utilization_replicas(f.input(3), 50, {});
  EXPECT_EQ(e.utilization, 80);  // only the ready pod's figure
  // Up with unready pods: those count as idle, so 800 of 3000 = 26% < 50%: turns around, stays.
  EXPECT_EQ(e.replicas, 3);
}

TEST(ReplicaCalculator, SaysWhatIsMissing) {
  Fixture f;
  json::object no_request = pod("a", 100);
  no_request["spec"].as_object()["containers"].as_array()[0].as_object().erase("resources");
  f.pods = {no_request};
  f.use("a", 10);
  try {
    utilization_replicas(f.input(1), 50, {});
    FAIL() << "no error";
  } catch (const CalculationError& e) {
    EXPECT_STREQ(e.what(), "missing request for cpu in container app of Pod a");
  }
  Fixture none;
  none.pods = {pod("a", 100)};
  try {
    utilization_replicas(none.input(1), 50, {});
    FAIL() << "no error";
  } catch (const CalculationError& e) {
    EXPECT_STREQ(e.what(), "did not receive metrics for targeted pods (pods might be unready)");
  }
  Fixture empty;
  EXPECT_THROW(utilization_replicas(empty.input(1), 50, {}), CalculationError);
}

TEST(ReplicaCalculator, AverageValueTargets) {
  Fixture f;
  f.pods = {pod("a", 1000), pod("b", 1000)};
  f.use("a", 300);
  f.use("b", 500);
  ReplicaEstimate e = average_value_replicas(f.input(2), 200, {});
  EXPECT_EQ(e.average_milli, 400);
  EXPECT_EQ(e.replicas, 4);  // ceil(400/200 * 2)
}

TEST(ReplicaCalculator, RestartableInitContainersRequestToo) {
  json::object p = pod("a", 100);
  p["spec"].as_object()["initContainers"] = json::parse(R"([
    {"name":"sidecar","restartPolicy":"Always","resources":{"requests":{"cpu":"50m"}}},
    {"name":"setup"}])");
  std::vector<const json::object*> pods{&p};
  EXPECT_EQ(pod_requests(pods, "cpu", "").at("a"), 150);
  EXPECT_EQ(pod_requests(pods, "cpu", "sidecar").at("a"), 50);
}

}  // namespace
}  // namespace ukube::controllers::hpa
