#include "openapi.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <tuple>

#include "openapi_v2_protobuf.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

enum class Flavor { V2, V3 };

const char* const kPatchTypes[] = {"application/apply-patch+yaml", "application/json-patch+json",
                                   "application/merge-patch+json", "application/strategic-merge-patch+json"};
const char* const kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

std::string ref(Flavor f, const std::string& name) {
  return (f == Flavor::V3 ? "#/components/schemas/" : "#/definitions/") + name;
}

json::object ref_schema(Flavor f, const std::string& name) {
  return {{"$ref", ref(f, name)}};
}

json::object gvk(const std::string& group, const std::string& version, const std::string& kind) {
  return {{"group", group}, {"kind", kind}, {"version", version}};
}

std::string camel(const std::string& text) {
  std::string out;
  bool upper = true;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

// Upstream drops the ".k8s.io" style suffix of built-in groups in operation ids.
std::string group_camel(const std::string& group) {
  if (group.empty()) return "Core";
  auto k8s = group.find(".k8s.io");
  return camel(k8s == std::string::npos ? group : group.substr(0, k8s));
}

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(v));
  return buf;
}

json::object param(Flavor f, const char* name, const char* in, const char* type, const char* description) {
  json::object p{{"name", name}, {"in", in}, {"description", description}};
  if (std::string_view(in) == "path") p["required"] = true;
  if (f == Flavor::V3) {
    p["schema"] = json::object{{"type", type}, {"uniqueItems", true}};
  } else {
    p["type"] = type;
    p["uniqueItems"] = true;
  }
  return p;
}

json::array write_params(Flavor f, bool patch) {
  json::array out{
      param(f, "dryRun", "query", "string",
            "When present, indicates that modifications should not be persisted."),
      param(f, "fieldManager", "query", "string",
            "A name associated with the actor or entity making these changes."),
      param(f, "fieldValidation", "query", "string",
            "How the server treats unknown or duplicate fields in the request: Ignore, Warn (the default) or "
            "Strict.")};
  if (patch)
    out.push_back(
        param(f, "force", "query", "boolean",
              "Force is going to \"force\" Apply requests. It must be unset for non-apply patches."));
  return out;
}

json::array list_params(Flavor f) {
  return {
      param(f, "labelSelector", "query", "string",
            "A selector to restrict the list of returned objects by their labels."),
      param(f, "fieldSelector", "query", "string",
            "A selector to restrict the list of returned objects by their fields."),
      param(f, "limit", "query", "integer", "The maximum number of responses to return for a list call."),
      param(f, "continue", "query", "string", "The continue token of a previous, paged list call."),
      param(f, "resourceVersion", "query", "string", "Where a list or watch starts."),
      param(f, "resourceVersionMatch", "query", "string", "How resourceVersion applies to list calls."),
      param(f, "timeoutSeconds", "query", "integer", "Timeout for the list/watch call."),
      param(f, "watch", "query", "boolean", "Watch for changes to the described resources."),
      param(f, "allowWatchBookmarks", "query", "boolean", "Requests watch events with type \"BOOKMARK\"."),
      param(f, "sendInitialEvents", "query", "boolean", "Starts a watch stream with the current state.")};
}

// One operation; `request` is the body schema's definition name ("" for none).
struct Op {
  const char* method;  // get put post patch delete
  const char* action;  // x-kubernetes-action
  std::string id;
  std::string response;
  std::string request;
  json::object kind;  // x-kubernetes-group-version-kind
  json::array params;
  // Custom resources take no strategic merge patch; kubectl's apply reads this list to
  // choose between it and a JSON merge patch.
  bool strategic_merge_patch = true;
};

bool offered(const Op& op, std::string_view patch_type) {
  return op.strategic_merge_patch || patch_type != "application/strategic-merge-patch+json";
}

