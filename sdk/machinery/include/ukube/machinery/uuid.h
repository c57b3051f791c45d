#pragma once

#include <string>

#include "ukube/machinery/export.h"

namespace ukube::machinery {

// A random RFC 4122 version 4 UUID, as metadata.uid and audit IDs carry.
UKUBE_MACHINERY_API std::string new_uuid();

}  // namespace ukube::machinery
