#pragma once

#include <boost/json/fwd.hpp>

#include "ukube/machinery/time.h"

// Timestamps and ages (ukube/machinery/time.h) under the names the printers use.
namespace ukube::builtin {

using machinery::age_since;
using machinery::Clock;
using machinery::format_time;
using machinery::human_duration;
using machinery::parse_time;

// The AGE cell of an object: age of metadata.creationTimestamp.
std::string age_cell(const boost::json::object& object, Clock::time_point now);

}  // namespace ukube::builtin
