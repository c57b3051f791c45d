#include "cronjob_util.h"

#include <algorithm>
#include <cstdio>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::cronjob {
namespace json = boost::json;
namespace {

const GroupVersionKind kCronJobKind{"batch", "v1", "CronJob"};

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

struct Civil {
  int year, month, day, hour, minute, second, weekday;
};

Civil civil_of(int64_t local) {
  int64_t days = local / 86400 - (local % 86400 < 0 ? 1 : 0);
  const int64_t secs = local - days * 86400;
  const std::chrono::sys_days d{std::chrono::days{days}};
  const std::chrono::year_month_day date{d};
  return {static_cast<int>(date.year()),
          static_cast<int>(static_cast<unsigned>(date.month())),
          static_cast<int>(static_cast<unsigned>(date.day())),
          static_cast<int>(secs / 3600),
          static_cast<int>(secs / 60 % 60),
          static_cast<int>(secs % 60),
          static_cast<int>(std::chrono::weekday{d}.c_encoding())};
}

int64_t seconds_of(Clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

}  // namespace

std::optional<Clock::time_point> time_at(const json::object& o, machinery::JsonPath path) {
  const std::string text = machinery::string_at(o, path);
  if (text.empty()) return std::nullopt;
  return machinery::parse_time(text);
}

MostRecent most_recent_schedule_time(const json::object& cj, Clock::time_point now,
                                     const CronSchedule& schedule, bool include_deadline) {
  MostRecent out;
  out.earliest = time_at(cj, {"metadata", "creationTimestamp"}).value_or(Clock::time_point{});
  if (auto last = time_at(cj, {"status", "lastScheduleTime"})) out.earliest = *last;
  if (include_deadline)
    if (auto deadline = machinery::int_at(cj, {"spec", "startingDeadlineSeconds"})) {
      // Nothing before now - startingDeadlineSeconds may start any more.
      const auto limit = now - std::chrono::seconds(*deadline);
      if (limit > out.earliest) out.earliest = limit;
    }
  const auto t1 = schedule.next(out.earliest);
  const auto t2 = t1 ? schedule.next(*t1) : std::nullopt;
  if (t1 && now < *t1) return out;
  if (t1 && t2 && now < *t2) {
    out.scheduled = t1;
    return out;
  }
  // Upstream's zero time for "no next time" makes the interval below zero or negative.
  const int64_t between = t1 && t2 ? seconds_of(*t2 + std::chrono::milliseconds(500)) - seconds_of(*t1) : 0;
  if (between < 1) {
    out.error = "time difference between two schedules is less than 1 second";
    return out;
  }
  // Count the missed times roughly from the interval between the first two, then walk the
  // schedule only from just before the last of them, so a long outage costs no more than a
  // short one (and irregular schedules such as "30 6-16/4 * * 1-5" still land exactly).
  const int64_t elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - *t1).count();
  const int64_t missed = elapsed / between + 1;
  std::optional<Clock::time_point> latest;
  const auto from = *t1 + std::chrono::seconds((missed - 2) * between);
  for (auto t = schedule.next(from); t && *t <= now; t = schedule.next(*t)) latest = t;
  out.missed = missed > kTooManyMissed ? Missed::Many : (missed > 0 ? Missed::Few : Missed::None);
  out.scheduled = latest;
  return out;
}

std::optional<std::chrono::milliseconds> next_schedule_delay(const json::object& cj, Clock::time_point now,
                                                             const CronSchedule& schedule) {
  const MostRecent recent = most_recent_schedule_time(cj, now, schedule, false);
  Clock::time_point from = now;
  if (recent.error.empty()) {
    if (recent.scheduled)
      from = *recent.scheduled;
    else if (recent.missed == Missed::None)
      from = recent.earliest;
  }
  const auto next = schedule.next(from);
  if (!next) return std::nullopt;
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*next + kNextScheduleDelta - now);
  return std::max(delay, std::chrono::milliseconds(0));
}

std::optional<TimeZone> schedule_zone(const json::object& cj, std::string* error) {
  const json::value* tz = machinery::value_at(cj, {"spec", "timeZone"});
  if (!tz || !tz->is_string()) return TimeZone::load("Local", error);
  return TimeZone::load(tz->get_string(), error);
}