json::object operation(Flavor f, Op op) {
  json::object o{
      {"operationId", op.id},
      {"description", std::string(op.action) + " the specified " + std::string(op.kind["kind"].as_string())}};
  json::object ok{{"description", "OK"}};
  if (f == Flavor::V3) {
    ok["content"] = json::object{{"application/json", json::object{{"schema", ref_schema(f, op.response)}}}};
  } else {
    ok["schema"] = ref_schema(f, op.response);
    o["produces"] = json::array{"application/json"};
  }
  bool patch = std::string_view(op.method) == "patch";
  if (!op.request.empty()) {
    if (f == Flavor::V3) {
      json::object content;
      if (patch) {
        for (const char* t : kPatchTypes)
          if (offered(op, t)) content[t] = json::object{{"schema", ref_schema(f, op.request)}};
      } else {
        content["*/*"] = json::object{{"schema", ref_schema(f, op.request)}};
      }
      o["requestBody"] = json::object{{"content", std::move(content)}, {"required", true}};
    } else {
      json::array consumes;
      if (patch) {
        for (const char* t : kPatchTypes)
          if (offered(op, t)) consumes.emplace_back(t);
      } else {
        consumes.emplace_back("*/*");
      }
      o["consumes"] = std::move(consumes);
      op.params.push_back(json::object{
          {"name", "body"}, {"in", "body"}, {"required", true}, {"schema", ref_schema(f, op.request)}});
    }
  }
  if (!op.params.empty()) o["parameters"] = std::move(op.params);
  o["responses"] =
      json::object{{"200", std::move(ok)}, {"401", json::object{{"description", "Unauthorized"}}}};
  o["x-kubernetes-action"] = op.action;
  o["x-kubernetes-group-version-kind"] = std::move(op.kind);
  return o;
}

json::object path_params(Flavor f, bool namespaced, bool named) {
  json::array params;
  if (named) params.push_back(param(f, "name", "path", "string", "name of the object"));
  if (namespaced) params.push_back(param(f, "namespace", "path", "string", "object name and auth scope"));
  return {{"parameters", std::move(params)}};
}

void add_paths(Flavor f, const TypeInfo& t, json::object& paths) {
  const std::string base = "/" + openapi_path_key(t.group, t.version);
  const std::string collection = base + (t.namespaced ? "/namespaces/{namespace}/" : "/") + t.plural;
  const std::string item = collection + "/{name}";
  const std::string ids =
      group_camel(t.group) + camel(t.version) + (t.namespaced ? "Namespaced" : "") + t.kind;
  const std::string kind = definition_name(t.group, t.version, t.kind);
  const std::string list_kind = definition_name(t.group, t.version, t.list_kind);
  const std::string status = std::string(kMeta) + "Status";
  const std::string patch_body = std::string(kMeta) + "Patch";
  auto has = [&](const std::string& verb) {
    return std::find(t.verbs.begin(), t.verbs.end(), verb) != t.verbs.end();
  };

  json::object coll = path_params(f, t.namespaced, false);
  if (has("list"))
    coll["get"] = operation(
        f, {"get", "list", "list" + ids, list_kind, "", gvk(t.group, t.version, t.kind), list_params(f)});
  if (has("create"))
    coll["post"] = operation(f, {"post", "post", "create" + ids, kind, kind, gvk(t.group, t.version, t.kind),
                                 write_params(f, false)});
  if (has("deletecollection"))
    coll["delete"] = operation(f, {"delete", "deletecollection", "deleteCollection" + ids, status, "",
                                   gvk(t.group, t.version, t.kind), list_params(f)});
  paths[collection] = std::move(coll);

  if (t.namespaced && has("list"))
    paths[base + "/" + t.plural] = json::object{
        {"get", operation(f, {"get", "list",
                              "list" + group_camel(t.group) + camel(t.version) + t.kind + "ForAllNamespaces",
                              list_kind, "", gvk(t.group, t.version, t.kind), list_params(f)})}};

  json::object one = path_params(f, t.namespaced, true);
  if (has("get"))
    one["get"] = operation(f, {"get", "get", "read" + ids, kind, "", gvk(t.group, t.version, t.kind), {}});
  if (has("update"))
    one["put"] = operation(f, {"put", "put", "replace" + ids, kind, kind, gvk(t.group, t.version, t.kind),
                               write_params(f, false)});
  if (has("patch"))
    one["patch"] =
        operation(f, {"patch", "patch", "patch" + ids, kind, patch_body, gvk(t.group, t.version, t.kind),
                      write_params(f, true), t.strategic_merge_patch});
  if (has("delete"))
    one["delete"] = operation(f, {"delete",
                                  "delete",
                                  "delete" + ids,
                                  status,
                                  std::string(kMeta) + "DeleteOptions",
                                  gvk(t.group, t.version, t.kind),
                                  {}});
  paths[item] = std::move(one);

  auto subresource = [&](const std::string& name, const std::string& response,
                         json::object (*tag)(const TypeInfo&)) {
    json::object p = path_params(f, t.namespaced, true);
    p["get"] = operation(f, {"get", "get", "read" + ids + camel(name), response, "", tag(t), {}});
    p["put"] = operation(
        f, {"put", "put", "replace" + ids + camel(name), response, response, tag(t), write_params(f, false)});
    p["patch"] = operation(f, {"patch", "patch", "patch" + ids + camel(name), response, patch_body, tag(t),
                               write_params(f, true), t.strategic_merge_patch});
    paths[item + "/" + name] = std::move(p);
  };
  if (t.status_subresource)
    subresource("status", kind, [](const TypeInfo& t) { return gvk(t.group, t.version, t.kind); });
  if (t.scale)
    subresource("scale", "io.k8s.api.autoscaling.v1.Scale",
                [](const TypeInfo&) { return gvk("autoscaling", "v1", "Scale"); });
}

