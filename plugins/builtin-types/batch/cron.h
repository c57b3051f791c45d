#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ukube::builtin {

// Why a CronJob schedule is not valid standard cron ("*/5 * * * *", "@daily"), or nullopt.
std::optional<std::string> cron_schedule_error(std::string_view schedule);

}  // namespace ukube::builtin
