#include "container_logs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <filesystem>
#include <stdexcept>

namespace ukube::kubelet {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

bool truthy(const std::string& value) {
  return value == "true" || value == "1" || value == "True" || value == "TRUE";
}

int64_t integer(const std::string& name, const std::string& value) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size())
    throw std::invalid_argument(name + ": invalid value \"" + value + "\": must be an integer");
  return out;
}

bool digits(std::string_view s, size_t at, size_t count, int& out) {
  if (at + count > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::string read_file(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

LogOptions parse_log_options(const std::vector<std::pair<std::string, std::string>>& query, int64_t now_ns) {
  LogOptions o;
  std::optional<int64_t> since_seconds, since_time;
  for (const auto& [name, value] : query) {
    if (name == "follow") {
      o.follow = truthy(value);
    } else if (name == "previous") {
      o.previous = truthy(value);
    } else if (name == "timestamps") {
      o.timestamps = truthy(value);
    } else if (name == "tailLines") {
      o.tail_lines = integer(name, value);
      if (*o.tail_lines < 0) throw std::invalid_argument("tailLines: must be greater than or equal to 0");
    } else if (name == "limitBytes") {
      o.limit_bytes = integer(name, value);
      if (*o.limit_bytes < 1) throw std::invalid_argument("limitBytes: must be greater than 0");
    } else if (name == "sinceSeconds") {
      since_seconds = integer(name, value);
      if (*since_seconds < 1) throw std::invalid_argument("sinceSeconds: must be greater than 0");
    } else if (name == "sinceTime") {
      since_time = parse_rfc3339(value);
      if (!since_time)
        throw std::invalid_argument("sinceTime: invalid value \"" + value + "\": must be an RFC 3339 time");
    }
  }
  if (since_seconds && since_time)
    throw std::invalid_argument("at most one of `sinceTime` or `sinceSeconds` may be specified");
  if (since_seconds) o.since_ns = now_ns - *since_seconds * kNsPerSecond;
  if (since_time) o.since_ns = since_time;
  return o;
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  std::tm t{};
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, hour) || s[13] != ':' ||
      !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second))
    return std::nullopt;
  size_t at = 19;
  int64_t nanos = 0;
  if (s[at] == '.') {
    ++at;
    int64_t scale = kNsPerSecond;
    size_t start = at;
    for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at)
      if (scale > 1) {
        scale /= 10;
        nanos += (s[at] - '0') * scale;
      }
    if (at == start) return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int oh, om;
    if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(s, at + 4, 2, om))
      return std::nullopt;
    offset_seconds = (s[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60)
    return std::nullopt;
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  const int64_t seconds = static_cast<int64_t>(::timegm(&t)) - offset_seconds;
  return seconds * kNsPerSecond + nanos;
}

std::optional<LogRecord> parse_cri_line(std::string_view line) {
  LogRecord r;
  const auto first = line.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  r.timestamp = line.substr(0, first);
  auto time = parse_rfc3339(r.timestamp);
  if (!time) return std::nullopt;
  r.time_ns = *time;
  const auto second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view stream = line.substr(first + 1, second - first - 1);
  if (stream == "stdout")
    r.stream = runtime::LogStream::Stdout;
  else if (stream == "stderr")
    r.stream = runtime::LogStream::Stderr;
  else
    return std::nullopt;
  // The tag may carry more flags after P/F, separated by ':' (CRI's format allows it).
  const auto third = line.find(' ', second + 1);
  const std::string_view tag =
      line.substr(second + 1, third == std::string_view::npos ? std::string_view::npos : third - second - 1);
  if (tag.empty() || (tag[0] != 'P' && tag[0] != 'F')) return std::nullopt;
  r.partial = tag[0] == 'P';
  r.text = third == std::string_view::npos ? std::string_view() : line.substr(third + 1);
  return r;
}

std::vector<std::string> log_files(const std::string& path) {
  std::vector<std::string> rotated;
  for (int i = 1;; ++i) {
    std::string candidate = path + "." + std::to_string(i);
    std::error_code ec;
    if (!std::filesystem::exists(candidate, ec)) break;
    rotated.push_back(std::move(candidate));
  }
  std::vector<std::string> out(rotated.rbegin(), rotated.rend());
  out.push_back(path);
  return out;
}

bool LogFormatter::add(const LogRecord& record, std::string& out) {
  if (exhausted_) return false;
  if (options_.since_ns && record.time_ns < *options_.since_ns) return true;
  std::string piece;
  if (options_.timestamps) {
    piece.append(record.timestamp);
    piece.push_back(' ');
  }
  piece.append(record.text);
  if (!record.partial) piece.push_back('\n');
  if (options_.limit_bytes && written_ + static_cast<int64_t>(piece.size()) >= *options_.limit_bytes) {
    piece.resize(static_cast<size_t>(*options_.limit_bytes - written_));
    exhausted_ = true;
  }
  written_ += static_cast<int64_t>(piece.size());
  out += piece;
  return !exhausted_;
}

LogReader::LogReader(std::string path, const LogOptions& options)
    : path_(std::move(path)), options_(options), formatter_(options) {}

LogReader::~LogReader() {
  if (fd_ >= 0) ::close(fd_);
}

void LogReader::format(std::string_view lines, std::string& out) {
  size_t at = 0;
  while (at < lines.size() && !formatter_.exhausted()) {
    const auto end = lines.find('\n', at);
    if (end == std::string_view::npos) break;
    if (auto record = parse_cri_line(lines.substr(at, end - at))) formatter_.add(*record, out);
    at = end + 1;
  }
}

std::string LogReader::read_existing() {
  // The current file is opened first, so a rotation from here on is seen by read_appended()
  // rather than lost between the two.
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) inode_ = st.st_ino;
  std::string text;
  const auto files = log_files(path_);
  for (size_t i = 0; i + 1 < files.size(); ++i) text += read_file(files[i]);
  text += drain_open_file();
  // An incomplete last record waits for its newline.
  const auto last_newline = text.rfind('\n');
  pending_ = last_newline == std::string::npos ? text : text.substr(last_newline + 1);
  text.resize(last_newline == std::string::npos ? 0 : last_newline + 1);

  std::string_view lines = text;
  if (options_.tail_lines) {
    // Back from the end, one line start at a time; upstream counts lines of the file.
    size_t start = lines.size();
    for (int64_t n = *options_.tail_lines; n > 0 && start > 0; --n) {
      const auto previous = start >= 2 ? lines.rfind('\n', start - 2) : std::string_view::npos;
      start = previous == std::string_view::npos ? 0 : previous + 1;
    }
    lines = lines.substr(start);
  }
  std::string out;
  format(lines, out);
  return out;
}

std::string LogReader::drain_open_file() {
  std::string out;
  if (fd_ < 0) return out;
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

std::string LogReader::read_appended() {
  std::string text = pending_;
  pending_.clear();
  text += drain_open_file();
  // Rotated (or created since): the open file is read to its end above; go on with the new one.
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && (fd_ < 0 || st.st_ino != inode_)) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    inode_ = st.st_ino;
    text += drain_open_file();
  }
  const auto last_newline = text.rfind('\n');
  if (last_newline == std::string::npos) {
    pending_ = std::move(text);
    return {};
  }
  pending_ = text.substr(last_newline + 1);
  text.resize(last_newline + 1);
  std::string out;
  format(text, out);
  return out;
}

}  // namespace ukube::kubelet
