#include "time_zone.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

namespace ukube::controllers::cronjob {
namespace {

constexpr int64_t kDay = 86400;

// One rule of a POSIX TZ string's ",start[/time],end[/time]" part.
struct DateRule {
  enum class Kind { Julian1, Julian0, MonthWeekDay } kind = Kind::MonthWeekDay;
  int day = 0, week = 0, month = 0;  // Jn / n: day; Mm.w.d: month, week, day (0 = Sunday)
  int32_t time = 2 * 3600;           // seconds after local midnight, may be negative or > 24h
};

struct PosixRule {
  int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int32_t dst_offset = 0;
  DateRule start, end;
};

int64_t days_from_civil(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}}
      .time_since_epoch()
      .count();
}

bool leap_year(int year) {
  return std::chrono::year{year}.is_leap();
}

// Local midnight (as seconds since the epoch read as UTC) of the rule's day in `year`.
int64_t rule_day(const DateRule& rule, int year) {
  switch (rule.kind) {
    case DateRule::Kind::Julian1: {  // 1..365, February 29 never counted
      int64_t day = rule.day - 1;
      if (leap_year(year) && rule.day >= 60) ++day;
      return (days_from_civil(year, 1, 1) + day) * kDay;
    }
    case DateRule::Kind::Julian0:  // 0..365, February 29 counted
      return (days_from_civil(year, 1, 1) + rule.day) * kDay;
    case DateRule::Kind::MonthWeekDay: {
      const int64_t first = days_from_civil(year, rule.month, 1);
      // 1970-01-01 was a Thursday (4).
      const int64_t first_weekday = ((first % 7) + 7 + 4) % 7;
      int64_t day = (rule.day - first_weekday + 7) % 7 + 7 * (rule.week - 1);
      const unsigned length = static_cast<unsigned>(std::chrono::year_month_day_last{
          std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(rule.month)} / std::chrono::last}
                                                        .day());
      while (day >= length) day -= 7;  // week 5 means the last such day
      return (first + day) * kDay;
    }
  }
  return 0;
}

class RuleParser {
 public:
  explicit RuleParser(std::string_view text) : s_(text) {}

  std::optional<PosixRule> parse() {
    PosixRule rule;
    if (!name()) return std::nullopt;
    auto std_offset = offset();
    if (!std_offset) return std::nullopt;
    rule.std_offset = -*std_offset;  // POSIX counts west of UTC
    if (at_end()) return rule;
    if (!name()) return std::nullopt;
    rule.has_dst = true;
    rule.dst_offset = rule.std_offset + 3600;
    if (!at_end() && peek() != ',') {
      auto dst_offset = offset();
      if (!dst_offset) return std::nullopt;
      rule.dst_offset = -*dst_offset;
    }
    if (at_end()) {
      // A zone with DST but no rule: POSIX leaves it to the implementation; Go (and glibc)
      // take the United States' rules.
      rule.start = {DateRule::Kind::MonthWeekDay, 0, 2, 3, 7200};
      rule.end = {DateRule::Kind::MonthWeekDay, 0, 1, 11, 7200};
      return rule;
    }
    if (!eat(',') || !date(rule.start) || !eat(',') || !date(rule.end) || !at_end()) return std::nullopt;
    return rule;
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }

  bool name() {
    if (eat('<')) {
      const size_t close = s_.find('>', i_);
      if (close == std::string_view::npos || close == i_) return false;
      i_ = close + 1;
      return true;
    }
    const size_t start = i_;
    while (!at_end() && std::isalpha(static_cast<unsigned char>(peek()))) ++i_;
    return i_ - start >= 3;
  }

