#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Go's time.ParseDuration ("1h30m", "1.5h", "300ms", "-2m"), which upstream's cron library
// uses for `@every <duration>`; errors in Go's words ("time: unknown unit \"x\" in
// duration \"1x\"").
namespace ukube::controllers::cronjob {

// The duration in nanoseconds; null with `error` set when `text` is not one.
std::optional<int64_t> parse_go_duration(std::string_view text, std::string& error);

}  // namespace ukube::controllers::cronjob
