#pragma once

#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/labels.h"
#include "ukube/machinery/fields.h"

// Which objects a list or watch of the in-memory client selects: the namespace (all of
// them for ""), the label selector and the field selector of its ListOptions.
namespace ukube::testing::detail {

class ObjectFilter {
 public:
  // Throws ApiError 400 with the parser's message when a selector does not parse.
  ObjectFilter(std::string ns, const ListOptions& options);
  bool matches(const boost::json::object& object) const;

 private:
  std::string ns_;
  LabelSelector labels_;
  std::vector<machinery::FieldRequirement> fields_;
};

// The value a field selector compares for `path` ("spec.nodeName"): strings as they are,
// booleans and integers as text, "" when absent. The fake serves every such path, where
// the API server serves only the fields each type declares selectable.
std::string field_value(const boost::json::object& object, std::string_view path);

}  // namespace ukube::testing::detail