  std::optional<int> number(int max) {
    const size_t start = i_;
    int v = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (peek() - '0');
      if (v > max) return std::nullopt;
      ++i_;
    }
    if (i_ == start) return std::nullopt;
    return v;
  }

  // [+-]hh[:mm[:ss]], as seconds; hours up to 167 (RFC 8536's extension for rule times).
  std::optional<int32_t> offset() {
    int sign = 1;
    if (eat('-'))
      sign = -1;
    else
      eat('+');
    auto hours = number(167);
    if (!hours) return std::nullopt;
    int32_t seconds = *hours * 3600;
    if (eat(':')) {
      auto minutes = number(59);
      if (!minutes) return std::nullopt;
      seconds += *minutes * 60;
      if (eat(':')) {
        auto secs = number(59);
        if (!secs) return std::nullopt;
        seconds += *secs;
      }
    }
    return sign * seconds;
  }

  bool date(DateRule& rule) {
    if (eat('M')) {
      auto month = number(12);
      if (!month || *month < 1 || !eat('.')) return false;
      auto week = number(5);
      if (!week || *week < 1 || !eat('.')) return false;
      auto day = number(6);
      if (!day) return false;
      rule = {DateRule::Kind::MonthWeekDay, *day, *week, *month, 7200};
    } else if (eat('J')) {
      auto day = number(365);
      if (!day || *day < 1) return false;
      rule = {DateRule::Kind::Julian1, *day, 0, 0, 7200};
    } else {
      auto day = number(365);
      if (!day) return false;
      rule = {DateRule::Kind::Julian0, *day, 0, 0, 7200};
    }
    if (eat('/')) {
      auto time = offset();
      if (!time) return false;
      rule.time = *time;
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

int32_t posix_offset_at(const PosixRule& rule, int64_t utc) {
  if (!rule.has_dst) return rule.std_offset;
  // The year as standard time sees it; both transitions of that year are compared.
  const int64_t local_days = (utc + rule.std_offset) / kDay - ((utc + rule.std_offset) % kDay < 0 ? 1 : 0);
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{local_days}}};
  const int year = static_cast<int>(date.year());
  // The start is given in standard time, the end in daylight time.
  const int64_t start = rule_day(rule.start, year) + rule.start.time - rule.std_offset;
  const int64_t end = rule_day(rule.end, year) + rule.end.time - rule.dst_offset;
  const bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
  return dst ? rule.dst_offset : rule.std_offset;
}