json::object tagged(json::object schema, const std::string& group, const std::string& version,
                    const std::string& kind) {
  if (!schema.contains("x-kubernetes-group-version-kind"))
    schema["x-kubernetes-group-version-kind"] = json::array{gvk(group, version, kind)};
  return schema;
}

json::object string_prop(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

void add_schemas(Flavor f, const TypeInfo& t, json::object& schemas) {
  json::object object;
  if (t.schema) {
    object = *t.schema;
  } else {
    object = {{"type", "object"},
              {"description", t.kind + " (no schema registered: every field is accepted)"},
              {"x-kubernetes-preserve-unknown-fields", true}};
  }
  schemas[definition_name(t.group, t.version, t.kind)] =
      tagged(std::move(object), t.group, t.version, t.kind);
  json::object list{
      {"type", "object"},
      {"description", t.list_kind + " is a list of " + t.kind + "."},
      {"required", json::array{"items"}},
      {"properties",
       json::object{
           {"apiVersion", string_prop("APIVersion defines the versioned schema of this representation.")},
           {"kind", string_prop("Kind is a string value representing the REST resource.")},
           {"items", json::object{{"type", "array"},
                                  {"description", "List of " + t.plural},
                                  {"items", ref_schema(f, definition_name(t.group, t.version, t.kind))}}},
           {"metadata", ref_schema(f, std::string(kMeta) + "ListMeta")}}}};
  schemas[definition_name(t.group, t.version, t.list_kind)] =
      tagged(std::move(list), t.group, t.version, t.list_kind);
}

void add_common_schemas(Flavor f, bool scale, json::object& schemas) {
  auto open = [](const char* description) {
    return json::object{
        {"type", "object"}, {"description", description}, {"x-kubernetes-preserve-unknown-fields", true}};
  };
  schemas[std::string(kMeta) + "Patch"] =
      json::object{{"type", "object"},
                   {"description", "The body of a PATCH request, in the format its Content-Type names."}};
  schemas[std::string(kMeta) + "DeleteOptions"] =
      tagged(open("Options of a delete request."), "", "v1", "DeleteOptions");
  schemas[std::string(kMeta) + "Status"] =
      tagged(open("The result of an operation that returns no object."), "", "v1", "Status");
  schemas[std::string(kMeta) + "ListMeta"] = json::object{
      {"type", "object"},
      {"description", "Metadata of a list: where it was read and how to read on."},
      {"properties",
       json::object{{"resourceVersion", string_prop("The revision the list was read at.")},
                    {"continue", string_prop("Token for the next page, when the list was limited.")},
                    {"remainingItemCount", json::object{{"type", "integer"}, {"format", "int64"}}}}}};
  if (!scale) return;
  auto int32 = [](const char* description) {
    return json::object{{"type", "integer"}, {"format", "int32"}, {"description", description}};
  };
  schemas["io.k8s.api.autoscaling.v1.Scale"] = tagged(
      json::object{
          {"type", "object"},
          {"description", "Scale represents a scaling request for a resource."},
          {"properties",
           json::object{
               {"apiVersion", string_prop("APIVersion of this representation.")},
               {"kind", string_prop("Kind of this representation.")},
               {"metadata", open("Standard object metadata.")},
               {"spec", json::object{{"type", "object"},
                                     {"properties",
                                      json::object{{"replicas", int32("desired number of instances")}}}}},
               {"status",
                json::object{
                    {"type", "object"},
                    {"properties", json::object{{"replicas", int32("actual number of instances")},
                                                {"selector", string_prop("label query over pods")}}}}}}}},
      "autoscaling", "v1", "Scale");
}

json::object document(Flavor f, const std::vector<const TypeInfo*>& types, const std::string& git_version) {
  json::object paths, schemas;
  bool scale = false;
  for (const TypeInfo* t : types) {
    add_paths(f, *t, paths);
    add_schemas(f, *t, schemas);
    scale = scale || t->scale.has_value();
  }
  add_common_schemas(f, scale, schemas);
  json::object info{{"title", "Kubernetes"}, {"version", git_version}};
  if (f == Flavor::V3)
    return {{"openapi", "3.0.0"},
            {"info", std::move(info)},
            {"paths", std::move(paths)},
            {"components", json::object{{"schemas", std::move(schemas)}}}};
  return {{"swagger", "2.0"},
          {"info", std::move(info)},
          {"paths", std::move(paths)},
          {"definitions", std::move(schemas)}};
}

}  // namespace

