#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "kernel/pipeline/schema_view.h"
#include "ukube/client.h"

// fieldValidation (WriteOptions.field_validation): fields a type's schema does not
// declare, and member names a request repeats. Unknown fields never reach the store when
// the schema is authoritative for their path (upstream drops them while decoding typed
// objects); the mode only decides whether the caller hears about it.
namespace ukube::pipeline {

// Removes every member that `schema` does not declare (closed objects only: a node with
// x-kubernetes-preserve-unknown-fields, additionalProperties or no schema keeps all) and
// returns their paths, e.g. "spec.template.spec.containers[0].bad", in document order.
// apiVersion, kind and metadata are always known at the root.
std::vector<std::string> prune_unknown_fields(boost::json::object& object, SchemaView schema);

// A value of the wrong JSON type for its schema, as upstream's decoder into Go structs
// refuses it: `json: cannot unmarshal string into Go struct field Pod.spec.priority of
// type int32`. `field` is the Go field path (JSON names, no indices or map keys).
struct TypeMismatch {
  std::string value;    // "string", "number", "number 1.5", "bool", "array", "object"
  std::string field;    // "spec.containers.ports.containerPort"
  std::string go_type;  // "int32", "map[string]string", "[]string", ...
  std::string go_kind;  // the value's Go kind once unstructured: "string", "float64", "slice", "map"
  std::string message(const std::string& struct_name) const;
  // As upstream's unstructured converter words it (strategic merge patches) for maps,
  // lists and structs: "cannot restore map from string"; message() for other types.
  std::string converter_message(const std::string& struct_name) const;
};
// The same walk as prune_unknown_fields (one pass over the object), also reporting the
// first value whose JSON type its schema does not allow. Null and schema-less values
// always pass; whole-number doubles count as integers (YAML input).
std::vector<std::string> prune_unknown_fields(boost::json::object& object, SchemaView schema,
                                              std::optional<TypeMismatch>& mismatch);

// Member names that repeat within one JSON object of `text`, as paths ("spec.replicas").
// Text that is not valid JSON has none (the caller's parser reports it).
std::vector<std::string> duplicate_fields(std::string_view text);

// One problem per field, worded as upstream's strict decoder words them.
struct FieldProblems {
  std::vector<std::string> messages;  // `unknown field "spec.bad"`, `duplicate field "a"`
  void add_unknown(const std::vector<std::string>& paths);
  void add_duplicates(const std::vector<std::string>& paths);
  bool empty() const { return messages.empty(); }
};

// Strict: throws 400 `<prefix>strict decoding error: unknown field "a", unknown field "b"`;
// Warn: appends each problem to options.warnings; Ignore: nothing.
void report_field_problems(const FieldProblems& problems, const WriteOptions& options,
                           const std::string& prefix);

}  // namespace ukube::pipeline
