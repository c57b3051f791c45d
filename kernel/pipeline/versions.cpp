#include "kernel/pipeline/versions.h"

#include <boost/json.hpp>
#include <cstdlib>

#include "kernel/pipeline/object_codec.h"

namespace ukube::pipeline {
namespace {

bool has_api_version(const boost::json::object& object, const std::string& api_version) {
  const auto* v = object.if_contains("apiVersion");
  return v && v->is_string() && v->get_string() == api_version;
}

bool served_as(const boost::json::object& object, const TypeInfo& type) {
  return has_api_version(object, type.api_version());
}

}  // namespace

store::Bytes present(const TypeInfo& type, store::Bytes stored) {
  if (!type.convert || !stored) return stored;
  boost::json::object object = parse_object(*stored);
  if (served_as(object, type)) return stored;
  type.convert(object, type.version);
  // Re-encoded in the stored layout (resourceVersion first), which restamp() relies on.
  int64_t revision = 0;
  if (const auto* meta = object.if_contains("metadata"); meta && meta->is_object())
    if (const auto* rv = meta->get_object().if_contains("resourceVersion"); rv && rv->is_string())
      revision = std::strtoll(rv->get_string().c_str(), nullptr, 10);
  return make_template(object).stamp(revision);
}

boost::json::object read_as(const TypeInfo& type, const store::Bytes& stored) {
  boost::json::object object = parse_object(*stored);
  if (type.convert && !served_as(object, type)) type.convert(object, type.version);
  return object;
}

void to_storage(const TypeInfo& type, boost::json::object& object) {
  if (!type.convert || type.is_storage_version()) return;
  const GroupVersionKind stored = type.storage_gvk();
  if (!has_api_version(object, stored.api_version())) type.convert(object, stored.version);
}

}  // namespace ukube::pipeline
