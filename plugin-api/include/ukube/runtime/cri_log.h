#pragma once

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

// The CRI's container log format, which every runtime writes and the kubelet reads for
// `kubectl logs`: one record per line, "<timestamp> <stream> <tag> <text>", the tag F for
// a full line and P for a piece of one continued by the next record. Header-only, so the
// stand-alone container monitors that write logs need no ukube library.
namespace ukube::runtime {

enum class LogStream { Stdout, Stderr };

// "2016-10-06T00:17:09.669794202Z" for nanoseconds since the Unix epoch: UTC, always nine
// fractional digits (containerd's RFC3339NanoFixed), so records sort as text.
inline std::string cri_timestamp(int64_t unix_ns) {
  constexpr int64_t kNsPerSecond = 1'000'000'000;
  int64_t seconds = unix_ns / kNsPerSecond;
  int64_t nanos = unix_ns % kNsPerSecond;
  if (nanos < 0) {  // before 1970: floor, so the fraction stays positive
    nanos += kNsPerSecond;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[64];  // room for any int a struct tm may hold, as -Wformat-truncation asks
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(nanos));
  return text;
}

// One record, newline included.
inline std::string cri_log_line(int64_t unix_ns, LogStream stream, bool partial, std::string_view text) {
  std::string line = cri_timestamp(unix_ns);
  line += stream == LogStream::Stdout ? " stdout " : " stderr ";
  line += partial ? "P " : "F ";
  line += text;
  line += '\n';
  return line;
}

}  // namespace ukube::runtime
