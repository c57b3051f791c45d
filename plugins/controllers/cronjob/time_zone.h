#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// IANA time zones read from the system's tz database (TZif files, RFC 8536, under
// /usr/share/zoneinfo): libstdc++ 12 has no std::chrono::tzdb, and the CronJob controller
// needs Go's time.LoadLocation semantics for spec.timeZone. Times past a file's last
// transition follow the POSIX TZ rule in its footer ("EST5EDT,M3.2.0,M11.1.0"), so slim
// files and dates beyond 2037 work too.
//
// This is a helper other components could share (sdk/machinery would be its home); it
// lives in the plugin's folder so as not to change the SDK's headers.
namespace ukube::controllers::cronjob {

class TimeZone {
 public:
  // UTC, as an empty name or "UTC" loads.
  TimeZone();

  // Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the daemon's own zone (the TZ
  // environment variable, else /etc/localtime, else UTC); anything else names a file under
  // `root`. Null with `error` set to Go's words ("unknown time zone Mars/Base") otherwise.
  static std::optional<TimeZone> load(std::string_view name, std::string* error,
                                      const std::filesystem::path& root = "/usr/share/zoneinfo");
  // From the bytes of a TZif file; null when they are not one.
  static std::optional<TimeZone> from_tzif(std::string name, std::string_view bytes);
  // From a POSIX TZ rule alone ("CET-1CEST,M3.5.0,M10.5.0/3"); null when malformed.
  static std::optional<TimeZone> from_posix(std::string name, std::string_view rule);

  const std::string& name() const;
  // Seconds east of UTC at the instant `utc` (seconds since the epoch).
  int32_t offset_at(int64_t utc) const;
  // The instant of a wall-clock time in this zone, `local` being its seconds since the
  // epoch read as if UTC. A time in a gap or overlap resolves as Go's time.Date does: the
  // offset in effect just before the wall-clock time is tried first.
  int64_t to_utc(int64_t local) const;

  struct Data;

 private:
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

}  // namespace ukube::controllers::cronjob
