// Server-side apply as a verb: request checks, create-or-merge, and the retry loop
// around the store's compare-and-swap. The merge itself is server_side_apply.cpp.
#include <boost/json.hpp>
#include "ukube/machinery/time.h"

#include "kernel/pipeline/object_codec.h"
#include "kernel/pipeline/object_meta.h"
#include "kernel/pipeline/pipeline_helpers.h"
#include "kernel/pipeline/request_pipeline.h"
#include "kernel/pipeline/server_side_apply.h"
#include "kernel/pipeline/versions.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

constexpr int kApplyRetries = 5;

std::string summarize(std::string_view body) {
  return body.size() > 256 ? std::string(body.substr(0, 256)) + "..." : std::string(body);
}

// Checks an applied configuration the way upstream's apply handler does before merging.
void check_applied(const boost::json::object& applied, std::string_view body, const TypeInfo& type,
                   const std::string& ns, const std::string& name) {
  for (const char* field : {"kind", "apiVersion"}) {
    const auto* v = applied.if_contains(field);
    if (!v || !v->is_string() || v->get_string().empty())
      throw ApiError::bad_request(std::string("Object '") + (field[0] == 'k' ? "Kind" : "apiVersion") +
                                  "' is missing in '" + summarize(body) + "'");
  }
  std::string body_name = meta_string(applied, "name");
  if (!body_name.empty() && body_name != name)
    throw ApiError::bad_request("the name of the object (" + body_name +
                                ") does not match the name on the URL (" + name + ")");
  std::string body_ns = meta_string(applied, "namespace");
  if (type.namespaced && !body_ns.empty() && body_ns != ns)
    throw ApiError::bad_request(
        "the namespace of the provided object does not match the namespace sent on the request");
  if (const auto* meta = metadata(applied); meta && meta->contains("managedFields"))
    throw ApiError::bad_request("metadata.managedFields must be nil");
  auto undeclared = undeclared_applied_fields(applied, SchemaView(type.schema.get()));
  if (!undeclared.empty()) {
    // Upstream's typed converter refuses fields the schema does not declare, whatever
    // fieldValidation says.
    std::string errors = undeclared.size() == 1 ? undeclared[0] : "errors:";
    if (undeclared.size() > 1)
      for (const auto& e : undeclared) errors += "\n  " + e;
    throw ApiError::bad_request("failed to create typed patch object (" + ns + "/" + name + "; " +
                                type.group + "/" + type.version + ", Kind=" + type.kind + "): " + errors);
  }
}

}  // namespace

store::Bytes KernelPipeline::apply(Target& t, std::string_view body, const WriteOptions& options) {
  if (options.field_manager.empty())
    throw ApiError::invalid(
        {"meta.k8s.io", "v1", "PatchOptions"}, "",
        {{"FieldValueRequired", "fieldManager", "Required value: is required for apply patch"}});
  boost::json::value doc = parse_body(body, "the applied configuration");
  if (!doc.is_object()) throw ApiError::bad_request("the applied configuration must be a JSON object");
  boost::json::object& applied = doc.get_object();
  check_applied(applied, body, *t.type, t.ns, t.name);
  set_type_meta(applied, *t.type);
  auto& meta = metadata(applied);
  meta["name"] = t.name;
  if (t.type->namespaced) meta["namespace"] = t.ns;
  // A resourceVersion in an applied configuration is a precondition, not a value.
  std::string precondition = meta_string(applied, "resourceVersion");
  meta.erase("resourceVersion");

  ApplyRequest request;
  request.applied = &applied;
  request.schema = SchemaView(t.type->schema.get());
  request.manager = options.field_manager;
  request.api_version = t.type->api_version();
  request.subresource = t.subresource;
  request.status_separate = t.type->status_subresource && t.subresource.empty();
  request.force = options.force;

  for (int attempt = 0; attempt < kApplyRetries; ++attempt) {
    request.now = machinery::now_rfc3339();
    auto current = store_.get(t.key);
    if (!current) {
      // The one patch that creates: not through a subresource, and not against a version.
      if (!t.subresource.empty() || !precondition.empty())
        throw ApiError::not_found(t.type->group_resource(), t.name);
      request.live = nullptr;
      boost::json::object created = server_side_apply(request);
      try {
        auto stored = create_object(t, std::move(created), options, false);
        if (options.created) *options.created = true;
        return stored;
      } catch (const ApiError& e) {
        if (!is_already_exists(e)) throw;
        continue;  // created meanwhile: apply to it
      }
    }
    if (!precondition.empty() &&
        parse_revision(precondition, "metadata.resourceVersion") != current->mod_revision)
      throw ApiError::stale(t.type->group_resource(), t.name);
    boost::json::object live = read_as(*t.type, current->value);
    request.live = &live;
    boost::json::object merged = server_side_apply(request);
    if (auto written = write_update(t, *current, live, std::move(merged), options, UpdatePath::Untracked))
      return *written;
  }
  throw ApiError::stale(t.type->group_resource(), t.name);
}

}  // namespace ukube::pipeline
