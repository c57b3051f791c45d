// The scale subresource (autoscaling/v1 Scale) of every type with a ScaleSpec: reads
// render the parent's replica counts, writes change the parent's spec replicas with the
// parent's resourceVersion as precondition.
#include <boost/json.hpp>

#include "kernel/pipeline/json_patch.h"
#include "kernel/pipeline/object_codec.h"
#include "kernel/pipeline/object_meta.h"
#include "kernel/pipeline/pipeline_helpers.h"
#include "kernel/pipeline/request_pipeline.h"
#include "kernel/pipeline/scale.h"
#include "kernel/pipeline/strategic_merge.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

constexpr int kScaleRetries = 5;

store::Bytes encode(const boost::json::object& scale) {
  return store::make_bytes(boost::json::serialize(scale));
}

}  // namespace

store::Bytes KernelPipeline::get_scale(const Target& t) {
  auto kv = store_.get(t.key);
  if (!kv) throw ApiError::not_found(t.type->group_resource(), t.name);
  return encode(scale_of(parse_object(*kv->value), *t.type->scale));
}

store::Bytes KernelPipeline::write_scale(const Target& t, boost::json::object scale,
                                         const WriteOptions& options) {
  for (const char* field : {"kind", "apiVersion"}) {
    const auto* v = scale.if_contains(field);
    const char* want = field[0] == 'k' ? "Scale" : "autoscaling/v1";
    if (v && v->is_string() && !v->get_string().empty() && v->get_string() != want)
      throw ApiError::bad_request(std::string(field) + " \"" + std::string(v->get_string()) +
                                  "\" does not match the resource it was sent to (expected \"" + want +
                                  "\")");
  }
  std::optional<int64_t> replicas = scale_replicas(scale);
  std::string requested = meta_string(scale, "resourceVersion");
  for (int attempt = 0; attempt < kScaleRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
    if (!requested.empty() && parse_revision(requested, "metadata.resourceVersion") != current->mod_revision)
      throw ApiError::stale(t.type->group_resource(), t.name);
    boost::json::object old = parse_object(*current->value);
    boost::json::object parent = old;
    // A Scale without spec.replicas means zero, as upstream decodes an omitted int32.
    set_value_at(parent, t.type->scale->spec_replicas_path, replicas.value_or(0));
    if (auto written = write_update(t, *current, old, std::move(parent), options))
      return encode(scale_of(parse_object(**written), *t.type->scale));
    if (!requested.empty()) break;
  }
  throw ApiError::stale(t.type->group_resource(), t.name);
}

store::Bytes KernelPipeline::patch_scale(const Target& t, PatchType type, std::string_view body,
                                         const WriteOptions& options) {
  boost::json::value patch = parse_body(body, "the patch");
  for (int attempt = 0; attempt < kScaleRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
    boost::json::value scale = scale_of(parse_object(*current->value), *t.type->scale);
    switch (type) {
      case PatchType::JsonPatch: apply_json_patch(scale, patch); break;
      // Scale has no merge keys: a strategic merge patch or an applied configuration of
      // a Scale merges like a JSON merge patch (ownership of scale fields is not tracked).
      case PatchType::JsonMerge:
      case PatchType::Apply: apply_merge_patch(scale, patch); break;
      case PatchType::StrategicMerge:
        if (!patch.is_object()) throw ApiError::bad_request("a strategic merge patch must be a JSON object");
        apply_strategic_merge_patch(scale.as_object(), patch.get_object(), SchemaView());
        break;
    }
    if (!scale.is_object()) throw ApiError::bad_request("the patched document is not a JSON object");
    // Pin the write to the revision the patch was computed from; a race retries.
    std::string rv = meta_string(scale.get_object(), "resourceVersion");
    if (rv != std::to_string(current->mod_revision)) throw ApiError::stale(t.type->group_resource(), t.name);
    try {
      return write_scale(t, std::move(scale.get_object()), options);
    } catch (const ApiError& e) {
      if (!is_conflict(e)) throw;
    }
  }
  throw ApiError::stale(t.type->group_resource(), t.name);
}

}  // namespace ukube::pipeline
