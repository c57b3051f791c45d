#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/machinery/json.h"
#include "ukube/types.h"

// Generic ObjectMeta rules every type shares: names, labels, timestamps, uids.
namespace ukube::pipeline {

std::string generate_name(std::string_view prefix);  // prefix + 5 random characters, as upstream

// The metadata object, created when missing (or not an object).
boost::json::object& metadata(boost::json::object& object);
const boost::json::object* metadata(const boost::json::object& object);
using machinery::meta_string;

// Name, namespace, labels and annotations of any object.
void validate_object_meta(const boost::json::object& object, const TypeInfo& type,
                          std::vector<FieldError>& errors);

}  // namespace ukube::pipeline
