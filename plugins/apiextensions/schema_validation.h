#pragma once

#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "schema_node.h"
#include "ukube/types.h"

// Validation of a custom resource against its structural schema, as upstream's OpenAPI
// validator does it, with its errors turned into field errors the way
// apiextensions-apiserver turns them: `spec.replicas: Invalid value: "string":
// spec.replicas in body must be of type integer: "string"`.
namespace ukube::apiextensions {

// A whole custom resource: its schema's root, less apiVersion, kind and metadata (the
// API server checks those), but with the name rules the schema may set on metadata.name;
// and the list-type rules (x-kubernetes-list-type set and map: no duplicate items or keys).
// On an update, `old` is the stored object: values the update leaves as they were are not
// checked again (upstream's validation ratcheting; list items are matched only in list-type
// map lists, by their keys).
void validate_custom_resource(const boost::json::object& object, const SchemaNode& root,
                              std::vector<FieldError>& out, const boost::json::object* old = nullptr);

// The item of `old` (a list) that `item` of the same list updates: in list-type map lists,
// the one with the same keys; elsewhere none, as upstream correlates them.
const boost::json::value* correlated_item(const SchemaNode& list, const boost::json::value& item,
                                          const boost::json::value* old);

// Whether a string satisfies a format upstream checks in custom resources (date-time, uuid,
// ipv4, ...). Formats it does not check (int32, int64, float, double, unknown) always pass.
bool format_matches(std::string_view format, std::string_view value);

}  // namespace ukube::apiextensions
