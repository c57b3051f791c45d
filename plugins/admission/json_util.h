#pragma once

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

// The shared JSON accessors (ukube/machinery/json.h) under the names admission uses.
// Missing fields and fields of another JSON type read as absent: validation, not
// admission, reports those.
namespace ukube::admission {

namespace json = boost::json;

using machinery::array_at;
using machinery::child;
using machinery::child_array;
using machinery::has_deletion_timestamp;
using machinery::meta_string;
using machinery::name_of;
using machinery::namespace_of;
using machinery::object_at;
using machinery::string_at;
using machinery::uid_of;
using machinery::value_at;

}  // namespace ukube::admission
