// The cron parser and schedule walk of the CronJob controller, against what upstream's
// library (robfig/cron v3 ParseStandard) answers for the same schedules.
#include <gtest/gtest.h>

#include <string>

#include "controllers/cronjob/cron_schedule.h"
#include "controllers/cronjob/cronjob_util.h"
#include "ukube/machinery/time.h"

namespace ukube::controllers::cronjob {
namespace {

Clock::time_point instant(const std::string& rfc3339) {
  auto t = machinery::parse_time(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(Clock::time_point{});
}

TimeZone zone_named(const std::string& name) {
  std::string error;
  auto zone = TimeZone::load(name, &error);
  EXPECT_TRUE(zone.has_value()) << error;
  return zone.value_or(TimeZone());
}

// The next activation after `from`, printed in `zone_name` ("" when there is none).
std::string next_after(const std::string& spec, const std::string& from,
                       const std::string& zone_name = "UTC") {
  const TimeZone zone = zone_named(zone_name);
  std::string error;
  auto schedule = CronSchedule::parse(spec, zone, &error);
  EXPECT_TRUE(schedule.has_value()) << spec << ": " << error;
  if (!schedule) return "<unparseable>";
  auto next = schedule->next(instant(from));
  return next ? format_rfc3339(*next, zone) : "";
}

std::string parse_error(const std::string& spec) {
  std::string error;
  auto schedule = CronSchedule::parse(spec, TimeZone(), &error);
  EXPECT_FALSE(schedule.has_value()) << spec << " parsed";
  return error;
}

TEST(CronParse, MinuteFieldsStepsRangesAndLists) {
  EXPECT_EQ(next_after("* * * * *", "2024-05-01T10:00:30Z"), "2024-05-01T10:01:00Z");
  // Strictly after: a time that is itself an activation moves on.
  EXPECT_EQ(next_after("* * * * *", "2024-05-01T10:00:00Z"), "2024-05-01T10:01:00Z");
  EXPECT_EQ(next_after("*/1 * * * *", "2024-05-01T10:00:00.5Z"), "2024-05-01T10:01:00Z");
  EXPECT_EQ(next_after("*/15 * * * *", "2024-05-01T10:07:00Z"), "2024-05-01T10:15:00Z");
  EXPECT_EQ(next_after("*/15 * * * *", "2024-05-01T10:45:00Z"), "2024-05-01T11:00:00Z");
  // "N/step" runs from N to the field's maximum.
  EXPECT_EQ(next_after("5/20 * * * *", "2024-05-01T10:06:00Z"), "2024-05-01T10:25:00Z");
  EXPECT_EQ(next_after("5/20 * * * *", "2024-05-01T10:46:00Z"), "2024-05-01T11:05:00Z");
  EXPECT_EQ(next_after("10-12 * * * *", "2024-05-01T10:12:00Z"), "2024-05-01T11:10:00Z");
  EXPECT_EQ(next_after("1,31,59 * * * *", "2024-05-01T10:02:00Z"), "2024-05-01T10:31:00Z");
  EXPECT_EQ(next_after("0 9-17/4 * * *", "2024-05-01T14:00:00Z"), "2024-05-01T17:00:00Z");
  EXPECT_EQ(next_after("0 9-17/4 * * *", "2024-05-01T17:00:00Z"), "2024-05-02T09:00:00Z");
  EXPECT_EQ(next_after("30 23 * * *", "2024-12-31T23:30:00Z"), "2025-01-01T23:30:00Z");
}

TEST(CronParse, DaysMonthsAndNames) {
  // 2024-05-03 is a Friday.
  EXPECT_EQ(next_after("0 0 * * mon-fri", "2024-05-03T12:00:00Z"), "2024-05-06T00:00:00Z");
  EXPECT_EQ(next_after("0 0 * * MON-FRI", "2024-05-03T12:00:00Z"), "2024-05-06T00:00:00Z");
  EXPECT_EQ(next_after("0 0 * * Sat,sun", "2024-05-01T00:00:00Z"), "2024-05-04T00:00:00Z");
  EXPECT_EQ(next_after("0 0 1,15 * *", "2024-05-02T00:00:00Z"), "2024-05-15T00:00:00Z");
  EXPECT_EQ(next_after("0 0 1 jul *", "2024-05-02T00:00:00Z"), "2024-07-01T00:00:00Z");
  EXPECT_EQ(next_after("0 0 1 JAN-MAR/2 *", "2024-05-02T00:00:00Z"), "2025-01-01T00:00:00Z");
  EXPECT_EQ(next_after("0 0 31 * *", "2024-04-01T00:00:00Z"), "2024-05-31T00:00:00Z");
  EXPECT_EQ(next_after("0 0 29 2 *", "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
}

TEST(CronParse, BothDayFieldsRestrictedMeansEitherOne) {
  // Classic cron: with neither day field a star, a day matching either one fires.
  EXPECT_EQ(next_after("0 0 13 * fri", "2024-05-01T00:00:00Z"), "2024-05-03T00:00:00Z");
  EXPECT_EQ(next_after("0 0 13 * fri", "2024-05-10T12:00:00Z"), "2024-05-13T00:00:00Z");
  // A star (or ?) in one of them makes the other decide alone.
  EXPECT_EQ(next_after("0 0 * * fri", "2024-05-01T00:00:00Z"), "2024-05-03T00:00:00Z");
  EXPECT_EQ(next_after("0 0 ? * fri", "2024-05-01T00:00:00Z"), "2024-05-03T00:00:00Z");
  EXPECT_EQ(next_after("0 0 13 * *", "2024-05-01T00:00:00Z"), "2024-05-13T00:00:00Z");
  // A star with a step above one is no longer a star: odd days or Fridays.
  EXPECT_EQ(next_after("0 0 */2 * fri", "2024-05-03T12:00:00Z"), "2024-05-05T00:00:00Z");
  EXPECT_EQ(next_after("0 0 */2 * fri", "2024-05-09T12:00:00Z"), "2024-05-10T00:00:00Z");
}

TEST(CronParse, Descriptors) {
  EXPECT_EQ(next_after("@yearly", "2024-05-01T10:00:00Z"), "2025-01-01T00:00:00Z");
  EXPECT_EQ(next_after("@annually", "2024-05-01T10:00:00Z"), "2025-01-01T00:00:00Z");
  EXPECT_EQ(next_after("@monthly", "2024-05-01T10:00:00Z"), "2024-06-01T00:00:00Z");
  EXPECT_EQ(next_after("@weekly", "2024-05-01T10:00:00Z"), "2024-05-05T00:00:00Z");
  EXPECT_EQ(next_after("@daily", "2024-05-01T10:00:00Z"), "2024-05-02T00:00:00Z");
  EXPECT_EQ(next_after("@midnight", "2024-05-01T10:00:00Z"), "2024-05-02T00:00:00Z");
  EXPECT_EQ(next_after("@hourly", "2024-05-01T10:00:00Z"), "2024-05-01T11:00:00Z");
}

TEST(CronParse, EveryIsAFixedIntervalOfWholeSeconds) {
  EXPECT_EQ(next_after("@every 90m", "2024-05-01T10:00:30.5Z"), "2024-05-01T11:30:30Z");
  EXPECT_EQ(next_after("@every 1h30m15s", "2024-05-01T10:00:00Z"), "2024-05-01T11:30:15Z");
  EXPECT_EQ(next_after("@every 1.5h", "2024-05-01T10:00:00Z"), "2024-05-01T11:30:00Z");
  // Less than a second is a second; fractions of a second are dropped.
  EXPECT_EQ(next_after("@every 500ms", "2024-05-01T10:00:00Z"), "2024-05-01T10:00:01Z");
  EXPECT_EQ(next_after("@every 2500ms", "2024-05-01T10:00:00Z"), "2024-05-01T10:00:02Z");
  std::string error;
  auto every = CronSchedule::parse("@every 5m", TimeZone(), &error);
  ASSERT_TRUE(every.has_value());
  EXPECT_TRUE(every->is_interval());
}

TEST(CronParse, ImpossibleDatesHaveNoNextTime) {
  EXPECT_EQ(next_after("0 0 30 2 *", "2024-01-01T00:00:00Z"), "");
  EXPECT_EQ(next_after("59 23 31 4 *", "2024-01-01T00:00:00Z"), "");
}

TEST(CronParse, ErrorsNameTheProblemAsUpstream) {
  EXPECT_EQ(parse_error(""), "empty spec string");
  EXPECT_EQ(parse_error("* * * *"), "expected exactly 5 fields, found 4: [* * * *]");
  EXPECT_EQ(parse_error("0 * * * * *"), "expected exactly 5 fields, found 6: [0 * * * * *]");
  EXPECT_EQ(parse_error("60 * * * *"), "end of range (60) above maximum (59): 60");
  EXPECT_EQ(parse_error("* 24 * * *"), "end of range (24) above maximum (23): 24");
  EXPECT_EQ(parse_error("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
  EXPECT_EQ(parse_error("* * 32 * *"), "end of range (32) above maximum (31): 32");
  EXPECT_EQ(parse_error("* * * 13 *"), "end of range (13) above maximum (12): 13");
  EXPECT_EQ(parse_error("* * * * 7"), "end of range (7) above maximum (6): 7");
  EXPECT_EQ(parse_error("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
  EXPECT_EQ(parse_error("*/0 * * * *"), "step of range should be a positive number: */0");
  EXPECT_EQ(parse_error("1-2-3 * * * *"), "too many hyphens: 1-2-3");
  EXPECT_EQ(parse_error("*/2/3 * * * *"), "too many slashes: */2/3");
  EXPECT_EQ(parse_error("x * * * *"),
            "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(parse_error("* * * foo *"),
            "failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax");
  EXPECT_EQ(parse_error("1,,2 * * * *"),
            "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax");
  EXPECT_EQ(parse_error("@fortnightly"), "unrecognized descriptor: @fortnightly");
  EXPECT_EQ(parse_error("@every"), "unrecognized descriptor: @every");
  EXPECT_EQ(parse_error("@every 1x"),
            "failed to parse duration @every 1x: time: unknown unit \"x\" in duration \"1x\"");
  EXPECT_EQ(parse_error("@every 5"),
            "failed to parse duration @every 5: time: missing unit in duration \"5\"");
  EXPECT_EQ(parse_error("TZ=Mars/Base * * * * *"),
            "provided bad location Mars/Base: unknown time zone Mars/Base");
}

TEST(CronZones, ScheduleIsReadInItsZone) {
  EXPECT_EQ(next_after("0 9 * * *", "2024-05-01T00:00:00Z", "Europe/Rome"), "2024-05-01T09:00:00+02:00");
  EXPECT_EQ(next_after("0 9 * * *", "2024-01-10T00:00:00Z", "Europe/Rome"), "2024-01-10T09:00:00+01:00");
  EXPECT_EQ(next_after("0 9 * * *", "2024-05-01T00:00:00Z", "Asia/Kolkata"), "2024-05-01T09:00:00+05:30");
  // The southern hemisphere's summer is in January.
  EXPECT_EQ(next_after("0 9 * * *", "2024-01-10T00:00:00Z", "Australia/Sydney"), "2024-01-11T09:00:00+11:00");
  EXPECT_EQ(next_after("0 9 * * *", "2024-07-10T00:00:00Z", "Australia/Sydney"), "2024-07-11T09:00:00+10:00");
  // A TZ= prefix names the zone itself (objects from before spec.timeZone).
  EXPECT_EQ(next_after("TZ=America/New_York 0 9 * * *", "2024-05-01T00:00:00Z"), "2024-05-01T13:00:00Z");
  EXPECT_EQ(next_after("CRON_TZ=Europe/Rome 0 9 * * *", "2024-05-01T00:00:00Z"), "2024-05-01T07:00:00Z");
}

TEST(CronZones, SpringForwardSkipsTheMissingHour) {
  // 2024-03-10 in New York: 02:00 EST becomes 03:00 EDT.
  EXPECT_EQ(next_after("30 2 * * *", "2024-03-10T00:00:00-05:00", "America/New_York"),
            "2024-03-11T02:30:00-04:00");
  EXPECT_EQ(next_after("30 2 * * *", "2024-03-09T00:00:00-05:00", "America/New_York"),
            "2024-03-09T02:30:00-05:00");
  // Hourly jobs go on in elapsed time: one hour after 01:00 EST is 03:00 EDT.
  EXPECT_EQ(next_after("0 * * * *", "2024-03-10T01:00:00-05:00", "America/New_York"),
            "2024-03-10T03:00:00-04:00");
  EXPECT_EQ(next_after("0 0 * * *", "2024-03-09T12:00:00-05:00", "America/New_York"),
            "2024-03-10T00:00:00-05:00");
  EXPECT_EQ(next_after("0 0 * * *", "2024-03-10T00:00:00-05:00", "America/New_York"),
            "2024-03-11T00:00:00-04:00");
  EXPECT_EQ(next_after("0 3 * * *", "2024-03-10T00:00:00-05:00", "America/New_York"),
            "2024-03-10T03:00:00-04:00");
}

TEST(CronZones, FallBackRunsInBothOccurrencesOfTheRepeatedHour) {
  // 2024-11-03 in New York: 02:00 EDT becomes 01:00 EST.
  EXPECT_EQ(next_after("30 1 * * *", "2024-11-03T00:00:00-04:00", "America/New_York"),
            "2024-11-03T01:30:00-04:00");
  EXPECT_EQ(next_after("30 1 * * *", "2024-11-03T01:30:00-04:00", "America/New_York"),
            "2024-11-03T01:30:00-05:00");
  EXPECT_EQ(next_after("30 1 * * *", "2024-11-03T01:30:00-05:00", "America/New_York"),
            "2024-11-04T01:30:00-05:00");
  EXPECT_EQ(next_after("30 2 * * *", "2024-11-03T00:00:00-04:00", "America/New_York"),
            "2024-11-03T02:30:00-05:00");
}

TEST(TimeZoneFiles, OffsetsFromTheTableAndBeyondIt) {
  const TimeZone ny = zone_named("America/New_York");
  auto offset = [&](const TimeZone& z, const std::string& at) {
    return z.offset_at(
        std::chrono::duration_cast<std::chrono::seconds>(instant(at).time_since_epoch()).count());
  };
  EXPECT_EQ(offset(ny, "2024-01-15T12:00:00Z"), -5 * 3600);
  EXPECT_EQ(offset(ny, "2024-07-15T12:00:00Z"), -4 * 3600);
  EXPECT_EQ(offset(ny, "2024-03-10T06:59:59Z"), -5 * 3600);
  EXPECT_EQ(offset(ny, "2024-03-10T07:00:00Z"), -4 * 3600);
  EXPECT_EQ(offset(ny, "2024-11-03T05:59:59Z"), -4 * 3600);
  EXPECT_EQ(offset(ny, "2024-11-03T06:00:00Z"), -5 * 3600);
  // Past the file's transitions the footer's POSIX rule decides.
  EXPECT_EQ(offset(ny, "2100-07-01T12:00:00Z"), -4 * 3600);
  EXPECT_EQ(offset(ny, "2100-01-01T12:00:00Z"), -5 * 3600);
  EXPECT_EQ(offset(zone_named("Asia/Kolkata"), "2024-05-01T00:00:00Z"), 19800);
  EXPECT_EQ(offset(zone_named("Europe/Dublin"), "2024-07-01T00:00:00Z"), 3600);
  EXPECT_EQ(offset(zone_named("Europe/Dublin"), "2024-01-01T00:00:00Z"), 0);
  EXPECT_EQ(offset(zone_named("Australia/Sydney"), "2100-01-15T00:00:00Z"), 11 * 3600);
  EXPECT_EQ(offset(TimeZone(), "2024-07-15T12:00:00Z"), 0);
}

TEST(TimeZoneFiles, PosixRules) {
  auto at = [](const std::string& t) {
    return std::chrono::duration_cast<std::chrono::seconds>(instant(t).time_since_epoch()).count();
  };
  auto us = TimeZone::from_posix("us", "EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(us.has_value());
  EXPECT_EQ(us->offset_at(at("2024-03-10T06:59:59Z")), -18000);
  EXPECT_EQ(us->offset_at(at("2024-03-10T07:00:00Z")), -14400);
  EXPECT_EQ(us->offset_at(at("2024-11-03T06:00:00Z")), -18000);
  auto iran = TimeZone::from_posix("ir", "<+0330>-3:30");
  ASSERT_TRUE(iran.has_value());
  EXPECT_EQ(iran->offset_at(at("2024-07-01T00:00:00Z")), 12600);
  auto sydney = TimeZone::from_posix("au", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney.has_value());
  EXPECT_EQ(sydney->offset_at(at("2024-01-15T00:00:00Z")), 39600);
  EXPECT_EQ(sydney->offset_at(at("2024-07-15T00:00:00Z")), 36000);
  auto julian = TimeZone::from_posix("j", "XST-1XDT,J60/0,J300/0");  // March 1 .. October 27
  ASSERT_TRUE(julian.has_value());
  EXPECT_EQ(julian->offset_at(at("2023-02-28T12:00:00Z")), 3600);
  EXPECT_EQ(julian->offset_at(at("2023-03-01T12:00:00Z")), 7200);
  EXPECT_FALSE(TimeZone::from_posix("bad", "5EST").has_value());
  EXPECT_FALSE(TimeZone::from_posix("bad", "").has_value());
  EXPECT_FALSE(TimeZone::from_posix("bad", "EST5EDT,M13.1.0,M11.1.0").has_value());
  EXPECT_FALSE(TimeZone::from_tzif("bad", "not a tz file").has_value());
}

TEST(TimeZoneFiles, LoadingFollowsGo) {
  std::string error;
  EXPECT_FALSE(TimeZone::load("Mars/Base", &error).has_value());
  EXPECT_EQ(error, "unknown time zone Mars/Base");
  EXPECT_FALSE(TimeZone::load("../../etc/passwd", &error).has_value());
  EXPECT_FALSE(TimeZone::load("/etc/localtime", &error).has_value());
  EXPECT_FALSE(TimeZone::load("America", &error).has_value());  // a folder
  ASSERT_TRUE(TimeZone::load("", &error).has_value());
  EXPECT_EQ(TimeZone::load("", &error)->name(), "UTC");
  EXPECT_EQ(TimeZone::load("UTC", &error)->name(), "UTC");
  EXPECT_TRUE(TimeZone::load("Local", &error).has_value());
  EXPECT_EQ(TimeZone::load("Europe/Rome", &error)->name(), "Europe/Rome");
}

TEST(TimeZoneFiles, WallClockTimesInGapsAndOverlapsResolveAsGoDoes) {
  const TimeZone ny = zone_named("America/New_York");
  auto local = [](const std::string& t) {  // the wall-clock reading, as if UTC
    return std::chrono::duration_cast<std::chrono::seconds>(instant(t).time_since_epoch()).count();
  };
  // An ordinary time.
  EXPECT_EQ(ny.to_utc(local("2024-05-01T09:00:00Z")), local("2024-05-01T13:00:00Z"));
  // 01:30 happens twice on 2024-11-03: the first (EDT) one is taken.
  EXPECT_EQ(ny.to_utc(local("2024-11-03T01:30:00Z")), local("2024-11-03T05:30:00Z"));
  // 02:30 never happens on 2024-03-10: Go lands an hour earlier, at 01:30 EST.
  EXPECT_EQ(ny.to_utc(local("2024-03-10T02:30:00Z")), local("2024-03-10T06:30:00Z"));
}

}  // namespace
}  // namespace ukube::controllers::cronjob
