#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"

// The shared JSON accessors, under the names this plugin's code uses.
namespace ukube::builtin {

namespace json = boost::json;
using Path = machinery::JsonPath;

using machinery::array_at;
using machinery::as_int;
using machinery::as_string;
using machinery::bool_at;
using machinery::child;
using machinery::for_each_object;
using machinery::int_at;
using machinery::int_or;
using machinery::is_set;
using machinery::mutable_array;
using machinery::object_at;
using machinery::set_default;
using machinery::string_at;
using machinery::value_at;

}  // namespace ukube::builtin
