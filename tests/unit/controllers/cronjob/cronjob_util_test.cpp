// Which scheduled time is due, when to look again, and the Job made for a time.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "controllers/cronjob/cronjob_util.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::cronjob {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Clock::time_point util_time(const std::string& rfc3339) {
  return machinery::parse_time(rfc3339).value_or(Clock::time_point{});
}

// 2024-05-02 (a Thursday), 10:00 UTC.
const Clock::time_point kTop = util_time("2024-05-02T10:00:00Z");

json::object util_cronjob(const std::string& schedule, Clock::time_point created,
                          std::optional<Clock::time_point> last = std::nullopt) {
  json::object cj{{"metadata", json::object{{"name", "hello"},
                                            {"namespace", "default"},
                                            {"uid", "uid-hello"},
                                            {"creationTimestamp", machinery::format_time(created)}}},
                  {"spec", json::object{{"schedule", schedule}}}};
  if (last) cj["status"] = json::object{{"lastScheduleTime", machinery::format_time(*last)}};
  return cj;
}

CronSchedule utc_schedule(const std::string& spec) {
  std::string error;
  auto s = CronSchedule::parse(spec, TimeZone(), &error);
  EXPECT_TRUE(s.has_value()) << error;
  return s.value_or(*CronSchedule::parse("* * * * *", TimeZone(), &error));
}

TEST(MostRecentScheduleTime, NothingDueBeforeTheFirstTime) {
  auto cj = util_cronjob("0 * * * *", kTop);
  auto r = most_recent_schedule_time(cj, kTop + 30s, utc_schedule("0 * * * *"), true);
  EXPECT_FALSE(r.scheduled.has_value());
  EXPECT_EQ(r.earliest, kTop);
  EXPECT_EQ(r.missed, Missed::None);
  EXPECT_TRUE(r.error.empty());
}

TEST(MostRecentScheduleTime, TheTimeJustPassedIsDue) {
  auto cj = util_cronjob("0 * * * *", kTop);
  auto r = most_recent_schedule_time(cj, kTop + 61min, utc_schedule("0 * * * *"), true);
  ASSERT_TRUE(r.scheduled.has_value());
  EXPECT_EQ(*r.scheduled, kTop + 60min);
  EXPECT_EQ(r.missed, Missed::None);
}

TEST(MostRecentScheduleTime, SeveralMissedGiveTheLatest) {
  auto cj = util_cronjob("0 * * * *", kTop + 10s);
  auto r = most_recent_schedule_time(cj, kTop + 301min, utc_schedule("0 * * * *"), true);
  ASSERT_TRUE(r.scheduled.has_value());
  EXPECT_EQ(*r.scheduled, kTop + 300min);
  EXPECT_EQ(r.missed, Missed::Few);
  EXPECT_EQ(r.earliest, kTop + 10s);
}

TEST(MostRecentScheduleTime, IrregularSchedulesLandExactly) {
  // 06:30, 10:30 and 14:30 on weekdays; the last one ran Thursday 10:30.
  const std::string spec = "30 6-16/4 * * 1-5";
  auto cj = util_cronjob(spec, kTop, kTop + 30min);
  auto r = most_recent_schedule_time(cj, kTop + 24h + 31min, utc_schedule(spec), true);
  ASSERT_TRUE(r.scheduled.has_value());
  EXPECT_EQ(*r.scheduled, kTop + 24h + 30min);  // Friday 10:30
  EXPECT_EQ(r.missed, Missed::Few);
  // Upstream estimates the missed times from the first interval (16 hours here) and
  // searches only after the estimate: over a weekend that overshoots, and nothing is due
  // (upstream's own test expects the same), though some times were missed.
  r = most_recent_schedule_time(cj, kTop + 72h + 5h, utc_schedule(spec), true);
  EXPECT_FALSE(r.scheduled.has_value());
  EXPECT_EQ(r.missed, Missed::Few);
}

TEST(MostRecentScheduleTime, MoreThanAHundredMissedIsReported) {
  auto cj = util_cronjob("0 * * * *", kTop);
  auto r = most_recent_schedule_time(cj, kTop + 200h + 5min, utc_schedule("0 * * * *"), true);
  EXPECT_EQ(r.missed, Missed::Many);
  ASSERT_TRUE(r.scheduled.has_value());
  EXPECT_EQ(*r.scheduled, kTop + 200h);
}

TEST(MostRecentScheduleTime, StartingDeadlineMovesTheSearchForward) {
  auto cj = util_cronjob("0 * * * *", kTop);
  cj["spec"].as_object()["startingDeadlineSeconds"] = 60;
  // 10 minutes late: 11:00 is beyond its deadline, so nothing is due.
  auto r = most_recent_schedule_time(cj, kTop + 70min, utc_schedule("0 * * * *"), true);
  EXPECT_FALSE(r.scheduled.has_value());
  EXPECT_EQ(r.earliest, kTop + 69min);
  // Within the deadline it is.
  r = most_recent_schedule_time(cj, kTop + 60min + 30s, utc_schedule("0 * * * *"), true);
  ASSERT_TRUE(r.scheduled.has_value());
  EXPECT_EQ(*r.scheduled, kTop + 60min);
  // Without the deadline (for requeueing), the late time is still found.
  r = most_recent_schedule_time(cj, kTop + 70min, utc_schedule("0 * * * *"), false);
  ASSERT_TRUE(r.scheduled.has_value());
  EXPECT_EQ(*r.scheduled, kTop + 60min);
}

TEST(MostRecentScheduleTime, EveryCountsFromTheLastTime) {
  auto cj = util_cronjob("@every 1h", kTop);
  auto r = most_recent_schedule_time(cj, kTop + 150min, utc_schedule("@every 1h"), true);
  ASSERT_TRUE(r.scheduled.has_value());
  EXPECT_EQ(*r.scheduled, kTop + 120min);
}

