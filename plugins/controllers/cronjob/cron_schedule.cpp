#include "cron_schedule.h"

#include "go_duration.h"

#include <array>
#include <cctype>
#include <vector>

namespace ukube::controllers::cronjob {
namespace {

struct Bounds {
  int min, max;
  const std::array<std::string_view, 12>* names;  // names for min, min+1, ... (null: none)
  size_t name_count;
};

const std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
const std::array<std::string_view, 12> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const Bounds kMinutes{0, 59, nullptr, 0};
const Bounds kHours{0, 23, nullptr, 0};
const Bounds kDom{1, 31, nullptr, 0};
const Bounds kMonths{1, 12, &kMonthNames, 12};
const Bounds kDow{0, 6, &kDayNames, 7};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::vector<std::string_view> fields_of(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    const size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// Go's strconv.Atoi, with the error robfig/cron wraps around it.
std::optional<int64_t> parse_int(std::string_view text, std::string& error) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  bool ok = !digits.empty();
  int64_t v = 0;
  bool overflow = false;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      ok = false;
      break;
    }
    if (v > (INT64_MAX - (c - '0')) / 10) overflow = true;
    if (!overflow) v = v * 10 + (c - '0');
  }
  if (!ok || overflow) {
    error = "failed to parse int from " + std::string(text) + ": strconv.Atoi: parsing \"" +
            std::string(text) + "\": " + (ok ? "value out of range" : "invalid syntax");
    return std::nullopt;
  }
  if (negative && v != 0) {
    error = "negative number (-" + std::to_string(v) + ") not allowed: " + std::string(text);
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> int_or_name(std::string_view text, const Bounds& bounds, std::string& error) {
  if (bounds.names) {
    std::string lower(text);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < bounds.name_count; ++i)
      if (lower == (*bounds.names)[i]) return bounds.min + static_cast<int64_t>(i);
  }
  return parse_int(text, error);
}

// One comma-separated part of a field into `bits`; `star` set when it starts with * or ?
// and has no step above 1.
bool add_range(std::string_view expr, const Bounds& bounds, uint64_t& bits, bool& star, std::string& error) {
  const auto range_and_step = split(expr, '/');
  const auto low_and_high = split(range_and_step[0], '-');
  const bool single = low_and_high.size() == 1;
  int64_t start = 0, end = 0, step = 1;
  bool is_star = false;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    start = bounds.min;
    end = bounds.max;
    is_star = true;
  } else {
    auto low = int_or_name(low_and_high[0], bounds, error);
    if (!low) return false;
    start = end = *low;
    if (low_and_high.size() == 2) {
      auto high = int_or_name(low_and_high[1], bounds, error);
      if (!high) return false;
      end = *high;
    } else if (low_and_high.size() > 2) {
      error = "too many hyphens: " + std::string(expr);
      return false;
    }
  }
  if (range_and_step.size() == 2) {
    auto parsed = parse_int(range_and_step[1], error);
    if (!parsed) return false;
    step = *parsed;
    if (single) end = bounds.max;  // "N/step" runs from N to the maximum
    if (step > 1) is_star = false;
  } else if (range_and_step.size() > 2) {
    error = "too many slashes: " + std::string(expr);
    return false;
  }
  if (start < bounds.min) {
    error = "beginning of range (" + std::to_string(start) + ") below minimum (" +
            std::to_string(bounds.min) + "): " + std::string(expr);
    return false;
  }
  if (end > bounds.max) {
    error = "end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(bounds.max) +
            "): " + std::string(expr);
    return false;
  }
  if (start > end) {
    error = "beginning of range (" + std::to_string(start) + ") beyond end of range (" + std::to_string(end) +
            "): " + std::string(expr);
    return false;
  }
  if (step == 0) {
    error = "step of range should be a positive number: " + std::string(expr);
    return false;
  }
  for (int64_t v = start; v <= end; v += step) bits |= uint64_t{1} << v;
  if (is_star) star = true;
  return true;
}

bool parse_field(std::string_view field, const Bounds& bounds, uint64_t& bits, bool& star,
                 std::string& error) {
  for (std::string_view part : split(field, ','))
    if (!add_range(part, bounds, bits, star, error)) return false;
  return true;
}

// Wall-clock fields of an instant in a zone.
struct Fields {
  int year = 0;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0, weekday = 0;
};

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

Fields fields_at(const TimeZone& zone, int64_t utc) {
  const int64_t local = utc + zone.offset_at(utc);
  const int64_t days = floor_div(local, 86400);
  const int64_t secs = local - days * 86400;
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  Fields f;
  f.year = static_cast<int>(date.year());
  f.month = static_cast<int>(static_cast<unsigned>(date.month()));
  f.day = static_cast<int>(static_cast<unsigned>(date.day()));
  f.hour = static_cast<int>(secs / 3600);
  f.minute = static_cast<int>(secs / 60 % 60);
  f.second = static_cast<int>(secs % 60);
  f.weekday =
      static_cast<int>(std::chrono::weekday{std::chrono::sys_days{std::chrono::days{days}}}.c_encoding());
  return f;
}

// Go's time.Date in `zone`: months and days out of range roll over.
int64_t date_in(const TimeZone& zone, int year, int month, int day, int hour, int minute, int second) {
  const int64_t months = static_cast<int64_t>(year) * 12 + (month - 1);
  const int y = static_cast<int>(floor_div(months, 12));
  const unsigned m = static_cast<unsigned>(months - static_cast<int64_t>(y) * 12 + 1);
  const int64_t first =
      std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{1}}
          .time_since_epoch()
          .count();
  const int64_t local = (first + day - 1) * 86400 + hour * 3600 + minute * 60 + second;
  return zone.to_utc(local);
}

}  // namespace