// A big-endian reader over a TZif file.
class Bytes {
 public:
  explicit Bytes(std::string_view data) : data_(data) {}
  bool has(size_t n) const { return pos_ + n <= data_.size(); }
  void skip(size_t n) { pos_ += n; }
  size_t pos() const { return pos_; }
  std::string_view rest() const { return data_.substr(std::min(pos_, data_.size())); }
  int64_t be(size_t width) {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += width;
    if (width == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  uint8_t byte() { return static_cast<unsigned char>(data_[pos_++]); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;
  int64_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

std::optional<Header> read_header(Bytes& in) {
  if (!in.has(44)) return std::nullopt;
  Header h;
  std::string_view magic = in.rest().substr(0, 4);
  if (magic != "TZif") return std::nullopt;
  in.skip(4);
  h.version = static_cast<char>(in.byte());
  in.skip(15);
  h.isut = in.be(4);
  h.isstd = in.be(4);
  h.leap = in.be(4);
  h.time = in.be(4);
  h.type = in.be(4);
  h.chars = in.be(4);
  if (h.isut < 0 || h.isstd < 0 || h.leap < 0 || h.time < 0 || h.type <= 0 || h.chars < 0)
    return std::nullopt;
  return h;
}

size_t block_size(const Header& h, size_t time_width) {
  return static_cast<size_t>(h.time) * time_width + static_cast<size_t>(h.time) +
         static_cast<size_t>(h.type) * 6 + static_cast<size_t>(h.chars) +
         static_cast<size_t>(h.leap) * (time_width + 4) + static_cast<size_t>(h.isstd) +
         static_cast<size_t>(h.isut);
}

}  // namespace

struct TimeZone::Data {
  std::string name;
  std::vector<int64_t> transitions;  // ascending instants
  std::vector<int32_t> offsets;      // offset from each transition on
  int32_t initial_offset = 0;        // before the first transition
  std::optional<PosixRule> rule;     // after the last transition
};

TimeZone::TimeZone() {
  auto data = std::make_shared<Data>();
  data->name = "UTC";
  data_ = std::move(data);
}

std::optional<TimeZone> TimeZone::from_posix(std::string name, std::string_view rule) {
  auto parsed = RuleParser(rule).parse();
  if (!parsed) return std::nullopt;
  auto data = std::make_shared<Data>();
  data->name = std::move(name);
  data->initial_offset = parsed->std_offset;
  data->rule = parsed;
  return TimeZone(std::move(data));
}

std::optional<TimeZone> TimeZone::from_tzif(std::string name, std::string_view bytes) {
  Bytes in(bytes);
  auto header = read_header(in);
  if (!header) return std::nullopt;
  size_t width = 4;
  if (header->version >= '2') {
    // Skip the 32-bit block: the 64-bit one after the second header covers every date.
    if (!in.has(block_size(*header, 4))) return std::nullopt;
    in.skip(block_size(*header, 4));
    header = read_header(in);
    if (!header) return std::nullopt;
    width = 8;
  }
  if (!in.has(block_size(*header, width))) return std::nullopt;
  auto data = std::make_shared<Data>();
  data->name = std::move(name);
  std::vector<int64_t> times(static_cast<size_t>(header->time));
  for (auto& t : times) t = in.be(width);
  std::vector<uint8_t> indexes(static_cast<size_t>(header->time));
  for (auto& i : indexes) i = in.byte();
  std::vector<int32_t> type_offsets(static_cast<size_t>(header->type));
  for (auto& offset : type_offsets) {
    offset = static_cast<int32_t>(in.be(4));
    in.skip(2);  // isdst, abbreviation index
  }
  // Abbreviations, leap seconds and the standard/UT indicators are not needed.
  in.skip(static_cast<size_t>(header->chars) + static_cast<size_t>(header->leap) * (width + 4) +
          static_cast<size_t>(header->isstd) + static_cast<size_t>(header->isut));
  for (size_t i = 0; i < times.size(); ++i) {
    if (indexes[i] >= type_offsets.size()) return std::nullopt;
    data->transitions.push_back(times[i]);
    data->offsets.push_back(type_offsets[indexes[i]]);
  }
  // RFC 8536: before the first transition, local time type 0 applies.
  data->initial_offset = type_offsets[0];
  if (width == 8) {
    std::string_view footer = in.rest();
    if (footer.size() >= 2 && footer.front() == '\n') {
      footer.remove_prefix(1);
      const size_t end = footer.find('\n');
      if (end != std::string_view::npos && end > 0) data->rule = RuleParser(footer.substr(0, end)).parse();
    }
  }
  return TimeZone(std::move(data));
}

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string* error,
                                       const std::filesystem::path& root) {
  if (name.empty() || name == "UTC") return TimeZone();
  auto read = [](const std::filesystem::path& path, std::string& out) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return false;
    out.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    return true;
  };
  std::string bytes;
  if (name == "Local") {
    // Go: $TZ when set ("" meaning UTC, ":name" or "name" a zone file), else /etc/localtime.
    if (const char* tz = std::getenv("TZ")) {
      std::string_view zone(tz);
      if (zone.starts_with(':')) zone.remove_prefix(1);
      if (zone.empty() || zone == "UTC") return TimeZone();
      if (!zone.starts_with('/') && zone.find("..") == std::string_view::npos &&
          read(root / std::string(zone), bytes))
        if (auto tzif = from_tzif("Local", bytes)) return tzif;
      return TimeZone();
    }
    if (read("/etc/localtime", bytes))
      if (auto tzif = from_tzif("Local", bytes)) return tzif;
    return TimeZone();
  }
  auto unknown = [&] {
    if (error) *error = "unknown time zone " + std::string(name);
    return std::nullopt;
  };
  // Go refuses names that could leave the zoneinfo tree.
  if (name.starts_with('/') || name.starts_with('\\') || name.find("..") != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    return unknown();
  std::error_code ec;
  const auto path = root / std::string(name);
  if (!std::filesystem::is_regular_file(path, ec) || !read(path, bytes)) return unknown();
  auto zone = from_tzif(std::string(name), bytes);
  if (!zone) return unknown();
  return zone;
}

const std::string& TimeZone::name() const {
  return data_->name;
}

int32_t TimeZone::offset_at(int64_t utc) const {
  const Data& d = *data_;
  if (d.transitions.empty() || utc < d.transitions.front()) {
    if (d.transitions.empty() && d.rule) return posix_offset_at(*d.rule, utc);
    return d.initial_offset;
  }
  if (utc >= d.transitions.back() && d.rule) return posix_offset_at(*d.rule, utc);
  const auto it = std::upper_bound(d.transitions.begin(), d.transitions.end(), utc);
  return d.offsets[static_cast<size_t>(it - d.transitions.begin()) - 1];
}

int64_t TimeZone::to_utc(int64_t local) const {
  // Go's time.Date: take the offset at the wall-clock reading as if it were UTC; when the
  // instant that gives is under another offset (a transition lies between), use that one.
  const int32_t guess = offset_at(local);
  const int64_t utc = local - guess;
  const int32_t actual = offset_at(utc);
  return actual == guess ? utc : local - actual;
}

}  // namespace ukube::controllers::cronjob