std::string definition_name(const std::string& group, const std::string& version, const std::string& kind) {
  if (group.empty()) return "io.k8s.api.core." + version + "." + kind;
  if (group == "apiextensions.k8s.io")
    return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + "." + kind;
  if (group == "apiregistration.k8s.io")
    return "io.k8s.kube-aggregator.pkg.apis.apiregistration." + version + "." + kind;
  if (group.find('.') == std::string::npos || group.ends_with(".k8s.io"))
    return "io.k8s.api." + group.substr(0, group.find('.')) + "." + version + "." + kind;
  // Other groups are reversed domain names, as upstream names CRD definitions.
  std::string reversed;
  std::string_view rest = group;
  while (!rest.empty()) {
    auto dot = rest.rfind('.');
    std::string_view label = dot == std::string_view::npos ? rest : rest.substr(dot + 1);
    if (!reversed.empty()) reversed += '.';
    reversed += label;
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(0, dot);
  }
  return reversed + "." + version + "." + kind;
}

std::string openapi_path_key(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

OpenApiV3Docs build_openapi_v3(const std::vector<TypeInfoPtr>& types, uint64_t generation,
                               const std::string& git_version) {
  std::map<std::string, std::vector<const TypeInfo*>> by_path;
  for (const auto& t : types) by_path[openapi_path_key(t->group, t->version)].push_back(t.get());
  OpenApiV3Docs docs;
  docs.generation = generation;
  json::object index;
  for (auto& [key, list] : by_path) {
    std::sort(list.begin(), list.end(),
              [](const TypeInfo* a, const TypeInfo* b) { return a->plural < b->plural; });
    auto text = std::make_shared<const std::string>(json::serialize(document(Flavor::V3, list, git_version)));
    std::string hash = hex(fnv1a(*text));
    index[key] = json::object{{"serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash}};
    docs.hashes[key] = std::move(hash);
    docs.documents[key] = std::move(text);
  }
  docs.index = json::serialize(json::object{{"paths", std::move(index)}});
  return docs;
}

namespace {

json::object openapi_v2_document(const std::vector<TypeInfoPtr>& types, const std::string& git_version) {
  std::vector<const TypeInfo*> list;
  for (const auto& t : types) list.push_back(t.get());
  std::sort(list.begin(), list.end(), [](const TypeInfo* a, const TypeInfo* b) {
    return std::tie(a->group, a->version, a->plural) < std::tie(b->group, b->version, b->plural);
  });
  return document(Flavor::V2, list, git_version);
}

}  // namespace

std::string build_openapi_v2(const std::vector<TypeInfoPtr>& types, const std::string& git_version) {
  return json::serialize(openapi_v2_document(types, git_version));
}

std::shared_ptr<const OpenApiV3Docs> OpenApi::v3() const {
  uint64_t generation = types_.generation();
  std::lock_guard lock(mu_);
  if (!v3_ || v3_->generation != generation)
    v3_ = std::make_shared<const OpenApiV3Docs>(build_openapi_v3(types_.all(), generation, git_version_));
  return v3_;
}

OpenApiV2Docs OpenApi::v2_docs() const {
  uint64_t generation = types_.generation();
  std::lock_guard lock(mu_);
  if (!v2_.json || v2_generation_ != generation) {
    const json::object doc = openapi_v2_document(types_.all(), git_version_);
    v2_.json = std::make_shared<const std::string>(json::serialize(doc));
    v2_.protobuf = std::make_shared<const std::string>(openapi_v2_protobuf(doc));
    v2_generation_ = generation;
  }
  return v2_;
}

}  // namespace ukube::apiserver
