#include "crd_type.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"

namespace ukube::apiextensions {
namespace json = boost::json;
using machinery::string_at;

std::string storage_version(const json::object& crd) {
  if (const auto* versions = machinery::array_at(crd, {"spec", "versions"}))
    for (const auto& v : *versions)
      if (v.is_object() && machinery::bool_at(v.get_object(), {"storage"}).value_or(false))
        return string_at(v.get_object(), {"name"});
  return {};
}

void default_crd(json::object& crd) {
  json::object& spec = machinery::child(crd, "spec");
  json::object& names = machinery::child(spec, "names");
  const std::string kind = string_at(names, {"kind"});
  if (string_at(names, {"singular"}).empty() && !kind.empty())
    names["singular"] = machinery::ascii_lower(kind);
  if (string_at(names, {"listKind"}).empty() && !kind.empty()) names["listKind"] = kind + "List";
  json::object& conversion = machinery::child(spec, "conversion");
  machinery::set_default(conversion, "strategy", "None");
  if (auto* service = machinery::object_at(conversion, {"webhook", "clientConfig", "service"}))
    if (!machinery::is_set(*service, "port"))
      machinery::child(machinery::child(machinery::child(conversion, "webhook"), "clientConfig"),
                       "service")["port"] = 443;
  if (auto* versions = machinery::mutable_array(spec, "versions"))
    for (auto& v : *versions)
      if (auto* version = v.if_object()) {
        if (auto* columns = machinery::mutable_array(*version, "additionalPrinterColumns"))
          for (auto& c : *columns)
            if (auto* column = c.if_object()) machinery::set_default(*column, "priority", 0);
      }
  // Upstream's status always carries acceptedNames (empty until the names are accepted);
  // client models require its plural and kind.
  json::object& names_status = machinery::child(machinery::child(crd, "status"), "acceptedNames");
  machinery::set_default(names_status, "plural", "");
  machinery::set_default(names_status, "kind", "");
  // Every version ever stored stays listed until someone migrates and removes it.
  const std::string stored = storage_version(crd);
  if (!stored.empty()) {
    json::array& versions = machinery::child_array(machinery::child(crd, "status"), "storedVersions");
    if (std::find(versions.begin(), versions.end(), json::value(stored)) == versions.end())
      versions.emplace_back(stored);
  }
}

TypeInfo crd_type(std::shared_ptr<const json::object> object_meta_schema) {
  TypeInfo t;
  t.group = kGroup;
  t.version = "v1";
  t.kind = "CustomResourceDefinition";
  t.plural = "customresourcedefinitions";
  t.singular = "customresourcedefinition";
  t.list_kind = "CustomResourceDefinitionList";
  t.namespaced = false;
  t.short_names = {"crd", "crds"};
  t.categories = {"api-extensions"};
  t.status_subresource = true;
  t.printer_columns = {
      {"Name", "string", "name",
       "Name must be unique within a namespace. Is required when creating resources, although "
       "some resources may allow a client to request the generation of an appropriate name "
       "automatically.",
       0, ".metadata.name"},
      {"Created At", "date", "",
       "CreationTimestamp is a timestamp representing the server time when this object was "
       "created.",
       0, ".metadata.creationTimestamp"}};
  // Upstream's default table prints the creation time itself, not an age.
  t.table_row = [](const json::object& o) {
    return json::array{json::string(machinery::name_of(o)),
                       json::string(machinery::meta_string(o, "creationTimestamp"))};
  };
  // The status is the server's: a new definition starts with none (default_crd then
  // records its storage version).
  t.prepare_create.push_back([](json::object& o) { o.erase("status"); });
  t.defaulters.push_back(default_crd);
  t.validators.push_back(validate_crd);
  json::object schema = crd_schema();
  if (object_meta_schema) machinery::child(schema, "properties")["metadata"] = *object_meta_schema;
  schema["x-kubernetes-group-version-kind"] =
      json::array{json::object{{"group", kGroup}, {"kind", t.kind}, {"version", "v1"}}};
  t.schema = std::make_shared<const json::object>(std::move(schema));
  return t;
}

}  // namespace ukube::apiextensions
