#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

// Timestamps as Kubernetes writes them (RFC 3339, optionally with fractional seconds)
// and durations as kubectl prints them.
namespace ukube::builtin {

using Clock = std::chrono::system_clock;

std::optional<Clock::time_point> parse_time(std::string_view rfc3339);
std::string format_time(Clock::time_point t);  // 2024-05-01T10:00:00Z

// Upstream's HumanDuration: "45s", "5m12s", "3h12m", "2d", "3y45d"; "<invalid>" for
// negative durations beyond two seconds of clock skew.
std::string human_duration(std::chrono::seconds d);

// The age of a timestamp as a table cell: "<unknown>" when missing or unparseable.
std::string age_since(std::string_view rfc3339, Clock::time_point now);
// The AGE cell of an object: age of metadata.creationTimestamp.
std::string age_cell(const boost::json::object& object, Clock::time_point now);

}  // namespace ukube::builtin