std::optional<CronSchedule> cronjob_schedule(const json::object& cj, std::string* error) {
  const std::string spec = machinery::string_at(cj, {"spec", "schedule"});
  std::string ignored;
  // A TZ= prefix (old objects) names its own zone; an unknown spec.timeZone is reported
  // separately (UnknownTimeZone), so the schedule is then read in the daemon's zone.
  auto zone = schedule_zone(cj, &ignored);
  if (!zone || spec.find("TZ") != std::string::npos) zone = TimeZone::load("Local", &ignored);
  return CronSchedule::parse(spec, zone.value_or(TimeZone()), error);
}

std::string job_name(const std::string& cronjob, Clock::time_point scheduled) {
  return cronjob + "-" + std::to_string(seconds_of(scheduled) / 60);
}

json::object job_from_template(const json::object& cj, Clock::time_point scheduled) {
  const json::object& tmpl = machinery::object_or_empty(machinery::object_at(cj, {"spec", "jobTemplate"}));
  json::object metadata;
  metadata["name"] = job_name(machinery::name_of(cj), scheduled);
  metadata["namespace"] = machinery::namespace_of(cj);
  if (const auto* labels = machinery::object_at(tmpl, {"metadata", "labels"}); labels && !labels->empty())
    metadata["labels"] = *labels;
  json::object annotations =
      machinery::object_or_empty(machinery::object_at(tmpl, {"metadata", "annotations"}));
  // Upstream formats it in spec.timeZone, and in UTC when that is unset (LoadLocation("")).
  const json::value* tz = machinery::value_at(cj, {"spec", "timeZone"});
  std::string ignored;
  const auto zone = TimeZone::load(
      tz && tz->is_string() ? std::string_view(tz->get_string()) : std::string_view(), &ignored);
  annotations[kScheduledTimestampAnnotation] = format_rfc3339(scheduled, zone.value_or(TimeZone()));
  metadata["annotations"] = std::move(annotations);
  metadata["ownerReferences"] = json::array{machinery::controller_ref(cj, kCronJobKind)};
  json::object job{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", std::move(metadata)}};
  if (const auto* spec = machinery::object_at(tmpl, {"spec"})) job["spec"] = *spec;
  return job;
}

std::string format_rfc3339(Clock::time_point t, const TimeZone& zone) {
  const int64_t utc = seconds_of(t);
  const int32_t offset = zone.offset_at(utc);
  const Civil c = civil_of(utc + offset);
  std::string out = std::to_string(c.year) + "-" + two(c.month) + "-" + two(c.day) + "T" + two(c.hour) + ":" +
                    two(c.minute) + ":" + two(c.second);
  if (offset == 0) return out + "Z";
  const int32_t magnitude = offset < 0 ? -offset : offset;
  return out + (offset < 0 ? "-" : "+") + two(magnitude / 3600) + ":" + two(magnitude / 60 % 60);
}

std::string format_rfc1123z(Clock::time_point t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Civil c = civil_of(seconds_of(t));
  return std::string(kDays[c.weekday]) + ", " + two(c.day) + " " + kMonths[c.month - 1] + " " +
         std::to_string(c.year) + " " + two(c.hour) + ":" + two(c.minute) + ":" + two(c.second) + " +0000";
}

std::string finished_condition(const json::object& job) {
  std::string out;
  machinery::for_each_object(machinery::array_at(job, {"status", "conditions"}),
                             [&](const json::object& c, size_t) {
                               const std::string type = machinery::string_at(c, {"type"});
                               if (out.empty() && (type == "Complete" || type == "Failed") &&
                                   machinery::string_at(c, {"status"}) == "True")
                                 out = type;
                             });
  return out;
}

void sort_by_start_time(std::vector<ObjectPtr>& jobs) {
  std::stable_sort(jobs.begin(), jobs.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    const auto sa = time_at(*a, {"status", "startTime"});
    const auto sb = time_at(*b, {"status", "startTime"});
    if (!sb) return sa.has_value() || (!sa && machinery::name_of(*a) < machinery::name_of(*b));
    if (!sa) return false;
    if (*sa == *sb) return machinery::name_of(*a) < machinery::name_of(*b);
    return *sa < *sb;
  });
}

}  // namespace ukube::controllers::cronjob
