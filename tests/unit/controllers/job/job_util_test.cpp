#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <boost/json.hpp>

#include "controllers/job/job_pods.h"
#include "controllers/job/job_util.h"
#include "ukube/machinery/json.h"

namespace ukube::controllers::job {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const machinery::Clock::time_point kNow = *machinery::parse_time("2024-05-01T12:00:00Z");

json::object failed_pod(int64_t exit_code, const std::string& container = "main") {
  return json::parse(R"({"metadata":{"name":"p","namespace":"ns"},"status":{"phase":"Failed",
      "conditions":[{"type":"DisruptionTarget","status":"True"}],
      "containerStatuses":[{"name":")" +
                     container + R"(","state":{"terminated":{"exitCode":)" + std::to_string(exit_code) +
                     R"(,"finishedAt":"2024-05-01T11:59:00Z"}}}]}})")
      .as_object();
}

json::object policy(const std::string& rules) {
  return json::parse(R"({"rules":)" + rules + "}").as_object();
}

TEST(OrderedIntervals, ParsesMergesAndPrints) {
  auto intervals = OrderedIntervals::parse("0,2-4,7,9-12", 10);
  EXPECT_EQ(intervals.to_string(), "0,2-4,7,9");  // beyond completions dropped
  EXPECT_EQ(intervals.total(), 6);
  EXPECT_TRUE(intervals.has(3));
  EXPECT_FALSE(intervals.has(5));
  EXPECT_EQ(intervals.with({1, 5, 6, 5}).to_string(), "0-7,9");
  EXPECT_EQ(OrderedIntervals::parse("x,3,a-b", 5).to_string(), "3");
  EXPECT_EQ(OrderedIntervals::parse("", 5).total(), 0);
}

TEST(OrderedIntervals, FirstPendingIndexesSkipTakenOnes) {
  auto taken = OrderedIntervals::parse("0,2-3", 10);
  EXPECT_EQ(first_pending_indexes(taken, 3, 10), (std::vector<int64_t>{1, 4, 5}));
  EXPECT_EQ(first_pending_indexes(taken, 5, 6), (std::vector<int64_t>{1, 4, 5}));
  EXPECT_TRUE(first_pending_indexes(taken, 0, 10).empty());
}

TEST(Backoff, DoublesFromTenSecondsUpToSixMinutes) {
  EXPECT_EQ(backoff_remaining(0, kNow, kNow), 0ms);
  EXPECT_EQ(backoff_remaining(1, kNow, kNow), 10s);
  EXPECT_EQ(backoff_remaining(2, kNow, kNow), 20s);
  EXPECT_EQ(backoff_remaining(3, kNow, kNow), 40s);
  EXPECT_EQ(backoff_remaining(7, kNow, kNow), 360s);
  EXPECT_EQ(backoff_remaining(30, kNow, kNow), 360s);
  // Time since the last failure is deducted.
  EXPECT_EQ(backoff_remaining(2, kNow - 15s, kNow), 5s);
  EXPECT_EQ(backoff_remaining(2, kNow - 25s, kNow), 0ms);
}

TEST(PodFailurePolicy, FailJobOnExitCodeWithUpstreamsMessage) {
  auto p = policy(R"([{"action":"Ignore","onExitCodes":{"operator":"In","values":[1]}},
                      {"action":"FailJob","onExitCodes":{"containerName":"main","operator":"In","values":[42]}}])");
  auto match = match_pod_failure_policy(&p, failed_pod(42));
  ASSERT_TRUE(match.fail_job_message);
  EXPECT_EQ(*match.fail_job_message,
            "Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1");
  EXPECT_TRUE(match.count_failed);
  // Another container name does not match the rule.
  EXPECT_FALSE(match_pod_failure_policy(&p, failed_pod(42, "side")).fail_job_message);
}

TEST(PodFailurePolicy, IgnoreCountAndNotIn) {
  auto p = policy(R"([{"action":"Ignore","onExitCodes":{"operator":"In","values":[1,2]}},
                      {"action":"Count","onExitCodes":{"operator":"NotIn","values":[1,2,3]}}])");
  auto ignored = match_pod_failure_policy(&p, failed_pod(2));
  EXPECT_FALSE(ignored.count_failed);
  EXPECT_EQ(ignored.action, "Ignore");
  auto counted = match_pod_failure_policy(&p, failed_pod(9));
  EXPECT_TRUE(counted.count_failed);
  EXPECT_EQ(counted.action, "Count");
  // 3 matches no rule: counts, as without a policy.
  auto none = match_pod_failure_policy(&p, failed_pod(3));
  EXPECT_TRUE(none.count_failed);
  EXPECT_EQ(none.action, "");
}

TEST(PodFailurePolicy, OnPodConditions) {
  auto p =
      policy(R"([{"action":"FailJob","onPodConditions":[{"type":"DisruptionTarget","status":"True"}]}])");
  auto match = match_pod_failure_policy(&p, failed_pod(1));
  ASSERT_TRUE(match.fail_job_message);
  EXPECT_EQ(*match.fail_job_message,
            "Pod ns/p has condition DisruptionTarget matching FailJob rule at index 0");
  auto ignore =
      policy(R"([{"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget","status":"False"}]}])");
  EXPECT_TRUE(match_pod_failure_policy(&ignore, failed_pod(1)).count_failed);
}

TEST(PodFailed, DeletedPodsCountAsFailedUnlessOnlyFailedOnesAreReplaced) {
  json::object job = json::parse(R"({"spec":{}})").as_object();
  json::object pod = json::parse(R"({"metadata":{"deletionTimestamp":"2024-05-01T12:00:00Z"},
                                     "status":{"phase":"Running"}})")
                         .as_object();
  EXPECT_TRUE(is_pod_failed(pod, job));
  job["spec"].as_object()["podReplacementPolicy"] = "Failed";
  EXPECT_FALSE(is_pod_failed(pod, job));
  pod["status"].as_object()["phase"] = "Failed";
  EXPECT_TRUE(is_pod_failed(pod, job));
}

TEST(Conditions, EnsureReplacesOnChangeAndSkipsAbsentFalse) {
  json::array conditions;
  EXPECT_FALSE(ensure_condition(conditions, "Suspended", "False", "JobResumed", "Job resumed", kNow));
  EXPECT_TRUE(conditions.empty());
  EXPECT_TRUE(ensure_condition(conditions, "Suspended", "True", "JobSuspended", "Job suspended", kNow));
  EXPECT_FALSE(ensure_condition(conditions, "Suspended", "True", "JobSuspended", "Job suspended", kNow + 5s));
  EXPECT_TRUE(ensure_condition(conditions, "Suspended", "False", "JobResumed", "Job resumed", kNow + 5s));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(machinery::string_at(conditions[0].as_object(), {"lastTransitionTime"}), "2024-05-01T12:00:05Z");
  EXPECT_EQ(machinery::string_at(conditions[0].as_object(), {"lastProbeTime"}), "2024-05-01T12:00:05Z");
}

TEST(JobPod, IndexedPodCarriesItsIndexEverywhere) {
  json::object job = json::parse(R"({"metadata":{"name":"work","namespace":"ns","uid":"u1"},
      "spec":{"completionMode":"Indexed","completions":3,"template":{
        "metadata":{"labels":{"job-name":"work"}},
        "spec":{"initContainers":[{"name":"init","image":"i"}],
                "containers":[{"name":"c","image":"x","env":[{"name":"A","value":"1"}]}]}}}})")
                         .as_object();
  json::object pod = job_pod(job, 2);
  EXPECT_EQ(machinery::string_at(pod, {"metadata", "generateName"}), "work-2-");
  EXPECT_EQ(machinery::string_at(pod, {"metadata", "annotations", kCompletionIndexKey}), "2");
  EXPECT_EQ(machinery::string_at(pod, {"metadata", "labels", kCompletionIndexKey}), "2");
  EXPECT_EQ(machinery::string_at(pod, {"metadata", "labels", "job-name"}), "work");
  EXPECT_EQ(machinery::string_at(pod, {"spec", "hostname"}), "work-2");
  EXPECT_EQ(machinery::strings_at(pod, {"metadata", "finalizers"}),
            std::vector<std::string>{kTrackingFinalizer});
  const auto& ref =
      machinery::object_or_empty(&pod["metadata"].as_object()["ownerReferences"].as_array()[0].as_object());
  EXPECT_EQ(machinery::string_at(ref, {"kind"}), "Job");
  EXPECT_EQ(machinery::string_at(ref, {"uid"}), "u1");
  EXPECT_EQ(machinery::bool_at(ref, {"controller"}), true);
  for (const char* list : {"containers", "initContainers"}) {
    const auto& env = pod["spec"].as_object()[list].as_array()[0].as_object()["env"].as_array();
    const auto& last = env.back().as_object();
    EXPECT_EQ(machinery::string_at(last, {"name"}), kCompletionIndexEnv) << list;
    EXPECT_EQ(machinery::string_at(last, {"valueFrom", "fieldRef", "fieldPath"}),
              "metadata.labels['batch.kubernetes.io/job-completion-index']");
  }
  // The job itself is not changed.
  EXPECT_FALSE(machinery::value_at(job, {"spec", "template", "metadata", "finalizers"}));
}

TEST(JobPod, NonIndexedPodIsNamedAfterTheJob) {
  json::object job = json::parse(R"({"metadata":{"name":"pi","namespace":"ns","uid":"u1"},
      "spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}})")
                         .as_object();
  json::object pod = job_pod(job, -1);
  EXPECT_EQ(machinery::string_at(pod, {"metadata", "generateName"}), "pi-");
  EXPECT_FALSE(machinery::value_at(pod, {"metadata", "annotations", kCompletionIndexKey}));
  EXPECT_FALSE(machinery::value_at(pod, {"spec", "containers"})->as_array()[0].as_object().contains("env"));
}

TEST(JobPod, LongNamesAreCutToFitTheGeneratedName) {
  const std::string name(70, 'a');
  const std::string prefix = indexed_generate_name(name, 12);
  EXPECT_EQ(prefix.size(), 58u);
  EXPECT_EQ(prefix.substr(prefix.size() - 4), "-12-");
  EXPECT_EQ(indexed_generate_name("short", 3), "short-3-");
}

}  // namespace
}  // namespace ukube::controllers::job
