// Upstream's validation of CustomResourceDefinitions, with its messages: names, group,
// scope, versions (exactly one stored), structural schemas, printer columns, scale paths,
// conversion, stored versions, and what may not change.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "cel_rules.h"
#include "crd_type.h"
#include "json_path.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/field_errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using machinery::array_at;
using machinery::Errors;
using machinery::FieldPath;
using machinery::object_at;
using machinery::quote;
using machinery::string_at;

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : ",") + e;
  return out;
}

void check_label(Errors& e, const FieldPath& p, const std::string& value, const std::string& prefix = {}) {
  if (value.empty()) return;
  auto errors = machinery::dns1035_label_errors(machinery::ascii_lower(value));
  if (!errors.empty()) e.invalid(p, quote(value), prefix + joined(errors));
}

void validate_names(Errors& e, const json::object& names, const FieldPath& p) {
  const std::string plural = string_at(names, {"plural"});
  const std::string kind = string_at(names, {"kind"});
  const std::string list_kind = string_at(names, {"listKind"});
  if (plural.empty()) e.required(p.child("plural"));
  if (kind.empty()) e.required(p.child("kind"));
  if (list_kind.empty()) e.required(p.child("listKind"));
  for (const char* field : {"plural", "singular"}) {
    const std::string value = string_at(names, {field});
    if (value.empty()) continue;
    auto errors = machinery::dns1035_label_errors(value);
    if (!errors.empty()) e.invalid(p.child(field), quote(value), joined(errors));
  }
  check_label(e, p.child("kind"), kind, "may have mixed case, but should otherwise match: ");
  check_label(e, p.child("listKind"), list_kind, "may have mixed case, but should otherwise match: ");
  for (const char* field : {"shortNames", "categories"}) {
    auto values = machinery::strings_at(names, {field});
    for (size_t i = 0; i < values.size(); ++i) {
      auto errors = machinery::dns1035_label_errors(values[i]);
      if (!errors.empty()) e.invalid(p.child(field).index(i), quote(values[i]), joined(errors));
    }
  }
  if (!kind.empty() && kind == list_kind)
    e.invalid(p.child("listKind"), quote(list_kind), "kind and listKind may not be the same");
}

const std::vector<std::string> kSchemaTypes = {"array", "boolean", "integer", "number", "object", "string"};

