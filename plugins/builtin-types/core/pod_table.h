#pragma once

#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/time.h"

namespace ukube::builtin {

// The `kubectl get pods` row: NAME READY STATUS RESTARTS AGE IP NODE NOMINATED-NODE
// READINESS-GATES, with upstream's rules for the STATUS cell (init progress, waiting and
// terminated reasons, Terminating, NodeLost → Unknown, SchedulingGated).
boost::json::array pod_row(const boost::json::object& pod, Clock::time_point now);

}  // namespace ukube::builtin
