#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "controllers/job/job_controller.h"
#include "controllers/job/job_util.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::job {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const machinery::Clock::time_point kSyncNow = *machinery::parse_time("2024-05-01T12:00:00Z");

template <class Condition>
bool wait_until(Condition condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

// A job as the API server stores it: selector and template labels generated from its uid.
json::object make_job(const std::string& spec_extra = "") {
  return json::parse(R"({"apiVersion":"batch/v1","kind":"Job",
      "metadata":{"name":"pi","namespace":"default","uid":"uid-pi","generation":1},
      "spec":{)" + spec_extra +
                     R"("backoffLimit":6,"podReplacementPolicy":"TerminatingOrFailed",
        "selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"uid-pi"}},
        "template":{"metadata":{"labels":{"batch.kubernetes.io/controller-uid":"uid-pi","controller-uid":"uid-pi",
                                          "batch.kubernetes.io/job-name":"pi","job-name":"pi"}},
                    "spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"perl"}]}}}})")
      .as_object();
}

class JobSyncTest : public ::testing::Test {
 protected:
  ~JobSyncTest() override {
    handlers_.clear();
    syncer_.reset();
    informers_.shutdown();
  }

  JobSyncer& start() {
    JobSyncerOptions options;
    options.client = client_;
    options.jobs = informers_.informer(machinery::kJobs);
    options.pods = informers_.informer(machinery::kPods);
    options.events = &events_;
    options.now = [this] { return now_; };
    EXPECT_TRUE(options.jobs->wait_for_sync(5s));
    EXPECT_TRUE(options.pods->wait_for_sync(5s));
    JobQueue queue{[](const std::string&) {},
                   [this](const std::string& key, std::chrono::milliseconds delay) {
                     std::lock_guard lock(mutex_);
                     delayed_.push_back({key, delay});
                   },
                   [this](const std::string& key) {
                     std::lock_guard lock(mutex_);
                     orphans_.push_back(key);
                   }};
    auto jobs = options.jobs;
    auto pods = options.pods;
    syncer_ = std::make_unique<JobSyncer>(std::move(options), std::move(queue));
    // As the running controller: pod events lower the expectations.
    handlers_.push_back(pods->add_handlers(syncer_->pod_handlers()));
    handlers_.push_back(jobs->add_handlers(syncer_->job_handlers()));
    return *syncer_;
  }

  std::vector<ObjectPtr> stored_pods() {
    auto items = client_->objects().list(machinery::kPods, "default").items;
    std::sort(items.begin(), items.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      return machinery::name_of(*a) < machinery::name_of(*b);
    });
    return items;
  }
  json::object stored_job() { return *client_->objects().get(machinery::kJobs, "default", "pi"); }
  json::object job_status() {
    return machinery::object_or_empty(machinery::object_at(stored_job(), {"status"}));
  }

  // Waits until the caches hold what is stored (sync reads the caches).
  void settle() {
    auto pods = informers_.informer(machinery::kPods);
    auto jobs = informers_.informer(machinery::kJobs);
    ASSERT_TRUE(wait_until([&] {
      auto stored = stored_pods();
      if (pods->list().size() != stored.size()) return false;
      for (const auto& p : stored) {
        auto cached = pods->get("default/" + machinery::name_of(*p));
        if (!cached || machinery::meta_string(*cached, "resourceVersion") !=
                           machinery::meta_string(*p, "resourceVersion"))
          return false;
      }
      if (syncer_ && !syncer_->expectations().satisfied("default/pi")) return false;
      auto cached = jobs->get("default/pi");
      return cached && machinery::meta_string(*cached, "resourceVersion") ==
                           machinery::meta_string(stored_job(), "resourceVersion");
    }));
  }

  // What the kubelet would report for a pod whose container ended with `exit_code`.
  void finish_pod(const ObjectPtr& pod, int64_t exit_code,
                  const std::string& finished_at = "2024-05-01T12:00:00Z") {
    json::object copy = *pod;
    copy["status"] = json::object{
        {"phase", exit_code == 0 ? "Succeeded" : "Failed"},
        {"containerStatuses",
         json::array{json::object{
             {"name", "main"},
             {"state", json::object{{"terminated", json::object{{"exitCode", exit_code},
                                                                {"finishedAt", finished_at}}}}}}}}};
    client_->objects().update(machinery::kPods, "default", copy, {}, "status");
  }
  void make_running_ready(const ObjectPtr& pod) {
    json::object copy = *pod;
    copy["status"] =
        json::object{{"phase", "Running"},
                     {"conditions", json::array{json::object{{"type", "Ready"}, {"status", "True"}}}}};
    client_->objects().update(machinery::kPods, "default", copy, {}, "status");
  }

  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list(machinery::kEvents, "").items)
      out.push_back(machinery::string_at(*e, {"type"}) + " " + machinery::string_at(*e, {"reason"}) + " " +
                    machinery::string_at(*e, {"message"}));
    return out;
  }
  bool has_event(const std::string& text) {
    auto all = events();
    return std::find(all.begin(), all.end(), text) != all.end();
  }

  std::string condition(const char* type) {
    const json::object job = stored_job();
    const auto* conditions = machinery::array_at(job, {"status", "conditions"});
    if (conditions)
      for (const auto& c : *conditions)
        if (machinery::string_at(c.as_object(), {"type"}) == type)
          return machinery::string_at(c.as_object(), {"status"}) + "/" +
                 machinery::string_at(c.as_object(), {"reason"});
    return "";
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  controller::EventRecorder events_{event_client_, [] {
                                      controller::RecorderSettings settings;
                                      settings.source.component = "job-controller";
                                      return settings;
                                    }()};
  machinery::Clock::time_point now_ = kSyncNow;
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> delayed_;
  std::vector<std::string> orphans_;
  std::unique_ptr<JobSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

TEST_F(JobSyncTest, StartsParallelismPodsWithTrackingFinalizerAndStatus) {
  client_->add(machinery::kJobs, make_job(R"("completions":5,"parallelism":2,)"));
  start().sync("default/pi");
  auto pods = stored_pods();
  ASSERT_EQ(pods.size(), 2u);
  for (const auto& pod : pods) {
    EXPECT_EQ(machinery::name_of(*pod).rfind("pi-", 0), 0u);
    EXPECT_EQ(machinery::strings_at(*pod, {"metadata", "finalizers"}),
              std::vector<std::string>{kTrackingFinalizer});
    EXPECT_EQ(machinery::string_at(*pod, {"metadata", "labels", "job-name"}), "pi");
    EXPECT_EQ(machinery::array_at(*pod, {"metadata", "ownerReferences"})->size(), 1u);
  }
  auto status = job_status();
  EXPECT_EQ(machinery::int_or(status, {"active"}, 0), 2);
  EXPECT_EQ(machinery::int_or(status, {"ready"}, -1), 0);
  EXPECT_EQ(machinery::int_or(status, {"terminating"}, -1), 0);
  EXPECT_EQ(machinery::string_at(status, {"startTime"}), "2024-05-01T12:00:00Z");
  EXPECT_TRUE(machinery::object_at(status, {"uncountedTerminatedPods"}));
  EXPECT_FALSE(status.contains("succeeded"));
  EXPECT_TRUE(has_event("Normal SuccessfulCreate Created pod: " + machinery::name_of(*pods[0])));

  // Whether or not the informer has shown the new pods yet, a second sync creates no more:
  // expectations hold it back until they are seen.
  auto jobs = informers_.informer(machinery::kJobs);
  ASSERT_TRUE(wait_until([&] {
    auto cached = jobs->get("default/pi");
    return cached && machinery::meta_string(*cached, "resourceVersion") ==
                         machinery::meta_string(stored_job(), "resourceVersion");
  }));
  syncer_->sync("default/pi");
  EXPECT_EQ(stored_pods().size(), 2u);
  EXPECT_EQ(client_->count("create", "pods"), 2u);
}

TEST_F(JobSyncTest, ASucceededPodIsCountedThroughUncountedAndItsFinalizerThenTheJobCompletes) {
  client_->add(machinery::kJobs, make_job(R"("completions":1,"parallelism":1,)"));
  start().sync("default/pi");
  settle();
  auto pods = stored_pods();
  ASSERT_EQ(pods.size(), 1u);
  make_running_ready(pods[0]);
  settle();
  syncer_->sync("default/pi");
  EXPECT_EQ(machinery::int_or(job_status(), {"ready"}, -1), 1);

  finish_pod(stored_pods()[0], 0);
  settle();
  client_->clear_actions();
  now_ = kSyncNow + 30s;
  syncer_->sync("default/pi");
  // First the uid goes into uncountedTerminatedPods, then the finalizer, then the count.
  auto updates = client_->actions("update", "jobs/status");
  ASSERT_GE(updates.size(), 2u);
  EXPECT_EQ(client_->count("patch", "pods"), 1u);
  auto pod = stored_pods()[0];
  EXPECT_TRUE(machinery::strings_at(*pod, {"metadata", "finalizers"}).empty());
  auto status = job_status();
  EXPECT_EQ(machinery::int_or(status, {"succeeded"}, 0), 1);
  EXPECT_FALSE(status.contains("active"));
  EXPECT_TRUE(machinery::strings_at(status, {"uncountedTerminatedPods", "succeeded"}).empty());
  EXPECT_EQ(condition(kSuccessCriteriaMet), "True/CompletionsReached");
  EXPECT_EQ(condition(kComplete), "True/CompletionsReached");
  EXPECT_EQ(machinery::string_at(status, {"completionTime"}), "2024-05-01T12:00:30Z");
  EXPECT_TRUE(has_event("Normal Completed Job completed"));
  EXPECT_TRUE(is_job_finished(stored_job()));
}

TEST_F(JobSyncTest, AFailureWaitsTenSecondsBeforeTheReplacementAndTheNextTwenty) {
  client_->add(machinery::kJobs, make_job(R"("completions":1,"parallelism":1,)"));
  start().sync("default/pi");
  settle();
  finish_pod(stored_pods()[0], 1);
  settle();
  syncer_->sync("default/pi");
  auto status = job_status();
  EXPECT_EQ(machinery::int_or(status, {"failed"}, 0), 1);
  EXPECT_EQ(stored_pods().size(), 1u);  // no replacement yet
  EXPECT_TRUE(machinery::strings_at(*stored_pods()[0], {"metadata", "finalizers"}).empty());
  settle();
  auto result = syncer_->sync("default/pi");
  EXPECT_EQ(result.next, controller::Result::Next::RequeueAfter);
  EXPECT_EQ(result.after, 10s);

  now_ = kSyncNow + 10s;
  settle();
  syncer_->sync("default/pi");
  settle();
  auto pods = stored_pods();
  ASSERT_EQ(pods.size(), 2u);
  ObjectPtr second = machinery::pod_phase(*pods[0]) == "Failed" ? pods[1] : pods[0];
  finish_pod(second, 1, "2024-05-01T12:00:10Z");
  settle();
  syncer_->sync("default/pi");
  settle();
  result = syncer_->sync("default/pi");
  EXPECT_EQ(machinery::int_or(job_status(), {"failed"}, 0), 2);
  EXPECT_EQ(result.next, controller::Result::Next::RequeueAfter);
  EXPECT_EQ(result.after, 20s);
}

TEST_F(JobSyncTest, FailuresBeyondBackoffLimitFailTheJob) {
  json::object job = make_job(R"("completions":1,"parallelism":1,)");
  job["spec"].as_object()["backoffLimit"] = 0;
  client_->add(machinery::kJobs, job);
  start().sync("default/pi");
  settle();
  finish_pod(stored_pods()[0], 3);
  settle();
  syncer_->sync("default/pi");
  EXPECT_EQ(condition(kFailureTarget), "True/BackoffLimitExceeded");
  EXPECT_EQ(condition(kFailed), "True/BackoffLimitExceeded");
  EXPECT_EQ(machinery::int_or(job_status(), {"failed"}, 0), 1);
  EXPECT_FALSE(job_status().contains("completionTime"));
  EXPECT_TRUE(has_event("Warning BackoffLimitExceeded Job has reached the specified backoff limit"));
  // A finished job is left alone.
  client_->clear_actions();
  settle();
  syncer_->sync("default/pi");
  EXPECT_TRUE(client_->actions().empty());
}

TEST_F(JobSyncTest, ActiveDeadlineFailsTheJobOnceItsPodsAreGone) {
  json::object job = make_job(R"("completions":2,"parallelism":2,"activeDeadlineSeconds":30,)");
  client_->add(machinery::kJobs, job);
  auto result = start().sync("default/pi");
  EXPECT_EQ(result.next, controller::Result::Next::RequeueAfter);
  EXPECT_EQ(result.after, 30s);
  settle();
  now_ = kSyncNow + 31s;
  syncer_->sync("default/pi");
  EXPECT_EQ(condition(kFailureTarget), "True/DeadlineExceeded");
  // The running pods were deleted, and counted as failed as their finalizers went; the
  // job is Failed only once no pod is left terminating.
  EXPECT_EQ(condition(kFailed), "");
  EXPECT_EQ(client_->count("delete", "pods"), 2u);
  EXPECT_TRUE(stored_pods().empty());
  EXPECT_EQ(machinery::int_or(job_status(), {"terminating"}, 0), 2);
  EXPECT_EQ(machinery::int_or(job_status(), {"failed"}, 0), 2);
  settle();
  syncer_->sync("default/pi");
  EXPECT_EQ(machinery::int_or(job_status(), {"terminating"}, -1), 0);
  EXPECT_EQ(condition(kFailed), "True/DeadlineExceeded");
  EXPECT_TRUE(has_event("Warning DeadlineExceeded Job was active longer than specified deadline"));
}

TEST_F(JobSyncTest, IndexedJobNamesPodsByIndexAndTracksCompletedIndexes) {
  client_->add(machinery::kJobs, make_job(R"("completions":3,"parallelism":3,"completionMode":"Indexed",)"));
  start().sync("default/pi");
  settle();
  auto pods = stored_pods();
  ASSERT_EQ(pods.size(), 3u);
  std::vector<std::string> indexes;
  for (const auto& pod : pods) {
    const std::string ix = machinery::string_at(*pod, {"metadata", "annotations", kCompletionIndexKey});
    indexes.push_back(ix);
    EXPECT_EQ(machinery::name_of(*pod).rfind("pi-" + ix + "-", 0), 0u) << machinery::name_of(*pod);
    EXPECT_EQ(machinery::string_at(*pod, {"metadata", "labels", kCompletionIndexKey}), ix);
    EXPECT_EQ(machinery::string_at(*pod, {"spec", "hostname"}), "pi-" + ix);
  }
  std::sort(indexes.begin(), indexes.end());
  EXPECT_EQ(indexes, (std::vector<std::string>{"0", "1", "2"}));

  for (const auto& pod : pods)
    if (completion_index(*pod) != 0) finish_pod(pod, 0);
  settle();
  syncer_->sync("default/pi");
  auto status = job_status();
  EXPECT_EQ(machinery::string_at(status, {"completedIndexes"}), "1-2");
  EXPECT_EQ(machinery::int_or(status, {"succeeded"}, 0), 2);
  EXPECT_EQ(machinery::int_or(status, {"active"}, 0), 1);
  EXPECT_EQ(condition(kComplete), "");

  // Index 0 fails: it alone is made again (after the back-off).
  for (const auto& pod : stored_pods())
    if (completion_index(*pod) == 0) finish_pod(pod, 1);
  settle();
  syncer_->sync("default/pi");
  now_ = kSyncNow + 11s;
  settle();
  syncer_->sync("default/pi");
  settle();
  int replacements = 0;
  for (const auto& pod : stored_pods())
    if (machinery::is_pod_active(*pod)) {
      ++replacements;
      EXPECT_EQ(completion_index(*pod), 0);
    }
  EXPECT_EQ(replacements, 1);
}

TEST_F(JobSyncTest, SuspendingDeletesThePodsUncountedAndResumingStartsAgain) {
  client_->add(machinery::kJobs, make_job(R"("completions":2,"parallelism":2,)"));
  start().sync("default/pi");
  settle();
  json::object job = stored_job();
  job["spec"].as_object()["suspend"] = true;
  client_->objects().update(machinery::kJobs, "default", job);
  settle();
  syncer_->sync("default/pi");
  EXPECT_TRUE(stored_pods().empty());  // finalizer removed first, so the delete is final
  EXPECT_EQ(condition(kSuspended), "True/JobSuspended");
  EXPECT_FALSE(job_status().contains("failed"));
  EXPECT_TRUE(has_event("Normal Suspended Job suspended"));

  settle();
  job = stored_job();
  job["spec"].as_object()["suspend"] = false;
  client_->objects().update(machinery::kJobs, "default", job);
  settle();
  now_ = kSyncNow + 60s;
  syncer_->sync("default/pi");
  EXPECT_EQ(stored_pods().size(), 2u);
  EXPECT_EQ(condition(kSuspended), "False/JobResumed");
  EXPECT_EQ(machinery::string_at(job_status(), {"startTime"}), "2024-05-01T12:01:00Z");
  EXPECT_TRUE(has_event("Normal Resumed Job resumed"));
}

TEST_F(JobSyncTest, APodFailurePolicyFailsTheJobOrIgnoresTheFailure) {
  client_->add(machinery::kJobs, make_job(R"("completions":1,"parallelism":1,"podFailurePolicy":{"rules":[
      {"action":"Ignore","onExitCodes":{"operator":"In","values":[1]}},
      {"action":"FailJob","onExitCodes":{"operator":"In","values":[42]}}]},)"));
  start().sync("default/pi");
  settle();
  finish_pod(stored_pods()[0], 1);
  settle();
  syncer_->sync("default/pi");
  EXPECT_FALSE(job_status().contains("failed"));  // ignored
  EXPECT_TRUE(machinery::strings_at(*stored_pods()[0], {"metadata", "finalizers"}).empty());
  EXPECT_EQ(condition(kFailed), "");

  now_ = kSyncNow + 11s;
  settle();
  syncer_->sync("default/pi");
  settle();
  ObjectPtr second;
  for (const auto& pod : stored_pods())
    if (machinery::is_pod_active(*pod)) second = pod;
  ASSERT_TRUE(second);
  finish_pod(second, 42);
  settle();
  syncer_->sync("default/pi");
  EXPECT_EQ(condition(kFailureTarget), "True/PodFailurePolicy");
  EXPECT_EQ(condition(kFailed), "True/PodFailurePolicy");
  EXPECT_TRUE(has_event("Warning PodFailurePolicy Container main for pod default/" +
                        machinery::name_of(*second) +
                        " failed with exit code 42 matching FailJob rule at index 1"));
}