// Structural schema rules: every node says its type (unless it is int-or-string or keeps
// unknown fields), arrays say their items, objects do not mix properties with
// additionalProperties, and the root's metadata may only constrain name and generateName.
void validate_structural(Errors& e, const json::object& s, const FieldPath& p, bool root,
                         const char* missing_type) {
  const std::string type = string_at(s, {"type"});
  const bool int_or_string = machinery::bool_at(s, {"x-kubernetes-int-or-string"}).value_or(false);
  const bool preserve = machinery::bool_at(s, {"x-kubernetes-preserve-unknown-fields"}).value_or(false);
  if (root) {
    if (type.empty())
      e.required(p.child("type"), "must not be empty at the root");
    else if (type != "object")
      e.invalid(p.child("type"), quote(type), "must be object at the root");
  } else if (type.empty() && !int_or_string && !preserve) {
    e.required(p.child("type"), missing_type);
  }
  if (!type.empty() && std::find(kSchemaTypes.begin(), kSchemaTypes.end(), type) == kSchemaTypes.end())
    e.unsupported(p.child("type"), type, kSchemaTypes);
  if (s.contains("$ref")) e.forbidden(p.child("$ref"), "$ref is not supported");
  if (type == "array" && !object_at(s, {"items"})) e.required(p.child("items"), "must be specified");
  if (s.contains("properties") && s.contains("additionalProperties"))
    e.forbidden(p.child("additionalProperties"), "additionalProperties and properties are mutual exclusive");
  if (const auto* pattern = s.if_contains("pattern"); pattern && pattern->is_string()) {
    // Upstream reads patterns as Go's regexp (RE2) does.
    const cel::Regex regex(std::string_view(pattern->get_string()));
    if (!regex.error().empty())
      e.invalid(p.child("pattern"), quote(pattern->get_string()),
                "must be a valid regular expression, but isn't: " + regex.error());
  }
  const std::string list_type = string_at(s, {"x-kubernetes-list-type"});
  if (!list_type.empty() && list_type != "atomic" && list_type != "set" && list_type != "map")
    e.unsupported(p.child("x-kubernetes-list-type"), list_type, {"atomic", "set", "map"});
  if (list_type == "map" && machinery::strings_at(s, {"x-kubernetes-list-map-keys"}).empty())
    e.required(p.child("x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map");
  if (const auto* props = object_at(s, {"properties"})) {
    for (const auto& [key, value] : *props) {
      const FieldPath child = p.child("properties").key(key);
      if (!value.is_object()) {
        e.invalid(child, machinery::value_repr(value), "must be a schema object");
        continue;
      }
      if (root && key == "metadata") {
        const auto* meta_props = object_at(value.get_object(), {"properties"});
        bool other = false;
        if (meta_props)
          for (const auto& m : *meta_props) other = other || (m.key() != "name" && m.key() != "generateName");
        if (other || value.get_object().contains("additionalProperties"))
          e.forbidden(
              child,
              "must not specify anything other than name and generateName, but metadata is implicitly "
              "specified");
      }
      validate_structural(e, value.get_object(), child, false,
                          "must not be empty for specified object fields");
    }
  }
  if (const auto* items = object_at(s, {"items"}))
    validate_structural(e, *items, p.child("items"), false, "must not be empty for specified array items");
  if (const auto* extra = object_at(s, {"additionalProperties"}))
    validate_structural(e, *extra, p.child("additionalProperties"), false,
                        "must not be empty for specified object fields");
  for (const char* key : {"allOf", "anyOf", "oneOf"})
    if (const auto* list = array_at(s, {key}))
      for (size_t i = 0; i < list->size(); ++i)
        if ((*list)[i].is_object())
          validate_structural(e, (*list)[i].get_object(), p.child(key).index(i), false, "");
}

void validate_json_path(Errors& e, const FieldPath& p, const std::string& path) {
  if (!path.starts_with('.')) {
    e.invalid(p, quote(path), "must be a simple json path starting with .");
    return;
  }
  try {
    JsonPath::parse(path);
  } catch (const JsonPathError& err) {
    e.invalid(p, quote(path), std::string("must be a valid JSONPath: ") + err.what());
  }
}

void validate_columns(Errors& e, const json::array& columns, const FieldPath& p) {
  static const std::vector<std::string> types = {"boolean", "date", "integer", "number", "string"};
  static const std::vector<std::string> formats = {"byte",  "date",  "date-time", "double",
                                                   "float", "int32", "int64",     "password"};
  for (size_t i = 0; i < columns.size(); ++i) {
    const FieldPath cp = p.index(i);
    const json::object& c = machinery::object_or_empty(columns[i].if_object());
    if (string_at(c, {"name"}).empty()) e.required(cp.child("name"));
    const std::string type = string_at(c, {"type"});
    if (type.empty())
      e.required(cp.child("type"), "must be one of boolean,date,integer,number,string");
    else if (std::find(types.begin(), types.end(), type) == types.end())
      e.invalid(cp.child("type"), quote(type), "must be one of boolean,date,integer,number,string");
    const std::string format = string_at(c, {"format"});
    if (!format.empty() && std::find(formats.begin(), formats.end(), format) == formats.end())
      e.invalid(cp.child("format"), quote(format),
                "must be one of byte,date,date-time,double,float,int32,int64,password");
    const std::string path = string_at(c, {"jsonPath"});
    if (path.empty())
      e.required(cp.child("jsonPath"));
    else
      validate_json_path(e, cp.child("jsonPath"), path);
  }
}

void validate_scale(Errors& e, const json::object& scale, const FieldPath& p) {
  const std::string spec_path = string_at(scale, {"specReplicasPath"});
  const std::string status_path = string_at(scale, {"statusReplicasPath"});
  const std::string selector_path = string_at(scale, {"labelSelectorPath"});
  if (spec_path.empty())
    e.required(p.child("specReplicasPath"));
  else if (!spec_path.starts_with(".spec."))
    e.invalid(p.child("specReplicasPath"), quote(spec_path), "should be a json path under .spec");
  if (status_path.empty())
    e.required(p.child("statusReplicasPath"));
  else if (!status_path.starts_with(".status."))
    e.invalid(p.child("statusReplicasPath"), quote(status_path), "should be a json path under .status");
  if (!selector_path.empty() && !selector_path.starts_with(".spec.") &&
      !selector_path.starts_with(".status."))
    e.invalid(p.child("labelSelectorPath"), quote(selector_path),
              "should be a json path under either .spec or .status");
}

// What every version says alike, upstream checks once, where its internal (hoisted)
// form keeps it: spec.validation, spec.subresources, spec.additionalPrinterColumns and
// spec.selectableFields. Null when the versions differ (or there is only nothing).
const json::value* shared_member(const json::array& versions, std::initializer_list<std::string_view> path) {
  const json::value* first = nullptr;
  for (size_t i = 0; i < versions.size(); ++i) {
    const json::value* v =
        versions[i].is_object() ? machinery::value_at(versions[i].get_object(), path) : nullptr;
    if (i == 0)
      first = v;
    else if ((first == nullptr) != (v == nullptr) || (first && *first != *v))
      return nullptr;
  }
  return first;
}

void validate_version_parts(Errors& e, const json::object& v, const FieldPath& schema_path,
                            const FieldPath& subresources_path, const FieldPath& columns_path,
                            const FieldPath& fields_path, bool check_schema) {
  if (check_schema)
    if (const json::object* schema = object_at(v, {"schema", "openAPIV3Schema"})) {
      const size_t before = e.count();
      validate_structural(e, *schema, schema_path, true, "");
      // Rules are compiled against the schema's types: only a sound schema has them.
      if (e.count() == before) {
        SchemaNode compiled = compile_schema(*schema);
        attach_cel_rules(compiled, &e, &schema_path);
      }
    }
  if (!columns_path.str().empty())
    if (const auto* columns = array_at(v, {"additionalPrinterColumns"}))
      validate_columns(e, *columns, columns_path);
  if (!subresources_path.str().empty())
    if (const auto* scale = object_at(v, {"subresources", "scale"}))
      validate_scale(e, *scale, subresources_path.child("scale"));
  if (!fields_path.str().empty())
    if (const auto* fields = array_at(v, {"selectableFields"}))
      for (size_t f = 0; f < fields->size(); ++f) {
        const FieldPath fp = fields_path.index(f).child("jsonPath");
        const std::string path =
            string_at(machinery::object_or_empty((*fields)[f].if_object()), {"jsonPath"});
        if (path.empty())
          e.required(fp);
        else
          validate_json_path(e, fp, path);
      }
}

void validate_versions(Errors& e, const json::object& spec, const FieldPath& p) {
  const json::array* versions = array_at(spec, {"versions"});
  if (!versions || versions->empty()) {
    e.invalid(p.child("versions"), "[]", "must have exactly one version marked as storage version");
    return;
  }
  const bool shared_schema = shared_member(*versions, {"schema"}) != nullptr;
  const bool shared_subresources = shared_member(*versions, {"subresources"}) != nullptr;
  const bool shared_columns = shared_member(*versions, {"additionalPrinterColumns"}) != nullptr;
  const bool shared_fields = shared_member(*versions, {"selectableFields"}) != nullptr;
  const FieldPath none;
  std::set<std::string> seen;
  bool unique = true;
  int stored = 0;
  for (size_t i = 0; i < versions->size(); ++i) {
    const FieldPath vp = p.child("versions").index(i);
    const json::object& v = machinery::object_or_empty((*versions)[i].if_object());
    const std::string name = string_at(v, {"name"});
    unique = seen.insert(name).second && unique;
    if (machinery::bool_at(v, {"storage"}).value_or(false)) ++stored;
    auto errors = machinery::dns1035_label_errors(name);
    if (!errors.empty()) e.invalid(vp.child("name"), quote(name), joined(errors));
    if (!object_at(v, {"schema", "openAPIV3Schema"}))
      e.required(vp.child("schema").child("openAPIV3Schema"), "schemas are required");
    const bool first = i == 0;
    validate_version_parts(
        e, v,
        shared_schema ? p.child("validation").child("openAPIV3Schema")
                      : vp.child("schema").child("openAPIV3Schema"),
        shared_subresources ? (first ? p.child("subresources") : none) : vp.child("subresources"),
        shared_columns ? (first ? p.child("additionalPrinterColumns") : none)
                       : vp.child("additionalPrinterColumns"),
        shared_fields ? (first ? p.child("selectableFields") : none) : vp.child("selectableFields"),
        !shared_schema || first);
  }
  if (!unique)
    e.invalid(p.child("versions"), json::serialize(*versions), "must contain unique version names");
  if (stored != 1)
    e.invalid(p.child("versions"), json::serialize(*versions),
              "must have exactly one version marked as storage version");
}

void validate_conversion(Errors& e, const json::object& spec, const FieldPath& p) {
  const json::object* conversion = object_at(spec, {"conversion"});
  if (!conversion) return;
  const std::string strategy = string_at(*conversion, {"strategy"});
  const FieldPath cp = p.child("conversion");
  if (strategy != "None" && strategy != "Webhook") {
    e.unsupported(cp.child("strategy"), strategy, {"None", "Webhook"});
    return;
  }
  const json::object* webhook = object_at(*conversion, {"webhook"});
  if (strategy == "None") {
    if (webhook) e.forbidden(cp.child("webhook"), "should not be set when strategy is not set to Webhook");
    return;
  }
  if (!webhook) {
    e.required(cp.child("webhook"), "required when strategy is set to Webhook");
    return;
  }
  const FieldPath wp = cp.child("webhook");
  if (machinery::strings_at(*webhook, {"conversionReviewVersions"}).empty())
    e.required(wp.child("conversionReviewVersions"), "must contain at least one version");
  const json::object* client = object_at(*webhook, {"clientConfig"});
  const bool url = client && !string_at(*client, {"url"}).empty();
  const bool service = client && object_at(*client, {"service"});
  if (url == service)
    e.required(wp.child("clientConfig"), "exactly one of url or service is required");
  else if (url && !string_at(*client, {"url"}).starts_with("https://"))
    e.invalid(wp.child("clientConfig").child("url"), quote(string_at(*client, {"url"})),
              "'https' is the only allowed URL scheme");
}

void validate_stored_versions(Errors& e, const json::object& crd) {
  const FieldPath p("status.storedVersions");
  auto stored = machinery::strings_at(crd, {"status", "storedVersions"});
  std::set<std::string> names;
  if (const auto* versions = array_at(crd, {"spec", "versions"}))
    for (const auto& v : *versions)
      if (v.is_object()) names.insert(string_at(v.get_object(), {"name"}));
  for (size_t i = 0; i < stored.size(); ++i)
    if (!names.count(stored[i])) e.invalid(p.index(i), quote(stored[i]), "must appear in spec.versions");
}

}  // namespace

