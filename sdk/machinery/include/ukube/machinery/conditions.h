#pragma once

#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// status.conditions as upstream's components keep them: one entry per type, and a
// lastTransitionTime that moves only when the status does (meta.SetStatusCondition).
namespace ukube::machinery {

// The condition of `type` in status.conditions, null when there is none.
UKUBE_MACHINERY_API const boost::json::object* find_condition(const boost::json::object& object,
                                                              std::string_view type);
UKUBE_MACHINERY_API bool is_condition_true(const boost::json::object& object, std::string_view type);

// Puts `condition` into `conditions` in place of the one of its type (or at the end).
// lastTransitionTime is the old one when the status is unchanged, else `now`, unless the
// condition brings its own. Returns whether the list changed at all.
UKUBE_MACHINERY_API bool set_condition(boost::json::array& conditions, boost::json::object condition,
                                       std::string_view now);
// The same on a copy of the object's status.conditions, for a status patch.
UKUBE_MACHINERY_API boost::json::array with_condition(const boost::json::object& object,
                                                      boost::json::object condition, std::string_view now);

}  // namespace ukube::machinery
