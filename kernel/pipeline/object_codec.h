#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "ukube/store.h"

// Objects are encoded once, with their resourceVersion spliced in by the store when the
// revision is known (DESIGN.md §10). Layout: apiVersion, kind, then metadata whose first
// field is resourceVersion — which is what lets restamp() patch bytes without parsing.
namespace ukube::pipeline {

struct ObjectTemplate {
  std::string head;  // everything before the resourceVersion digits
  std::string tail;  // everything after them
  store::Bytes stamp(int64_t revision) const;
};

ObjectTemplate make_template(const boost::json::object& object);

// The same object bytes carrying another revision (e.g. a DELETED event's object).
store::Bytes restamp(const store::Bytes& encoded, int64_t revision);

// Throws ApiError 500 if stored bytes are not a JSON object (they always should be).
boost::json::object parse_object(std::string_view encoded);

}  // namespace ukube::pipeline
