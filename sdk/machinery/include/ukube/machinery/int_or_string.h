#pragma once

#include <cstdint>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// intstr.IntOrString values as upstream reads them (maxSurge, maxUnavailable,
// minAvailable): a number, or a percentage of some total.
namespace ukube::machinery {

// upstream's GetScaledValueFromIntOrPercent: a number as given, "N%" of `total` rounded up
// or down; 0 for a null value. Throws std::invalid_argument, with upstream's message, for
// anything else.
UKUBE_MACHINERY_API int64_t scaled_value(const boost::json::value* value, int64_t total, bool round_up);

// Whether the value is a percentage ("N%") rather than a number.
UKUBE_MACHINERY_API bool is_percent(const boost::json::value* value);

}  // namespace ukube::machinery
