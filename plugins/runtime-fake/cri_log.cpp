#include "cri_log.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace ukube::runtime::fake {

std::string rfc3339_nano(int64_t unix_ns) {
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

void append_stdout_lines(const std::filesystem::path& path, const std::vector<std::string>& lines,
                         int64_t unix_ns) {
  std::error_code ignored;  // a failure to make the folder shows as the open failing
  std::filesystem::create_directories(path.parent_path(), ignored);
  std::ofstream out(path, std::ios::app | std::ios::binary);
  if (!out) throw std::runtime_error("cannot open container log " + path.string());
  const std::string prefix = rfc3339_nano(unix_ns) + " stdout F ";
  for (const auto& line : lines) out << prefix << line << '\n';
  out.flush();
  if (!out) throw std::runtime_error("cannot write container log " + path.string());
}

}  // namespace ukube::runtime::fake