void validate_crd(const json::object& crd, const json::object* old, std::vector<FieldError>& out) {
  Errors e(out);
  const json::object& spec = machinery::object_or_empty(object_at(crd, {"spec"}));
  const FieldPath sp("spec");
  const std::string group = string_at(spec, {"group"});
  const std::string plural = string_at(spec, {"names", "plural"});
  const std::string name = machinery::name_of(crd);
  if (name != plural + "." + group)
    e.invalid(FieldPath("metadata.name"), quote(name), "must be spec.names.plural+\".\"+spec.group");
  if (group.empty()) {
    e.required(sp.child("group"));
  } else if (auto errors = machinery::dns1123_subdomain_errors(group); !errors.empty()) {
    e.invalid(sp.child("group"), quote(group), joined(errors));
  } else if (group.find('.') == std::string::npos) {
    e.invalid(sp.child("group"), quote(group), "should be a domain with at least one dot");
  }
  const std::string scope = string_at(spec, {"scope"});
  if (scope.empty())
    e.required(sp.child("scope"));
  else if (scope != "Cluster" && scope != "Namespaced")
    e.unsupported(sp.child("scope"), scope, {"Cluster", "Namespaced"});
  validate_names(e, machinery::object_or_empty(object_at(spec, {"names"})), sp.child("names"));
  validate_versions(e, spec, sp);
  validate_conversion(e, spec, sp);
  validate_stored_versions(e, crd);
  if (old) {
    auto immutable = [&](const FieldPath& p, std::initializer_list<std::string_view> path) {
      const std::string before = string_at(*old, path), now = string_at(crd, path);
      if (before != now) e.invalid(p, quote(now), "field is immutable");
    };
    immutable(sp.child("group"), {"spec", "group"});
    immutable(sp.child("names").child("plural"), {"spec", "names", "plural"});
    // Clients may rely on these once the definition is served.
    if (machinery::is_condition_true(*old, "Established")) {
      immutable(sp.child("scope"), {"spec", "scope"});
      immutable(sp.child("names").child("kind"), {"spec", "names", "kind"});
    }
  }
}

}  // namespace ukube::apiextensions
