// Syncs of the CronJob controller against a FakeClient, with the clock set by the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "controllers/cronjob/cronjob_controller.h"
#include "controllers/cronjob/cronjob_util.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::cronjob {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Clock::time_point sync_time(const std::string& rfc3339) {
  return machinery::parse_time(rfc3339).value_or(Clock::time_point{});
}

template <class Condition>
bool cron_wait_until(Condition condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

// "*/5 * * * *", made at 09:58 UTC: 10:00 is its first time.
json::object make_cronjob(const std::string& schedule = "*/5 * * * *") {
  json::object cj = json::parse(R"({
    "apiVersion": "batch/v1", "kind": "CronJob",
    "metadata": {"name": "hello", "namespace": "default", "uid": "uid-hello",
                 "creationTimestamp": "2024-05-01T09:58:00Z"},
    "spec": {"concurrencyPolicy": "Allow", "suspend": false,
             "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
             "jobTemplate": {"metadata": {"labels": {"app": "hello"}},
                             "spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                                                            "containers": [{"name": "c", "image": "busybox"}]}}}}}
  })")
                        .as_object();
  cj["spec"].as_object()["schedule"] = schedule;
  return cj;
}

// A Job the CronJob made; `finished`: "", "Complete" or "Failed".
json::object make_job(const std::string& name, const std::string& start, const std::string& finished = "",
                      const std::string& completed = "") {
  json::object status;
  if (!start.empty()) status["startTime"] = start;
  if (!finished.empty())
    status["conditions"] = json::array{json::object{{"type", finished}, {"status", "True"}}};
  if (!completed.empty()) status["completionTime"] = completed;
  return json::object{{"apiVersion", "batch/v1"},
                      {"kind", "Job"},
                      {"metadata", json::object{{"name", name},
                                                {"namespace", "default"},
                                                {"uid", "uid-" + name},
                                                {"ownerReferences",
                                                 json::array{json::object{{"apiVersion", "batch/v1"},
                                                                          {"kind", "CronJob"},
                                                                          {"name", "hello"},
                                                                          {"uid", "uid-hello"},
                                                                          {"controller", true},
                                                                          {"blockOwnerDeletion", true}}}}}},
                      {"status", status}};
}

json::object active_ref(const std::string& job) {
  return json::object{{"kind", "Job"},
                      {"namespace", "default"},
                      {"name", job},
                      {"uid", "uid-" + job},
                      {"apiVersion", "batch/v1"}};
}

class CronJobSyncTest : public ::testing::Test {
 protected:
  ~CronJobSyncTest() override {
    syncer_.reset();
    informers_.shutdown();
  }

  CronJobSyncer& start() {
    CronJobSyncerOptions options;
    options.client = client_;
    options.cronjobs = informers_.informer(machinery::kCronJobs);
    options.jobs = informers_.informer(machinery::kJobs);
    options.events = &events_;
    options.now = [this] { return now_; };
    EXPECT_TRUE(options.cronjobs->wait_for_sync(5s));
    EXPECT_TRUE(options.jobs->wait_for_sync(5s));
    syncer_ = std::make_unique<CronJobSyncer>(
        std::move(options), CronJobQueue{[this](const std::string& key) { added_.push_back(key); },
                                         [this](const std::string& key, std::chrono::milliseconds delay) {
                                           added_after_.emplace_back(key, delay);
                                         }});
    return *syncer_;
  }

  void add_cronjob(json::object cj, json::object status = {}) {
    if (!status.empty()) cj["status"] = std::move(status);
    client_->add(machinery::kCronJobs, cj);
  }

  ObjectPtr stored_cronjob() { return client_->objects().get(machinery::kCronJobs, "default", "hello"); }
  std::vector<std::string> stored_job_names() {
    std::vector<std::string> out;
    for (const auto& j : client_->objects().list(machinery::kJobs, "default").items)
      out.push_back(machinery::name_of(*j));
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> active_names() {
    std::vector<std::string> out;
    machinery::for_each_object(
        machinery::array_at(*stored_cronjob(), {"status", "active"}),
        [&](const json::object& ref, size_t) { out.push_back(machinery::string_at(ref, {"name"})); });
    return out;
  }

  // Waits until the caches hold what is stored, then syncs.
  controller::Result sync() {
    auto cj_informer = informers_.informer(machinery::kCronJobs);
    auto job_informer = informers_.informer(machinery::kJobs);
    EXPECT_TRUE(cron_wait_until([&] {
      auto stored = stored_cronjob();
      auto cached = cj_informer->get("default/hello");
      if (!stored || !cached ||
          machinery::meta_string(*stored, "resourceVersion") !=
              machinery::meta_string(*cached, "resourceVersion"))
        return false;
      return job_informer->list().size() == client_->objects().list(machinery::kJobs, "default").items.size();
    }));
    return syncer_->sync("default/hello");
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
  size_t events_with_reason(const std::string& reason) {
    size_t n = 0;
    for (const auto& e : events())
      if (e.find(" " + reason + " ") != std::string::npos) ++n;
    return n;
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  controller::EventRecorder events_{event_client_, [] {
                                      controller::RecorderSettings s;
                                      s.source.component = "cronjob-controller";
                                      return s;
                                    }()};
  std::unique_ptr<CronJobSyncer> syncer_;
  Clock::time_point now_ = sync_time("2024-05-01T09:59:30Z");
  std::vector<std::string> added_;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> added_after_;
};

TEST_F(CronJobSyncTest, BeforeItsTimeNothingIsMadeAndItLooksAgainJustAfter) {
  add_cronjob(make_cronjob());
  start();
  auto result = sync();
  EXPECT_EQ(result.next, controller::Result::Next::RequeueAfter);
  EXPECT_EQ(result.after, 30s + 100ms);
  EXPECT_TRUE(stored_job_names().empty());
  EXPECT_EQ(client_->count("update", "cronjobs/status"), 0u);
}

TEST_F(CronJobSyncTest, AtItsTimeTheJobIsMadeOnceWithItsNameAnnotationAndStatus) {
  add_cronjob(make_cronjob());
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");
  auto result = sync();
  ASSERT_EQ(stored_job_names(), std::vector<std::string>{"hello-28575960"});
  auto job = client_->objects().get(machinery::kJobs, "default", "hello-28575960");
  EXPECT_EQ(machinery::string_at(*job, {"metadata", "annotations", kScheduledTimestampAnnotation}),
            "2024-05-01T10:00:00Z");
  EXPECT_EQ(machinery::string_at(*job, {"metadata", "labels", "app"}), "hello");
  EXPECT_EQ(machinery::string_at(
                machinery::array_at(*job, {"metadata", "ownerReferences"})->at(0).as_object(), {"name"}),
            "hello");
  EXPECT_EQ(active_names(), std::vector<std::string>{"hello-28575960"});
  EXPECT_EQ(machinery::string_at(*stored_cronjob(), {"status", "lastScheduleTime"}), "2024-05-01T10:00:00Z");
  EXPECT_TRUE(has_event("Normal SuccessfulCreate Created job hello-28575960"))
      << ::testing::PrintToString(events());
  EXPECT_EQ(result.next, controller::Result::Next::RequeueAfter);
  EXPECT_EQ(result.after, 4min + 55s + 100ms);
  // Looking again at the same moment makes nothing more.
  now_ = sync_time("2024-05-01T10:00:06Z");
  sync();
  EXPECT_EQ(stored_job_names().size(), 1u);
  EXPECT_EQ(client_->count("create", "jobs"), 1u);
}

TEST_F(CronJobSyncTest, TheTimeZoneDecidesWhenAndTheAnnotationSaysIt) {
  json::object cj = make_cronjob("0 12 * * *");
  cj["spec"].as_object()["timeZone"] = "Europe/Rome";
  add_cronjob(cj);
  start();
  now_ = sync_time("2024-05-01T10:00:30Z");  // 12:00:30 in Rome
  sync();
  ASSERT_EQ(stored_job_names().size(), 1u);
  auto job = client_->objects().get(machinery::kJobs, "default", stored_job_names()[0]);
  EXPECT_EQ(machinery::string_at(*job, {"metadata", "annotations", kScheduledTimestampAnnotation}),
            "2024-05-01T12:00:00+02:00");
  EXPECT_EQ(machinery::string_at(*stored_cronjob(), {"status", "lastScheduleTime"}), "2024-05-01T10:00:00Z");
}

TEST_F(CronJobSyncTest, ATimeInTheSkippedHourWaitsForTheNextDay) {
  json::object cj = make_cronjob("30 2 * * *");
  cj["spec"].as_object()["timeZone"] = "America/New_York";
  cj["metadata"].as_object()["creationTimestamp"] = "2024-03-09T12:00:00Z";
  add_cronjob(cj);
  start();
  now_ = sync_time("2024-03-10T08:00:00Z");  // 04:00 EDT: 02:30 never happened today
  auto result = sync();
  EXPECT_TRUE(stored_job_names().empty());
  EXPECT_EQ(result.after, 22h + 30min + 100ms);  // 2024-03-11 02:30 EDT
}

TEST_F(CronJobSyncTest, ForbidWaitsForTheRunningJob) {
  json::object cj = make_cronjob();
  cj["spec"].as_object()["concurrencyPolicy"] = "Forbid";
  client_->add(machinery::kJobs, make_job("hello-28575955", "2024-05-01T09:55:00Z"));
  add_cronjob(cj, json::object{{"active", json::array{active_ref("hello-28575955")}},
                               {"lastScheduleTime", "2024-05-01T09:55:00Z"}});
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");
  auto result = sync();
  EXPECT_EQ(stored_job_names(), std::vector<std::string>{"hello-28575955"});
  EXPECT_TRUE(
      has_event("Normal JobAlreadyActive Not starting job because prior execution is running and concurrency "
                "policy is Forbid"));
  EXPECT_EQ(result.next, controller::Result::Next::RequeueAfter);
}

TEST_F(CronJobSyncTest, ReplaceDeletesTheRunningJobThenStartsTheNewOne) {
  json::object cj = make_cronjob();
  cj["spec"].as_object()["concurrencyPolicy"] = "Replace";
  client_->add(machinery::kJobs, make_job("hello-28575955", "2024-05-01T09:55:00Z"));
  add_cronjob(cj, json::object{{"active", json::array{active_ref("hello-28575955")}},
                               {"lastScheduleTime", "2024-05-01T09:55:00Z"}});
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");
  sync();
  EXPECT_EQ(stored_job_names(), std::vector<std::string>{"hello-28575960"});
  EXPECT_EQ(active_names(), std::vector<std::string>{"hello-28575960"});
  auto deletes = client_->actions("delete", "jobs");
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].name, "hello-28575955");
  EXPECT_EQ(deletes[0].delete_options.propagation_policy, "Background");
  EXPECT_TRUE(has_event("Normal SuccessfulDelete Deleted job hello-28575955"));
  EXPECT_TRUE(has_event("Normal SuccessfulCreate Created job hello-28575960"));
}

TEST_F(CronJobSyncTest, AllowRunsJobsSideBySide) {
  client_->add(machinery::kJobs, make_job("hello-28575955", "2024-05-01T09:55:00Z"));
  add_cronjob(make_cronjob(), json::object{{"active", json::array{active_ref("hello-28575955")}},
                                           {"lastScheduleTime", "2024-05-01T09:55:00Z"}});
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");
  sync();
  EXPECT_EQ(stored_job_names(), (std::vector<std::string>{"hello-28575955", "hello-28575960"}));
  EXPECT_EQ(active_names(), (std::vector<std::string>{"hello-28575955", "hello-28575960"}));
}

TEST_F(CronJobSyncTest, SuspendedMakesNothingAndDoesNotRequeue) {
  json::object cj = make_cronjob();
  cj["spec"].as_object()["suspend"] = true;
  add_cronjob(cj);
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");
  auto result = sync();
  EXPECT_TRUE(stored_job_names().empty());
  EXPECT_EQ(result.next, controller::Result::Next::Done);
}

TEST_F(CronJobSyncTest, ATimeBeyondTheStartingDeadlineIsSkipped) {
  json::object cj = make_cronjob();
  cj["spec"].as_object()["startingDeadlineSeconds"] = 10;
  add_cronjob(cj);
  start();
  now_ = sync_time("2024-05-01T10:00:30Z");
  auto result = sync();
  EXPECT_TRUE(stored_job_names().empty());
  EXPECT_EQ(result.after, 4min + 30s + 100ms);
  now_ = sync_time("2024-05-01T10:05:08Z");
  sync();
  EXPECT_EQ(stored_job_names(), std::vector<std::string>{"hello-28575965"});
}

TEST_F(CronJobSyncTest, TooManyMissedTimesAreReportedAndTheLatestStarts) {
  json::object cj = make_cronjob("0 * * * *");
  cj["metadata"].as_object()["creationTimestamp"] = "2024-01-01T00:00:00Z";
  add_cronjob(cj);
  start();
  now_ = sync_time("2024-05-01T10:30:00Z");
  sync();
  EXPECT_TRUE(
      has_event("Warning TooManyMissedTimes too many missed start times. Set or decrease "
                ".spec.startingDeadlineSeconds or "
                "check clock skew"));
  EXPECT_EQ(stored_job_names(), std::vector<std::string>{"hello-28575960"});
}

TEST_F(CronJobSyncTest, FinishedJobsBeyondTheHistoryLimitsGoOldestFirst) {
  json::object cj = make_cronjob();
  cj["spec"].as_object()["successfulJobsHistoryLimit"] = 1;
  cj["spec"].as_object()["failedJobsHistoryLimit"] = 1;
  client_->add(machinery::kJobs,
               make_job("hello-1", "2024-05-01T07:00:00Z", "Complete", "2024-05-01T07:01:00Z"));
  client_->add(machinery::kJobs,
               make_job("hello-2", "2024-05-01T08:00:00Z", "Complete", "2024-05-01T08:01:00Z"));
  client_->add(machinery::kJobs,
               make_job("hello-3", "2024-05-01T09:00:00Z", "Complete", "2024-05-01T09:01:00Z"));
  client_->add(machinery::kJobs, make_job("hello-4", "2024-05-01T07:30:00Z", "Failed"));
  client_->add(machinery::kJobs, make_job("hello-5", "2024-05-01T08:30:00Z", "Failed"));
  client_->add(machinery::kJobs, make_job("hello-6", "2024-05-01T09:30:00Z"));  // running
  add_cronjob(cj, json::object{{"active", json::array{active_ref("hello-6")}}});
  start();
  sync();
  EXPECT_EQ(stored_job_names(), (std::vector<std::string>{"hello-3", "hello-5", "hello-6"}));
  for (const char* gone : {"hello-1", "hello-2", "hello-4"})
    EXPECT_TRUE(has_event(std::string("Normal SuccessfulDelete Deleted job ") + gone)) << gone;
  EXPECT_EQ(machinery::string_at(*stored_cronjob(), {"status", "lastSuccessfulTime"}),
            "2024-05-01T09:01:00Z");
  EXPECT_EQ(active_names(), std::vector<std::string>{"hello-6"});
}

TEST_F(CronJobSyncTest, ACompletedActiveJobLeavesTheActiveList) {
  client_->add(machinery::kJobs,
               make_job("hello-28575955", "2024-05-01T09:55:00Z", "Complete", "2024-05-01T09:56:00Z"));
  add_cronjob(make_cronjob(), json::object{{"active", json::array{active_ref("hello-28575955")}},
                                           {"lastScheduleTime", "2024-05-01T09:55:00Z"}});
  start();
  sync();
  EXPECT_TRUE(active_names().empty());
  EXPECT_EQ(machinery::value_at(*stored_cronjob(), {"status", "active"}), nullptr);
  EXPECT_EQ(machinery::string_at(*stored_cronjob(), {"status", "lastSuccessfulTime"}),
            "2024-05-01T09:56:00Z");
  EXPECT_TRUE(has_event("Normal SawCompletedJob Saw completed job: hello-28575955, condition: Complete"));
}

TEST_F(CronJobSyncTest, AnActiveJobThatWentMissingIsDropped) {
  add_cronjob(make_cronjob(), json::object{{"active", json::array{active_ref("hello-28575955")}},
                                           {"lastScheduleTime", "2024-05-01T09:55:00Z"}});
  start();
  sync();
  EXPECT_TRUE(active_names().empty());
  EXPECT_TRUE(has_event("Normal MissingJob Active job went missing: hello-28575955"));
}

TEST_F(CronJobSyncTest, AJobItDidNotMakeIsReportedNotAdopted) {
  // What `kubectl create job --from=cronjob/hello` makes: controlled by the CronJob.
  json::object manual = make_job("hello-manual", "2024-05-01T09:59:00Z");
  manual["metadata"].as_object()["annotations"] =
      json::object{{"cronjob.kubernetes.io/instantiate", "manual"}};
  client_->add(machinery::kJobs, manual);
  add_cronjob(make_cronjob());
  start();
  sync();
  EXPECT_TRUE(has_event(
      "Warning UnexpectedJob Saw a job that the controller did not create or forgot: hello-manual"));
  EXPECT_TRUE(active_names().empty());
}

TEST_F(CronJobSyncTest, AJobAlreadyMadeForTheTimeIsTakenIntoTheActiveList) {
  // The Job was made but the status write after it was lost.
  client_->add(machinery::kJobs, make_job("hello-28575960", "2024-05-01T10:00:01Z"));
  add_cronjob(make_cronjob());
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");
  sync();
  EXPECT_EQ(active_names(), std::vector<std::string>{"hello-28575960"});
  EXPECT_EQ(events_with_reason("SuccessfulCreate"), 0u);
  EXPECT_EQ(machinery::string_at(*stored_cronjob(), {"status", "lastScheduleTime"}), "2024-05-01T10:00:00Z");
}

TEST_F(CronJobSyncTest, BadSchedulesAndZonesAreReportedAndNotRetried) {
  json::object cj = make_cronjob("61 * * * *");
  add_cronjob(cj);
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");
  auto result = sync();
  EXPECT_EQ(result.next, controller::Result::Next::Done);
  EXPECT_TRUE(
      has_event("Warning UnparseableSchedule unparseable schedule: \"61 * * * *\" : end of range (61) above "
                "maximum (59): 61"));

  cj = *stored_cronjob();
  cj["spec"].as_object()["schedule"] = "59 23 31 2 *";
  client_->objects().update(machinery::kCronJobs, "default", cj);
  result = sync();
  EXPECT_EQ(result.next, controller::Result::Next::Done);
  EXPECT_TRUE(
      has_event("Warning InvalidSchedule invalid schedule: 59 23 31 2 * : time difference between two "
                "schedules is less than 1 "
                "second"));

  cj = *stored_cronjob();
  cj["spec"].as_object()["schedule"] = "* * * * *";
  cj["spec"].as_object()["timeZone"] = "Mars/Base";
  client_->objects().update(machinery::kCronJobs, "default", cj);
  result = sync();
  EXPECT_EQ(result.next, controller::Result::Next::Done);
  EXPECT_TRUE(
      has_event("Warning UnknownTimeZone invalid timeZone: \"Mars/Base\": unknown time zone Mars/Base"));
  EXPECT_TRUE(stored_job_names().empty());
}

TEST_F(CronJobSyncTest, ATzPrefixStillWorksButIsWarnedAbout) {
  add_cronjob(make_cronjob("TZ=Europe/Rome 0 12 * * *"));
  start();
  now_ = sync_time("2024-05-01T10:00:05Z");  // 12:00:05 in Rome
  sync();
  EXPECT_TRUE(
      has_event("Warning UnsupportedSchedule CRON_TZ or TZ used in schedule \"TZ=Europe/Rome 0 12 * * *\" is "
                "not officially "
                "supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for "
                "more details"));
  EXPECT_EQ(stored_job_names(), std::vector<std::string>{"hello-28575960"});
}

TEST_F(CronJobSyncTest, EveryRunsAtIntervalsFromTheLastTime) {
  add_cronjob(make_cronjob("@every 90s"));  // made at 09:58:00
  start();
  now_ = sync_time("2024-05-01T09:59:31Z");
  auto result = sync();
  EXPECT_EQ(stored_job_names(), std::vector<std::string>{"hello-28575959"});  // 09:59:30
  EXPECT_EQ(machinery::string_at(*stored_cronjob(), {"status", "lastScheduleTime"}), "2024-05-01T09:59:30Z");
  EXPECT_EQ(result.after, 89s + 100ms);  // 10:01:00
}

TEST_F(CronJobSyncTest, ANewScheduleIsLookedAtAtItsNextTime) {
  add_cronjob(make_cronjob());
  start();
  now_ = sync_time("2024-05-01T10:00:30Z");
  json::object before = make_cronjob("0 * * * *");
  json::object after = make_cronjob("30 10 * * *");
  syncer_->cronjob_updated(std::make_shared<const json::object>(before),
                           std::make_shared<const json::object>(after));
  ASSERT_EQ(added_after_.size(), 1u);
  EXPECT_EQ(added_after_[0].first, "default/hello");
  EXPECT_EQ(added_after_[0].second, 29min + 30s + 100ms);
  // Other changes are looked at now.
  json::object suspended = after;
  suspended["spec"].as_object()["suspend"] = true;
  syncer_->cronjob_updated(std::make_shared<const json::object>(after),
                           std::make_shared<const json::object>(suspended));
  EXPECT_EQ(added_, std::vector<std::string>{"default/hello"});
  // An unparseable new schedule is reported, not queued.
  json::object broken = after;
  broken["spec"].as_object()["schedule"] = "nope";
  syncer_->cronjob_updated(std::make_shared<const json::object>(after),
                           std::make_shared<const json::object>(broken));
  EXPECT_EQ(added_after_.size(), 1u);
  EXPECT_TRUE(has_event("Warning UnParseableCronJobSchedule unparseable schedule for cronjob: nope"));
}

}  // namespace
}  // namespace ukube::controllers::cronjob
