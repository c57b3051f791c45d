#include "schema_node.h"

#include <boost/json.hpp>
#include <stdexcept>

#include "ukube/machinery/json.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;

std::optional<double> number_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? machinery::as_number(*v) : std::nullopt;
}

std::optional<int64_t> count_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? machinery::as_int(*v) : std::nullopt;
}

bool flag(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

std::vector<SchemaNode> compile_all(const json::object& o, std::string_view key) {
  std::vector<SchemaNode> out;
  if (const auto* list = o.if_contains(key); list && list->is_array())
    for (const auto& item : list->get_array())
      if (item.is_object()) out.push_back(compile_schema(item.get_object()));
  return out;
}

std::shared_ptr<const SchemaNode> compile_child(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_object()) return nullptr;
  return std::make_shared<const SchemaNode>(compile_schema(v->get_object()));
}

}  // namespace

SchemaNode compile_schema(const json::object& s) {
  SchemaNode n;
  n.type = machinery::as_string(s.contains("type") ? s.at("type") : json::value());
  n.format = machinery::as_string(s.contains("format") ? s.at("format") : json::value());
  n.description = machinery::as_string(s.contains("description") ? s.at("description") : json::value());
  n.nullable = flag(s, "nullable");
  n.int_or_string = flag(s, "x-kubernetes-int-or-string");
  n.preserve_unknown = flag(s, "x-kubernetes-preserve-unknown-fields");
  n.embedded_resource = flag(s, "x-kubernetes-embedded-resource");
  if (const auto* d = s.if_contains("default")) n.default_value = *d;
  if (const auto* e = s.if_contains("enum"); e && e->is_array())
    n.enum_values.assign(e->get_array().begin(), e->get_array().end());
  n.minimum = number_of(s, "minimum");
  n.maximum = number_of(s, "maximum");
  n.multiple_of = number_of(s, "multipleOf");
  n.exclusive_minimum = flag(s, "exclusiveMinimum");
  n.exclusive_maximum = flag(s, "exclusiveMaximum");
  n.min_length = count_of(s, "minLength");
  n.max_length = count_of(s, "maxLength");
  n.min_items = count_of(s, "minItems");
  n.max_items = count_of(s, "maxItems");
  n.min_properties = count_of(s, "minProperties");
  n.max_properties = count_of(s, "maxProperties");
  if (const auto* p = s.if_contains("pattern"); p && p->is_string()) {
    n.pattern_text = std::string(p->get_string());
    n.pattern = std::make_shared<const cel::Regex>(n.pattern_text);
    if (!n.pattern->error().empty())
      throw std::invalid_argument("pattern \"" + n.pattern_text +
                                  "\" is not a regular expression: " + n.pattern->error());
  }
  n.unique_items = flag(s, "uniqueItems");
  n.required = machinery::strings_at(s, {"required"});
  if (const auto* props = machinery::object_at(s, {"properties"}))
    for (const auto& [key, value] : *props)
      if (value.is_object()) n.properties.emplace(std::string(key), compile_schema(value.get_object()));
  n.items = compile_child(s, "items");
  n.additional_properties = compile_child(s, "additionalProperties");
  n.all_of = compile_all(s, "allOf");
  n.any_of = compile_all(s, "anyOf");
  n.one_of = compile_all(s, "oneOf");
  n.not_ = compile_child(s, "not");
  n.list_type = machinery::string_at(s, {"x-kubernetes-list-type"});
  n.list_map_keys = machinery::strings_at(s, {"x-kubernetes-list-map-keys"});
  if (const auto* rules = machinery::array_at(s, {"x-kubernetes-validations"})) n.validations = *rules;
  return n;
}

}  // namespace ukube::apiextensions
