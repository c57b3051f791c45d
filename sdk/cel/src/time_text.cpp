#include "ukube/cel/value.h"

#include <cstdio>
#include <ctime>

namespace ukube::cel {
namespace {

constexpr int64_t kNanos = 1'000'000'000;

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  size_t at = 0;
  bool negative = false;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) negative = text[at++] == '-';
  if (text.substr(at) == "0") return Duration{};
  if (at == text.size()) return std::nullopt;
  __int128 total = 0;
  while (at < text.size()) {
    __int128 whole = 0;
    long double fraction = 0, scale = 1;
    const size_t start = at;
    while (at < text.size() && digit(text[at])) whole = whole * 10 + (text[at++] - '0');
    if (at < text.size() && text[at] == '.') {
      ++at;
      while (at < text.size() && digit(text[at])) {
        scale /= 10;
        fraction += (text[at++] - '0') * scale;
      }
    }
    if (at == start || (at == start + 1 && text[start] == '.')) return std::nullopt;
    static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
        {"ns", 1},         {"us", 1000},  {"\xC2\xB5s", 1000}, {"\xCE\xBCs", 1000},
        {"ms", 1'000'000}, {"s", kNanos}, {"m", 60 * kNanos},  {"h", 3600 * kNanos}};
    int64_t unit = 0;
    size_t unit_length = 0;
    for (const auto& [name, nanos] : kUnits)
      if (text.substr(at, name.size()) == name && name.size() > unit_length) {
        unit = nanos;
        unit_length = name.size();
      }
    if (unit == 0) return std::nullopt;
    at += unit_length;
    total += whole * unit + static_cast<__int128>(fraction * unit);
    if (total > static_cast<__int128>(INT64_MAX)) return std::nullopt;
  }
  if (negative) total = -total;
  return Duration{static_cast<int64_t>(total / kNanos), static_cast<int32_t>(total % kNanos)};
}

std::string format_duration(Duration d) {
  std::string s = std::to_string(d.seconds);
  if (d.nanos != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%09d", d.nanos < 0 ? -d.nanos : d.nanos);
    std::string fraction = buf;
    while (fraction.back() == '0') fraction.pop_back();
    if (d.seconds == 0 && d.nanos < 0) s = "-0";
    s += fraction;
  }
  return s + "s";
}

std::optional<Timestamp> parse_timestamp(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|±HH:MM)
  const auto number = [&](size_t at, size_t n, int& out) {
    if (at + n > t.size()) return false;
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (!digit(t[i])) return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!number(0, 4, year) || t.size() < 20 || t[4] != '-' || !number(5, 2, month) || t[7] != '-' ||
      !number(8, 2, day) || (t[10] != 'T' && t[10] != 't') || !number(11, 2, hour) || t[13] != ':' ||
      !number(14, 2, minute) || t[16] != ':' || !number(17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  size_t at = 19;
  int64_t nanos = 0;
  if (at < t.size() && t[at] == '.') {
    ++at;
    int64_t scale = kNanos / 10;
    const size_t start = at;
    while (at < t.size() && digit(t[at])) {
      nanos += (t[at++] - '0') * scale;
      scale /= 10;
    }
    if (at == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
    ++at;
  } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
    int oh, om;
    if (!number(at + 1, 2, oh) || at + 3 >= t.size() || t[at + 3] != ':' || !number(at + 4, 2, om))
      return std::nullopt;
    offset = (t[at] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != t.size()) return std::nullopt;
  const int64_t seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 +
      minute * 60 + second - offset;
  return Timestamp{seconds, static_cast<int32_t>(nanos)};
}

std::string format_timestamp(Timestamp t) {
  const std::time_t seconds = t.seconds;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string s = buf;
  if (t.nanos != 0) {
    std::snprintf(buf, sizeof buf, ".%09d", t.nanos);
    std::string fraction = buf;
    while (fraction.back() == '0') fraction.pop_back();
    s += fraction;
  }
  return s + "Z";
}

}  // namespace ukube::cel
