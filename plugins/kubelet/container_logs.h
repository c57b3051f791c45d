#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/runtime/cri_log.h"

// `kubectl logs` on the kubelet's side: reading a container's CRI-format log files (the
// rotated ones first) and writing what the options ask for, as upstream's kubelet does.
// Plain data and files only, so it is tested without a server.
namespace ukube::kubelet {

// PodLogOptions as the kubelet's /containerLogs endpoint takes them.
struct LogOptions {
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<int64_t> tail_lines;
  std::optional<int64_t> limit_bytes;
  std::optional<int64_t> since_ns;  // absolute, nanoseconds since the Unix epoch
};

// From the query parameters (name, value) of a request; `now_ns` turns sinceSeconds into
// a time. Throws std::invalid_argument with upstream's wording for a bad value.
LogOptions parse_log_options(const std::vector<std::pair<std::string, std::string>>& query, int64_t now_ns);

// "2016-10-06T00:17:09.669794202Z" (any number of fractional digits, or an offset) →
// nanoseconds since the epoch; nullopt when it is not RFC 3339.
std::optional<int64_t> parse_rfc3339(std::string_view text);

struct LogRecord {
  int64_t time_ns = 0;
  std::string_view timestamp;  // as written
  runtime::LogStream stream = runtime::LogStream::Stdout;
  bool partial = false;
  std::string_view text;
};

// One line of a CRI log, without its newline; nullopt when malformed.
std::optional<LogRecord> parse_cri_line(std::string_view line);

// A container's log files, oldest first: the rotated <path>.N ... <path>.1, then <path>.
std::vector<std::string> log_files(const std::string& path);

// Turns records into what the client sees: the text (a partial record's without a
// newline), after the record's timestamp when asked, until limit_bytes.
class LogFormatter {
 public:
  explicit LogFormatter(const LogOptions& options) : options_(options) {}
  // Appends `record`'s output to `out` unless it is older than since; false once the
  // byte limit is reached, after which nothing more is written.
  bool add(const LogRecord& record, std::string& out);
  bool exhausted() const { return exhausted_; }

 private:
  LogOptions options_;
  int64_t written_ = 0;
  bool exhausted_ = false;
};

// Reads a container's log: first what is there (tail_lines counted over every file),
// then, while following, what is appended, across rotations. Keeps the current file open,
// so the lines written before a rotation are read from the renamed file to its end.
class LogReader {
 public:
  LogReader(std::string path, const LogOptions& options);
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // The output for the records present now.
  std::string read_existing();
  // The output for complete records appended since the last call (empty when none).
  std::string read_appended();
  bool exhausted() const { return formatter_.exhausted(); }

 private:
  void format(std::string_view lines, std::string& out);
  std::string drain_open_file();

  std::string path_;
  LogOptions options_;
  LogFormatter formatter_;
  int fd_ = -1;
  ino_t inode_ = 0;
  std::string pending_;  // a record whose newline is not written yet
};

}  // namespace ukube::kubelet
