#include "custom_resource_type.h"

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>

#include "cel_rules.h"
#include "conversion.h"
#include "cr_table.h"
#include "json_path.h"
#include "schema_defaults.h"
#include "schema_node.h"
#include "schema_validation.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using machinery::object_at;
using machinery::string_at;
using machinery::strings_at;

json::object string_schema(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

// The schema as served (OpenAPI, pruning, apply): objects that list no properties are
// closed (upstream prunes everything in them unless they preserve unknown fields),
// embedded resources gain apiVersion, kind and metadata, and int-or-string spells out
// its two types.
void close_objects(json::object& s, const ServeOptions& options) {
  const bool preserve = s.contains("x-kubernetes-preserve-unknown-fields") &&
                        s.at("x-kubernetes-preserve-unknown-fields") == json::value(true);
  const bool embedded = s.contains("x-kubernetes-embedded-resource") &&
                        s.at("x-kubernetes-embedded-resource") == json::value(true);
  if (embedded) {
    json::object& props = machinery::child(s, "properties");
    props.emplace("apiVersion", string_schema("APIVersion of the embedded resource."));
    props.emplace("kind", string_schema("Kind of the embedded resource."));
    if (options.object_meta_schema) props.emplace("metadata", *options.object_meta_schema);
  }
  // As upstream publishes int-or-string (kubectl explain shows <IntOrString>).
  if (s.contains("x-kubernetes-int-or-string") && s.at("x-kubernetes-int-or-string") == json::value(true) &&
      !s.contains("anyOf"))
    s["anyOf"] = json::array{json::object{{"type", "integer"}}, json::object{{"type", "string"}}};
  if (machinery::string_at(s, {"type"}) == "object" && !preserve && !s.contains("properties") &&
      !s.contains("additionalProperties"))
    s["properties"] = json::object{};
  if (auto* props = s.if_contains("properties"); props && props->is_object())
    for (auto& [key, value] : props->get_object())
      if (value.is_object()) close_objects(value.get_object(), options);
  for (const char* key : {"items", "additionalProperties"})
    if (auto* child = s.if_contains(key); child && child->is_object())
      close_objects(child->get_object(), options);
  for (const char* key : {"allOf", "anyOf", "oneOf"})
    if (auto* list = s.if_contains(key); list && list->is_array())
      for (auto& item : list->get_array())
        if (item.is_object()) close_objects(item.get_object(), options);
}

json::object served_schema(const json::object& open_api, const std::string& group, const std::string& version,
                           const std::string& kind, const ServeOptions& options) {
  json::object s = open_api;
  close_objects(s, options);
  json::object& props = machinery::child(s, "properties");
  props["apiVersion"] = string_schema(
      "APIVersion defines the versioned schema of this representation of an object. Servers should convert "
      "recognized schemas to the latest internal value, and may reject unrecognized values.");
  props["kind"] = string_schema(
      "Kind is a string value representing the REST resource this object represents. Servers may infer this "
      "from the endpoint the client submits requests to. Cannot be updated. In CamelCase.");
  if (options.object_meta_schema) props["metadata"] = *options.object_meta_schema;
  s["type"] = "object";
  s["x-kubernetes-group-version-kind"] =
      json::array{json::object{{"group", group}, {"kind", kind}, {"version", version}}};
  return s;
}

const json::object* version_schema(const json::object& version) {
  return object_at(version, {"schema", "openAPIV3Schema"});
}

ScaleSpec scale_spec(const json::object& scale) {
  auto trim = [](std::string p) { return p.starts_with('.') ? p.substr(1) : p; };
  return {trim(string_at(scale, {"specReplicasPath"})), trim(string_at(scale, {"statusReplicasPath"})),
          trim(string_at(scale, {"labelSelectorPath"}))};
}

std::vector<SelectableField> selectable_fields(const json::object& version) {
  std::vector<SelectableField> out;
  if (const auto* list = machinery::array_at(version, {"selectableFields"}))
    for (const auto& item : *list) {
      if (!item.is_object()) continue;
      std::string path = string_at(item.get_object(), {"jsonPath"});
      JsonPath compiled = JsonPath::parse(path);
      std::string name = path.starts_with('.') ? path.substr(1) : path;
      out.push_back({name, [compiled](const json::object& o) -> std::string {
                       auto found = compiled.find(o);
                       if (found.empty()) return {};
                       const json::value& v = *found.front();
                       if (v.is_string()) return std::string(v.get_string());
                       if (v.is_null()) return {};
                       return json::serialize(v);
                     }});
    }
  return out;
}

}  // namespace

