#include "ukube/machinery/time.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace ukube::machinery {
namespace {

bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<Clock::time_point> parse_time(std::string_view s) {
  int year, mon, day, hour, min, sec;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mon) || s[7] != '-' ||
      !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, min) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return std::nullopt;
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000;
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      micros += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om))
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t secs = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(secs) +
                                                                       std::chrono::microseconds(micros)));
}

std::string format_time(Clock::time_point t) {
  std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_micro_time(Clock::time_point t) {
  std::string whole = format_time(t);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  if (micros < 0) micros += 1000000;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  whole.insert(whole.size() - 1, frac);
  return whole;
}

std::string human_duration(std::chrono::seconds d) {
  const int64_t seconds = d.count();
  auto s = [](int64_t n, const char* unit) { return std::to_string(n) + unit; };
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return s(seconds, "s");
  const int64_t minutes = seconds / 60;
  if (minutes < 10) return seconds % 60 ? s(minutes, "m") + s(seconds % 60, "s") : s(minutes, "m");
  if (minutes < 180) return s(minutes, "m");
  const int64_t hours = minutes / 60;
  if (hours < 8) return minutes % 60 ? s(hours, "h") + s(minutes % 60, "m") : s(hours, "h");
  if (hours < 48) return s(hours, "h");
  if (hours < 24 * 8) return hours % 24 ? s(hours / 24, "d") + s(hours % 24, "h") : s(hours / 24, "d");
  const int64_t days = hours / 24;
  if (days < 365 * 2) return s(days, "d");
  if (days < 365 * 8) return days % 365 ? s(days / 365, "y") + s(days % 365, "d") : s(days / 365, "y");
  return s(days / 365, "y");
}

std::string age_since(std::string_view ts, Clock::time_point now) {
  auto t = ts.empty() ? std::nullopt : parse_time(ts);
  if (!t) return "<unknown>";
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

}  // namespace ukube::machinery
