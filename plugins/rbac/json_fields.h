#pragma once

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

// The shared lenient JSON readers (ukube/machinery/json.h): a missing or mistyped field
// reads as empty, because the type's validation has already judged it.
namespace ukube::rbac {

namespace json = boost::json;

using machinery::array_at;
using machinery::meta_string;
using machinery::object_at;
using machinery::string_at;
using machinery::string_map_at;
using machinery::strings_at;

}  // namespace ukube::rbac