std::vector<TypeInfo> custom_resource_types(const json::object& crd, const ServeOptions& options) {
  const json::object& spec = machinery::object_or_empty(object_at(crd, {"spec"}));
  const json::object* accepted = object_at(crd, {"status", "acceptedNames"});
  const json::object& names = accepted && !string_at(*accepted, {"plural"}).empty()
                                  ? *accepted
                                  : machinery::object_or_empty(object_at(spec, {"names"}));
  const std::string group = string_at(spec, {"group"});
  std::string storage;
  std::vector<TypeInfo> out;
  const json::array* versions = machinery::array_at(spec, {"versions"});
  if (!versions) return out;
  for (const auto& v : *versions)
    if (v.is_object() && machinery::bool_at(v.get_object(), {"storage"}).value_or(false))
      storage = string_at(v.get_object(), {"name"});
  const bool terminating = options.terminating;
  const ConversionFunc conversion = conversion_for(crd, options.transport);
  for (const auto& item : *versions) {
    if (!item.is_object()) continue;
    const json::object& version = item.get_object();
    if (!machinery::bool_at(version, {"served"}).value_or(false)) continue;
    TypeInfo t;
    t.group = group;
    t.version = string_at(version, {"name"});
    t.kind = string_at(names, {"kind"});
    t.plural = string_at(names, {"plural"});
    t.singular = string_at(names, {"singular"});
    t.list_kind = string_at(names, {"listKind"});
    if (t.list_kind.empty()) t.list_kind = t.kind + "List";
    t.namespaced = string_at(spec, {"scope"}) != "Cluster";
    t.short_names = strings_at(names, {"shortNames"});
    t.categories = strings_at(names, {"categories"});
    t.strategic_merge_patch = false;
    t.status_subresource = object_at(version, {"subresources", "status"}) != nullptr;
    // Status is written through /status only, from the first write on.
    if (t.status_subresource) t.prepare_create.push_back([](json::object& o) { o.erase("status"); });
    t.generation = t.status_subresource ? TypeInfo::Generation::Spec : TypeInfo::Generation::AllButMetadata;
    if (const auto* scale = object_at(version, {"subresources", "scale"})) t.scale = scale_spec(*scale);
    set_printer_columns(t, version);
    t.selectable_fields = selectable_fields(version);
    if (versions->size() > 1) {
      // Objects may be stored under any version the definition has had: every read
      // converts, whichever version it went through.
      t.storage_version = storage;
      t.convert = conversion;
    }
    if (const json::object* open_api = version_schema(version)) {
      t.schema =
          std::make_shared<const json::object>(served_schema(*open_api, group, t.version, t.kind, options));
      auto schema = std::make_shared<SchemaNode>(compile_schema(*open_api));
      attach_cel_rules(*schema);
      std::shared_ptr<const SchemaNode> compiled = std::move(schema);
      t.defaulters.push_back([compiled](json::object& o) { apply_defaults(o, *compiled); });
      t.validators.push_back(
          [compiled](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
            validate_custom_resource(o, *compiled, out, old);
            check_cel_rules(o, *compiled, out, old);
          });
    }
    if (terminating) {
      t.verbs = {"delete", "deletecollection", "get", "list", "watch"};
      // Checked before anything else is: upstream refuses the create outright.
      t.validators.insert(t.validators.begin(),
                          [](const json::object&, const json::object* old, std::vector<FieldError>&) {
                            if (!old)
                              throw ApiError::method_not_allowed(
                                  "create not allowed while custom resource definition is terminating");
                          });
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace ukube::apiextensions
