// Namespace lifecycle, enforced by the pipeline whenever core/v1 namespaces is a
// registered type, as upstream's namespace storage does: content is only created in
// namespaces that exist and are not being terminated; a new namespace carries the
// "kubernetes" finalizer in spec.finalizers; a delete marks the namespace Terminating,
// and it goes once spec.finalizers (emptied through namespaces/finalize) and
// metadata.finalizers are empty. Deleting the content is the namespace controller's work
// (plugin ukube.controller.v1.namespace), which finalizes the namespace when it is done.
#include <boost/json.hpp>
#include "ukube/machinery/time.h"

#include "kernel/pipeline/object_codec.h"
#include "kernel/pipeline/object_meta.h"
#include "kernel/pipeline/pipeline_helpers.h"
#include "kernel/pipeline/request_pipeline.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

bool phase_terminating(const boost::json::object& ns) {
  const auto* status = ns.if_contains("status");
  const auto* phase = status && status->is_object() ? status->get_object().if_contains("phase") : nullptr;
  return phase && phase->is_string() && phase->get_string() == "Terminating";
}

}  // namespace

TypeInfoPtr KernelPipeline::namespace_type() const {
  auto type = types_.find({"", "v1", "namespaces"});
  return type && !type->namespaced ? type : nullptr;
}

bool KernelPipeline::is_namespace(const TypeInfo& type) const {
  return type.group.empty() && type.plural == "namespaces" && !type.namespaced;
}

void KernelPipeline::check_namespace_open(const Target& t) {
  auto ns_type = namespace_type();
  if (!ns_type) return;
  auto kv = store_.get(key_for(*ns_type, "", t.ns));
  if (!kv) throw ApiError::not_found(ns_type->group_resource(), t.ns);
  const std::string& bytes = *kv->value;
  // Nearly every namespace is active: parse only when the bytes could say otherwise.
  if (bytes.find("deletionTimestamp") == std::string::npos && bytes.find("Terminating") == std::string::npos)
    return;
  boost::json::object ns = parse_object(bytes);
  if (!is_terminating(ns) && !phase_terminating(ns)) return;
  ApiError e = ApiError::forbidden(t.type->group_resource() + " \"" + t.name +
                                   "\" is forbidden: unable to create new content in namespace " + t.ns +
                                   " because it is being terminated");
  e.group = t.type->group;
  e.kind = t.type->plural;
  e.name = t.name;
  e.causes.push_back(
      {"NamespaceTerminating", "namespace " + t.ns + " is being terminated", "metadata.namespace"});
  throw e;
}

namespace {

constexpr std::string_view kKubernetesFinalizer = "kubernetes";

const boost::json::array* spec_finalizers(const boost::json::object& ns) {
  const auto* spec = ns.if_contains("spec");
  const auto* list = spec && spec->is_object() ? spec->get_object().if_contains("finalizers") : nullptr;
  return list && list->is_array() ? &list->get_array() : nullptr;
}

}  // namespace

bool KernelPipeline::has_spec_finalizers(const boost::json::object& ns) {
  const auto* list = spec_finalizers(ns);
  return list && !list->empty();
}

void KernelPipeline::require_namespace_finalizer(boost::json::object& ns) {
  if (const auto* list = spec_finalizers(ns))
    for (const auto& f : *list)
      if (f.is_string() && f.get_string() == kKubernetesFinalizer) return;
  auto& spec = ns["spec"];
  if (!spec.is_object()) spec = boost::json::object{};
  auto& list = spec.get_object()["finalizers"];
  if (!list.is_array()) list = boost::json::array{};
  list.get_array().emplace_back(kKubernetesFinalizer);
}

store::Bytes KernelPipeline::delete_namespace(const Target& t, const DeleteOptions& options) {
  const std::string gr = t.type->group_resource();
  for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(gr, t.name);
    boost::json::object ns = parse_object(*current->value);
    if (!options.precondition_uid.empty() && options.precondition_uid != meta_string(ns, "uid"))
      throw ApiError::conflict(gr, t.name,
                               "Precondition failed: UID in precondition: " + options.precondition_uid +
                                   ", UID in object meta: " + meta_string(ns, "uid"));
    AdmissionRequest request{
        AdmissionOperation::Delete, t.type.get(), {}, {}, t.name, nullptr, &ns, t.user, options.dry_run};
    auth_.validate(request);

    if (is_terminating(ns)) {
      if (has_spec_finalizers(ns))
        throw ApiError::conflict(gr, t.name,
                                 "The system is ensuring all content is removed from this namespace.  Upon "
                                 "completion, this namespace will automatically be purged by the system.");
      if (has_finalizers(ns) || options.dry_run) return current->value;
    } else {
      // The first delete: Terminating from now on, new content refused.
      auto& m = metadata(ns);
      m["deletionTimestamp"] = machinery::now_rfc3339();
      m["deletionGracePeriodSeconds"] = 0;
      auto& status = ns["status"];
      if (!status.is_object()) status = boost::json::object{};
      status.get_object()["phase"] = "Terminating";
      m.erase("resourceVersion");
      if (options.dry_run) return make_template(ns).stamp(current->mod_revision);
      if (has_spec_finalizers(ns) || has_finalizers(ns)) {
        store::WriteResult r = replace_stored(t, ns, current->mod_revision);
        if (r) return r.current.value;
        if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(gr, t.name);
        continue;
      }
    }
    // Nothing holds it.
    store::WriteResult r = store_.remove(t.key, current->mod_revision);
    if (r) return current->value;
    if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(gr, t.name);
  }
  throw ApiError::stale(gr, t.name);
}

}  // namespace ukube::pipeline