std::optional<CronSchedule> CronSchedule::parse(std::string_view spec, const TimeZone& zone,
                                                std::string* error) {
  std::string problem;
  auto fail = [&](std::string why) -> std::optional<CronSchedule> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (spec.empty()) return fail("empty spec string");
  TimeZone location = zone;
  if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
    const size_t space = spec.find(' ');
    const size_t eq = spec.find('=');
    if (space == std::string_view::npos)
      return fail("provided bad location " + std::string(spec.substr(eq + 1)));
    const std::string_view name = spec.substr(eq + 1, space - eq - 1);
    std::string why;
    auto loaded = TimeZone::load(name, &why);
    if (!loaded) return fail("provided bad location " + std::string(name) + ": " + why);
    location = *loaded;
    spec.remove_prefix(space);
    while (!spec.empty() && std::isspace(static_cast<unsigned char>(spec.front()))) spec.remove_prefix(1);
    while (!spec.empty() && std::isspace(static_cast<unsigned char>(spec.back()))) spec.remove_suffix(1);
  }
  CronSchedule schedule(location);
  if (spec.starts_with("@")) {
    static constexpr std::pair<std::string_view, std::string_view> kDescriptors[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"}};
    for (const auto& [name, expansion] : kDescriptors)
      if (spec == name) return parse(expansion, location, error);
    constexpr std::string_view kEvery = "@every ";
    if (spec.starts_with(kEvery)) {
      auto ns = parse_go_duration(spec.substr(kEvery.size()), problem);
      if (!ns) return fail("failed to parse duration " + std::string(spec) + ": " + problem);
      // At least a second, and whole seconds.
      schedule.every_seconds_ = *ns < 1'000'000'000 ? 1 : *ns / 1'000'000'000;
      return schedule;
    }
    return fail("unrecognized descriptor: " + std::string(spec));
  }
  const auto fields = fields_of(spec);
  if (fields.size() != 5) {
    std::string listed = "[";
    for (size_t i = 0; i < fields.size(); ++i) listed += (i ? " " : "") + std::string(fields[i]);
    return fail("expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + listed + "]");
  }
  bool ignored = false;
  if (!parse_field(fields[0], kMinutes, schedule.minute_, ignored, problem) ||
      !parse_field(fields[1], kHours, schedule.hour_, ignored, problem) ||
      !parse_field(fields[2], kDom, schedule.dom_, schedule.dom_star_, problem) ||
      !parse_field(fields[3], kMonths, schedule.month_, ignored, problem) ||
      !parse_field(fields[4], kDow, schedule.dow_, schedule.dow_star_, problem))
    return fail(problem);
  return schedule;
}

bool CronSchedule::day_matches(int day, int weekday) const {
  const bool dom = (dom_ >> day) & 1;
  const bool dow = (dow_ >> weekday) & 1;
  return dom_star_ || dow_star_ ? dom && dow : dom || dow;
}

std::optional<Clock::time_point> CronSchedule::next(Clock::time_point t) const {
  const int64_t seconds = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  std::optional<int64_t> found =
      every_seconds_ > 0 ? std::optional<int64_t>(seconds + every_seconds_) : next_spec(seconds);
  if (!found) return std::nullopt;
  return Clock::time_point(std::chrono::seconds(*found));
}

// The library's search: starting at the next whole second, each field from the month down
// is moved forward until it matches; moving one resets the smaller ones once, and a
// field that wraps around starts the check over from the month. Days and months move on
// the calendar (time.Date), hours and minutes in elapsed time, which is what makes
// daylight-saving changes skip or repeat an hour's times.
std::optional<int64_t> CronSchedule::next_spec(int64_t after) const {
  const TimeZone& z = zone_;
  int64_t t = after + 1;
  bool added = false;
  const int year_limit = fields_at(z, t).year + 5;
  for (;;) {
    Fields f = fields_at(z, t);
    if (f.year > year_limit) return std::nullopt;
    bool wrapped = false;
    while (!((month_ >> f.month) & 1)) {
      if (!added) {
        added = true;
        t = date_in(z, f.year, f.month, 1, 0, 0, 0);
        f = fields_at(z, t);
      }
      t = date_in(z, f.year, f.month + 1, f.day, f.hour, f.minute, f.second);
      f = fields_at(z, t);
      if (f.month == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!day_matches(f.day, f.weekday)) {
      if (!added) {
        added = true;
        t = date_in(z, f.year, f.month, f.day, 0, 0, 0);
        f = fields_at(z, t);
      }
      t = date_in(z, f.year, f.month, f.day + 1, f.hour, f.minute, f.second);
      f = fields_at(z, t);
      // Where a daylight-saving change skips midnight the day starts at 01:00 (or the
      // previous one ends at 23:00): move back onto the hour the day begins.
      if (f.hour != 0) {
        t += f.hour > 12 ? (24 - f.hour) * 3600 : -f.hour * 3600;
        f = fields_at(z, t);
      }
      if (f.day == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!((hour_ >> f.hour) & 1)) {
      if (!added) {
        added = true;
        t = date_in(z, f.year, f.month, f.day, f.hour, 0, 0);
      }
      t += 3600;
      f = fields_at(z, t);
      if (f.hour == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!((minute_ >> f.minute) & 1)) {
      if (!added) {
        added = true;
        t -= ((t % 60) + 60) % 60;
      }
      t += 60;
      f = fields_at(z, t);
      if (f.minute == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    // Standard schedules fire at second 0.
    while (f.second != 0) {
      added = true;
      t += 1;
      f = fields_at(z, t);
      if (f.second == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    return t;
  }
}

}  // namespace ukube::controllers::cronjob
