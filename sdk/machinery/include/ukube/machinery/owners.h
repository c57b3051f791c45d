#pragma once

#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"
#include "ukube/types.h"

// metadata.ownerReferences as the garbage collector and the controllers read and write
// them: at most one reference with controller: true.
namespace ukube::machinery {

// The controlling owner reference, null when nothing controls the object.
UKUBE_MACHINERY_API const boost::json::object* controller_of(const boost::json::object& object);
// Whether the object's controller is the owner with `uid`.
UKUBE_MACHINERY_API bool is_controlled_by(const boost::json::object& object, std::string_view owner_uid);

// A controller reference to `owner` of kind `kind` (upstream's NewControllerRef):
// controller and blockOwnerDeletion true.
UKUBE_MACHINERY_API boost::json::object controller_ref(const boost::json::object& owner,
                                                       const GroupVersionKind& kind);

// Makes `owner` the object's controller unless another one already is (adoption).
// Returns whether the object changed.
UKUBE_MACHINERY_API bool adopt(boost::json::object& object, const boost::json::object& ref);
// Drops the owner's reference (release, orphaning). Returns whether the object changed.
UKUBE_MACHINERY_API bool release(boost::json::object& object, std::string_view owner_uid);

}  // namespace ukube::machinery