TEST_F(JobSyncTest, AnOrphanItSelectsIsAdoptedWithTheTrackingFinalizer) {
  client_->add(machinery::kPods, json::parse(R"({"metadata":{"name":"stray","namespace":"default","uid":"p1",
      "labels":{"batch.kubernetes.io/controller-uid":"uid-pi"}},"status":{"phase":"Running"}})")
                                     .as_object());
  client_->add(machinery::kJobs, make_job(R"("completions":1,"parallelism":1,)"));
  start();
  settle();
  syncer_->sync("default/pi");
  auto pods = stored_pods();
  ASSERT_EQ(pods.size(), 1u);  // adopted, so none made
  EXPECT_EQ(machinery::strings_at(*pods[0], {"metadata", "finalizers"}),
            std::vector<std::string>{kTrackingFinalizer});
  ASSERT_TRUE(machinery::array_at(*pods[0], {"metadata", "ownerReferences"}));
  EXPECT_EQ(machinery::string_at(
                machinery::array_at(*pods[0], {"metadata", "ownerReferences"})->at(0).as_object(), {"uid"}),
            "uid-pi");
  EXPECT_EQ(machinery::int_or(job_status(), {"active"}, 0), 1);
}

TEST_F(JobSyncTest, OrphanedPodsLoseTheirFinalizer) {
  client_->add(machinery::kPods, json::parse(R"({"metadata":{"name":"left","namespace":"default","uid":"p1",
      "finalizers":["batch.kubernetes.io/job-tracking"],
      "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"gone","uid":"uid-gone","controller":true}]},
      "status":{"phase":"Running"}})")
                                     .as_object());
  client_->add(machinery::kPods, json::parse(R"({"metadata":{"name":"other","namespace":"default","uid":"p2",
      "finalizers":["batch.kubernetes.io/job-tracking"],
      "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"uid-rs","controller":true}]}})")
                                     .as_object());
  client_->add(machinery::kJobs, make_job(R"("completions":1,"parallelism":0,)"));
  start();
  settle();
  syncer_->sync_orphan("default/left");
  syncer_->sync_orphan("default/other");
  EXPECT_TRUE(machinery::strings_at(*client_->objects().get(machinery::kPods, "default", "left"),
                                    {"metadata", "finalizers"})
                  .empty());
  EXPECT_EQ(machinery::strings_at(*client_->objects().get(machinery::kPods, "default", "other"),
                                  {"metadata", "finalizers"})
                .size(),
            1u);
}

}  // namespace
}  // namespace ukube::controllers::job
