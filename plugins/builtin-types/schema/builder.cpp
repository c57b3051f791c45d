#include "schema/builder.h"

#include <boost/json.hpp>

#include "schema/meta.h"

namespace ukube::builtin::schema {
namespace json = boost::json;

namespace {
Schema typed(std::string_view type, std::string_view description) {
  Schema s{{"type", type}};
  if (!description.empty()) s["description"] = description;
  return s;
}
}  // namespace

Schema with_description(Schema s, std::string_view description) {
  if (!description.empty()) s["description"] = description;
  return s;
}

Schema with_default(Schema s, std::string_view value) {
  s["default"] = value;
  return s;
}

Schema atomic_struct(Schema s) {
  s["x-kubernetes-map-type"] = "atomic";
  return s;
}

Schema string(std::string_view d) {
  return typed("string", d);
}

Schema enum_string(std::initializer_list<std::string_view> values, std::string_view d) {
  Schema s = typed("string", d);
  json::array list;
  for (auto v : values) list.emplace_back(v);
  s["enum"] = std::move(list);
  return s;
}

Schema integer(std::string_view d) {
  Schema s = typed("integer", d);
  s["format"] = "int32";
  return s;
}

Schema int64(std::string_view d) {
  Schema s = typed("integer", d);
  s["format"] = "int64";
  return s;
}

Schema number(std::string_view d) {
  Schema s = typed("number", d);
  s["format"] = "double";
  return s;
}

Schema boolean(std::string_view d) {
  return typed("boolean", d);
}

Schema date_time(std::string_view d) {
  Schema s = typed("string", d);
  s["format"] = "date-time";
  return s;
}

Schema bytes(std::string_view d) {
  Schema s = typed("string", d);
  s["format"] = "byte";
  return s;
}

Schema int_or_string(std::string_view d) {
  Schema s{{"x-kubernetes-int-or-string", true},
           {"anyOf", json::array{json::object{{"type", "integer"}}, json::object{{"type", "string"}}}}};
  return with_description(std::move(s), d);
}

Schema quantity(std::string_view d) {
  Schema s{{"anyOf", json::array{json::object{{"type", "number"}}, json::object{{"type", "string"}}}},
           {"format", "quantity"}};
  return with_description(std::move(s), d);
}

Schema property_schema(const Prop& p) {
  Schema s = p.schema;
  if (p.tag.number > 0) s["x-ukube-proto-tag"] = p.tag.number;
  if (p.tag.embedded_in > 0) s["x-ukube-proto-embedded"] = p.tag.embedded_in;
  if (p.go == Go::pointer) s["x-ukube-proto-pointer"] = true;
  if (p.go == Go::always) s["x-ukube-proto-keep-zero"] = true;
  return s;
}

void add_properties(Schema& object_schema, Props properties) {
  auto& props = object_schema["properties"].as_object();
  for (const auto& p : properties) props[p.name] = property_schema(p);
}

Schema object(Props properties, std::string_view d) {
  Schema s = typed("object", d);
  s["properties"] = json::object();
  add_properties(s, properties);
  return s;
}

Schema open_object(Props properties, std::string_view d) {
  Schema s = object(properties, d);
  s["x-kubernetes-preserve-unknown-fields"] = true;
  return s;
}

Schema preserve(std::string_view d) {
  Schema s = typed("object", d);
  s["x-kubernetes-preserve-unknown-fields"] = true;
  return s;
}

Schema map_of(Schema value, std::string_view d) {
  Schema s = typed("object", d);
  s["additionalProperties"] = std::move(value);
  return s;
}

Schema string_map(std::string_view d) {
  return map_of(string(), d);
}

Schema quantity_map(std::string_view d) {
  return map_of(quantity(), d);
}

Schema atomic_list(Schema items, std::string_view d) {
  Schema s = typed("array", d);
  s["items"] = std::move(items);
  s["x-kubernetes-list-type"] = "atomic";
  return s;
}

Schema set_list(Schema items, std::string_view d, bool merge_patch) {
  Schema s = typed("array", d);
  s["items"] = std::move(items);
  s["x-kubernetes-list-type"] = "set";
  if (merge_patch) s["x-kubernetes-patch-strategy"] = "merge";
  return s;
}

Schema map_list(Schema items, std::vector<std::string> keys, std::string_view d, std::string_view strategy) {
  Schema s = typed("array", d);
  s["items"] = std::move(items);
  s["x-kubernetes-list-type"] = "map";
  json::array k;
  for (const auto& key : keys) k.emplace_back(key);
  s["x-kubernetes-list-map-keys"] = std::move(k);
  s["x-kubernetes-patch-merge-key"] = keys.front();
  s["x-kubernetes-patch-strategy"] = strategy;
  return s;
}

Schema atomic_merge_list(Schema items, std::string_view merge_key, std::string_view d) {
  Schema s = atomic_list(std::move(items), d);
  s["x-kubernetes-patch-merge-key"] = merge_key;
  s["x-kubernetes-patch-strategy"] = "merge";
  return s;
}

Schema retain_keys(Schema s) {
  s["x-kubernetes-patch-strategy"] = "retainKeys";
  return s;
}

Schema resource(std::string_view group, std::string_view version, std::string_view kind, std::string_view d,
                Props properties) {
  // apiVersion and kind travel in the protobuf envelope, not in the object's message.
  Schema s = object({{"apiVersion", string("Versioned schema of this object; the server fills it in.")},
                     {"kind", string("The REST resource this object represents.")},
                     {"metadata", object_meta(), 1}},
                    d);
  add_properties(s, properties);
  s["x-kubernetes-group-version-kind"] =
      json::array{json::object{{"group", group}, {"version", version}, {"kind", kind}}};
  return s;
}

std::shared_ptr<const Schema> share(Schema s) {
  return std::make_shared<const Schema>(std::move(s));
}

}  // namespace ukube::builtin::schema
