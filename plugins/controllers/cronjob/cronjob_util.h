#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "cron_schedule.h"
#include "time_zone.h"
#include "ukube/client.h"

// The pure parts of upstream's CronJob controller (pkg/controller/cronjob/utils.go): which
// scheduled time is due, when to look again, and the Job made for a scheduled time.
namespace ukube::controllers::cronjob {

// Annotation on each scheduled Job: its scheduled time, RFC 3339 in the CronJob's zone.
inline constexpr const char* kScheduledTimestampAnnotation =
    "batch.kubernetes.io/cronjob-scheduled-timestamp";
// Upstream's nextScheduleDelta: look a little after the time, so it has surely passed.
inline constexpr std::chrono::milliseconds kNextScheduleDelta{100};
// More missed times than this are not started one by one but reported (TooManyMissedTimes).
inline constexpr int64_t kTooManyMissed = 100;

enum class Missed { None, Few, Many };

struct MostRecent {
  Clock::time_point earliest;                  // where the search began
  std::optional<Clock::time_point> scheduled;  // the latest time due at `now`, if any
  Missed missed = Missed::None;
  std::string error;  // non-empty for a schedule that does not advance ("59 23 31 2 *")
};

// mostRecentScheduleTime: from the last scheduled time (or creation), optionally moved up to
// now - startingDeadlineSeconds, the most recent time due by `now`, and how many were missed.
MostRecent most_recent_schedule_time(const boost::json::object& cronjob, Clock::time_point now,
                                     const CronSchedule& schedule, bool include_deadline);

// How long until the controller should look at the CronJob again (nextScheduleTimeDuration):
// just after the next time. Null when the schedule has no next time.
std::optional<std::chrono::milliseconds> next_schedule_delay(const boost::json::object& cronjob,
                                                             Clock::time_point now,
                                                             const CronSchedule& schedule);

// The zone the schedule is read in: spec.timeZone, or the daemon's own zone when unset (as
// kube-controller-manager's). Null with Go's error text when spec.timeZone is unknown.
std::optional<TimeZone> schedule_zone(const boost::json::object& cronjob, std::string* error);
// The CronJob's schedule parsed in its zone; null with the parser's error.
std::optional<CronSchedule> cronjob_schedule(const boost::json::object& cronjob, std::string* error);

// "<cronjob>-<scheduled time in minutes since the epoch>": one name per scheduled time, so
// a Job is never made twice for it.
std::string job_name(const std::string& cronjob, Clock::time_point scheduled);

// getJobFromTemplate2: the Job for `scheduled` from spec.jobTemplate, controlled by the CronJob.
boost::json::object job_from_template(const boost::json::object& cronjob, Clock::time_point scheduled);

// Go's time.RFC3339 in `zone` ("2024-05-01T12:00:00+02:00", "Z" at offset zero).
std::string format_rfc3339(Clock::time_point t, const TimeZone& zone);
// Go's time.RFC1123Z in UTC ("Wed, 01 May 2024 10:00:00 +0000").
std::string format_rfc1123z(Clock::time_point t);

// A timestamp member (metav1.Time) of an object; null when absent or unreadable.
std::optional<Clock::time_point> time_at(const boost::json::object& o,
                                         std::initializer_list<std::string_view> path);

// "Complete" or "Failed" when a True condition of that type says the Job finished; "" else.
std::string finished_condition(const boost::json::object& job);
// Oldest first by status.startTime, Jobs without one last, names breaking ties.
void sort_by_start_time(std::vector<ObjectPtr>& jobs);

}  // namespace ukube::controllers::cronjob
