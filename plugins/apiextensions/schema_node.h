#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "ukube/cel/regex.h"
#include "ukube/cel/value.h"

// A CustomResourceDefinition's openAPIV3Schema, read once when the definition is served,
// so that every request walks typed nodes instead of re-reading the JSON schema.
namespace ukube::apiextensions {

struct CelRules;

struct SchemaNode {
  std::string type;  // object, array, string, integer, number, boolean; "" for any
  std::string format;
  std::string description;
  bool nullable = false;
  bool int_or_string = false;
  bool preserve_unknown = false;
  bool embedded_resource = false;
  std::optional<boost::json::value> default_value;
  std::vector<boost::json::value> enum_values;
  std::optional<double> minimum, maximum, multiple_of;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::optional<int64_t> min_length, max_length, min_items, max_items, min_properties, max_properties;
  std::string pattern_text;
  std::shared_ptr<const cel::Regex> pattern;
  bool unique_items = false;
  std::vector<std::string> required;
  std::map<std::string, SchemaNode, std::less<>> properties;
  std::shared_ptr<const SchemaNode> items, additional_properties;
  std::vector<SchemaNode> all_of, any_of, one_of;
  std::shared_ptr<const SchemaNode> not_;
  std::string list_type;  // atomic, set, map (x-kubernetes-list-type)
  std::vector<std::string> list_map_keys;

  // x-kubernetes-validations as written, and compiled by attach_cel_rules (cel_rules.h).
  boost::json::array validations;
  std::shared_ptr<const CelRules> cel_rules;
  bool cel_rules_below = false;  // this node or one under it has rules
  std::string cel_name;          // the property's name in rules ("" when rules cannot name it)
  cel::Value cel_key;            // cel_name as a value, built once: the key of the member in `self`
  std::string cel_type_name;     // an object's type name in messages: Object.spec.template
};

// Reads a schema. A pattern that is not a valid regular expression throws
// std::invalid_argument naming it (CRD validation reports it before this runs).
SchemaNode compile_schema(const boost::json::object& schema);

}  // namespace ukube::apiextensions
