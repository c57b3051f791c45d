#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "ukube/machinery/export.h"

// Timestamps as Kubernetes writes them (RFC 3339, optionally with fractional seconds and
// an offset) and durations as kubectl prints them.
namespace ukube::machinery {

using Clock = std::chrono::system_clock;

UKUBE_MACHINERY_API std::optional<Clock::time_point> parse_time(std::string_view rfc3339);
// metav1.Time: whole seconds in UTC, "2024-05-01T10:00:00Z".
UKUBE_MACHINERY_API std::string format_time(Clock::time_point t);
// metav1.MicroTime: "2024-05-01T10:00:00.123456Z".
UKUBE_MACHINERY_API std::string format_micro_time(Clock::time_point t);
inline std::string now_rfc3339() {
  return format_time(Clock::now());
}

// Upstream's HumanDuration: "45s", "5m12s", "3h12m", "2d", "3y45d"; "<invalid>" for
// negative durations beyond two seconds of clock skew.
UKUBE_MACHINERY_API std::string human_duration(std::chrono::seconds d);
// The age of a timestamp as a table cell: "<unknown>" when missing or unparseable.
UKUBE_MACHINERY_API std::string age_since(std::string_view rfc3339, Clock::time_point now);

}  // namespace ukube::machinery