TEST(MostRecentScheduleTime, AScheduleThatNeverComesIsAnError) {
  auto cj = util_cronjob("59 23 31 2 *", kTop);
  auto r = most_recent_schedule_time(cj, kTop + 1h, utc_schedule("59 23 31 2 *"), true);
  EXPECT_FALSE(r.scheduled.has_value());
  EXPECT_EQ(r.error, "time difference between two schedules is less than 1 second");
}

TEST(NextScheduleDelay, JustAfterTheNextTime) {
  auto cj = util_cronjob("0 * * * *", kTop);
  EXPECT_EQ(next_schedule_delay(cj, kTop + 10min, utc_schedule("0 * * * *")), 50min + 100ms);
  // Missed times do not make it spin: the time after the latest missed one.
  auto late = util_cronjob("0 * * * *", kTop, kTop);
  EXPECT_EQ(next_schedule_delay(late, kTop + 3h + 10min, utc_schedule("0 * * * *")), 50min + 100ms);
  EXPECT_EQ(next_schedule_delay(util_cronjob("0 0 30 2 *", kTop), kTop, utc_schedule("0 0 30 2 *")),
            std::nullopt);
}

TEST(JobFromTemplate, NameAnnotationsLabelsOwnerAndSpec) {
  json::object cj = util_cronjob("0 * * * *", kTop);
  cj["apiVersion"] = "batch/v1";
  cj["kind"] = "CronJob";
  cj["spec"].as_object()["jobTemplate"] = json::parse(R"({
    "metadata": {"labels": {"app": "hello"}, "annotations": {"team": "a"}},
    "spec": {"backoffLimit": 2, "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                                       "restartPolicy": "OnFailure"}}}})");
  const auto scheduled = util_time("2024-05-01T10:00:00Z");
  json::object job = job_from_template(cj, scheduled);
  EXPECT_EQ(machinery::name_of(job), "hello-28575960");  // 1714557600 s / 60
  EXPECT_EQ(machinery::namespace_of(job), "default");
  EXPECT_EQ(machinery::string_at(job, {"metadata", "labels", "app"}), "hello");
  EXPECT_EQ(machinery::string_at(job, {"metadata", "annotations", "team"}), "a");
  EXPECT_EQ(machinery::string_at(job, {"metadata", "annotations", kScheduledTimestampAnnotation}),
            "2024-05-01T10:00:00Z");
  const auto& owner = machinery::array_at(job, {"metadata", "ownerReferences"})->at(0).as_object();
  EXPECT_EQ(machinery::string_at(owner, {"kind"}), "CronJob");
  EXPECT_EQ(machinery::string_at(owner, {"apiVersion"}), "batch/v1");
  EXPECT_EQ(machinery::string_at(owner, {"uid"}), "uid-hello");
  EXPECT_EQ(machinery::bool_at(owner, {"controller"}), true);
  EXPECT_EQ(machinery::int_at(job, {"spec", "backoffLimit"}), 2);
  EXPECT_EQ(machinery::string_at(job, {"spec", "template", "spec", "restartPolicy"}), "OnFailure");
  // In the CronJob's zone when it has one.
  cj["spec"].as_object()["timeZone"] = "Europe/Rome";
  job = job_from_template(cj, scheduled);
  EXPECT_EQ(machinery::string_at(job, {"metadata", "annotations", kScheduledTimestampAnnotation}),
            "2024-05-01T12:00:00+02:00");
  cj["spec"].as_object()["timeZone"] = "America/St_Johns";
  job = job_from_template(cj, scheduled);
  EXPECT_EQ(machinery::string_at(job, {"metadata", "annotations", kScheduledTimestampAnnotation}),
            "2024-05-01T07:30:00-02:30");
}

TEST(CronJobFormats, Rfc1123zAndFinishedJobs) {
  EXPECT_EQ(format_rfc1123z(util_time("2024-05-01T10:00:00Z")), "Wed, 01 May 2024 10:00:00 +0000");
  EXPECT_EQ(job_name("nightly", util_time("1970-01-01T01:00:59Z")), "nightly-60");
  auto with_conditions = [](const char* text) { return json::parse(text).as_object(); };
  EXPECT_EQ(finished_condition(
                with_conditions(R"({"status":{"conditions":[{"type":"Complete","status":"True"}]}})")),
            "Complete");
  EXPECT_EQ(
      finished_condition(with_conditions(
          R"({"status":{"conditions":[{"type":"FailureTarget","status":"True"},{"type":"Failed","status":"True"}]}})")),
      "Failed");
  EXPECT_EQ(finished_condition(
                with_conditions(R"({"status":{"conditions":[{"type":"Complete","status":"False"}]}})")),
            "");
  EXPECT_EQ(finished_condition(with_conditions(R"({"status":{}})")), "");
}

TEST(CronJobFormats, JobsSortByStartTimeThenName) {
  auto job = [](const std::string& name, const std::string& start) {
    json::object j{{"metadata", json::object{{"name", name}}}};
    if (!start.empty()) j["status"] = json::object{{"startTime", start}};
    return std::make_shared<const json::object>(std::move(j));
  };
  std::vector<ObjectPtr> jobs{job("d", ""), job("c", "2024-05-01T10:00:00Z"),
                              job("b", "2024-05-01T09:00:00Z"), job("a", "2024-05-01T10:00:00Z"),
                              job("e", "")};
  sort_by_start_time(jobs);
  std::string order;
  for (const auto& j : jobs) order += machinery::name_of(*j);
  EXPECT_EQ(order, "bacde");
}

}  // namespace
}  // namespace ukube::controllers::cronjob
