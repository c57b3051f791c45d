#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "time_zone.h"

// CronJob schedules as upstream reads them (robfig/cron v3's ParseStandard, which
// kube-controller-manager and the API server's validation both use):
//  - five fields, minute hour day-of-month month day-of-week, each a list of `*`, `?`,
//    values, ranges `a-b` and steps `/n` (`a/n` meaning a through the field's maximum);
//    months jan..dec and days sun..sat by name, any case; day-of-week 0..6 (Sunday 0);
//  - when either day field starts with `*` or `?` (and has no step above 1) a day must
//    match both day fields, else either one (cron's classic OR);
//  - descriptors @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly;
//  - `@every <Go duration>` (a fixed interval from the previous time, at least a second):
//    upstream accepts it too, so refusing it would strand CronJobs the API admitted;
//  - a `TZ=<zone>` or `CRON_TZ=<zone>` prefix, which upstream still honours on old objects
//    (the API now refuses it in favour of spec.timeZone).
// next() walks the calendar the way the library does, so a daylight-saving change behaves
// as upstream: a time in the skipped hour does not happen that day, and one in the repeated
// hour happens in both of its occurrences.
namespace ukube::controllers::cronjob {

using Clock = std::chrono::system_clock;

class CronSchedule {
 public:
  // Parses `spec` read in `zone` (unless it names its own). Null with upstream's error text in
  // `error` ("expected exactly 5 fields, found 4: [* * * *]") when it is not a schedule.
  static std::optional<CronSchedule> parse(std::string_view spec, const TimeZone& zone, std::string* error);

  // The first activation strictly after `t`, in whole seconds; null when there is none
  // within five years (upstream's zero time: "0 0 30 2 *").
  std::optional<Clock::time_point> next(Clock::time_point t) const;

  bool is_interval() const { return every_seconds_ > 0; }
  const TimeZone& zone() const { return zone_; }

 private:
  explicit CronSchedule(TimeZone zone) : zone_(std::move(zone)) {}
  std::optional<int64_t> next_spec(int64_t after) const;
  bool day_matches(int day, int weekday) const;

  TimeZone zone_;
  int64_t every_seconds_ = 0;  // @every
  uint64_t minute_ = 0, hour_ = 0, dom_ = 0, month_ = 0, dow_ = 0;
  bool dom_star_ = false, dow_star_ = false;
};

}  // namespace ukube::controllers::cronjob
