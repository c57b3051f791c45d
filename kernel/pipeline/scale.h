#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/types.h"

// The autoscaling/v1 Scale subresource of any type that declares a ScaleSpec: a view of
// the parent's replica counts and label selector, and the one field (spec.replicas) a
// Scale write changes in the parent.
namespace ukube::pipeline {

// "spec.replicas" / ".spec.replicas" → the value there, or null.
const boost::json::value* value_at(const boost::json::object& object, std::string_view dotted_path);
// Sets the value at a dotted path, creating objects on the way.
void set_value_at(boost::json::object& object, std::string_view dotted_path, boost::json::value value);

// The Scale of `parent` (whose metadata carries its resourceVersion).
boost::json::object scale_of(const boost::json::object& parent, const ScaleSpec& spec);

// spec.replicas of a Scale a client sent: nullopt when absent; throws ApiError 422 (as
// upstream's Scale validation) when negative or not an integer.
std::optional<int64_t> scale_replicas(const boost::json::object& scale);

}  // namespace ukube::pipeline
