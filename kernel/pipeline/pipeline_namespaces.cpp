// Namespace lifecycle, enforced by the pipeline whenever core/v1 namespaces is a
// registered type: content is only created in namespaces that exist and are not being
// terminated, and deleting a namespace deletes its content.
//
// There is no namespace controller yet, so the pipeline does its work synchronously: a
// namespace delete marks the namespace Terminating, deletes every namespaced object in
// it, and removes the namespace once nothing is left. Content held by finalizers keeps
// the namespace Terminating; the removal of the last such object finishes the job.
#include <boost/json.hpp>
#include <set>
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

bool KernelPipeline::namespace_empty(std::string_view ns) {
  std::set<std::string> prefixes;
  for (const auto& type : types_.all()) {
    if (!type->namespaced || !prefixes.insert(type->key_prefix()).second) continue;
    store::ListOptions one;
    one.limit = 1;
    if (!store_.list(type->key_prefix() + std::string(ns) + "/", one).items.empty()) return false;
  }
  return true;
}

store::Bytes KernelPipeline::delete_namespace(const Target& t, const DeleteOptions& options,
                                              Deletion& deletion) {
  const std::string gr = t.type->group_resource();
  store::Bytes marked;
  for (int attempt = 0; attempt < kUpdateRetries && !marked; ++attempt) {
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
    if (is_terminating(ns) && phase_terminating(ns)) {
      marked = current->value;
      break;
    }
    auto& m = metadata(ns);
    if (!is_terminating(ns)) {
      m["deletionTimestamp"] = machinery::now_rfc3339();
      m["deletionGracePeriodSeconds"] = 0;
    }
    auto& status = ns["status"];
    if (!status.is_object()) status = boost::json::object{};
    status.get_object()["phase"] = "Terminating";
    m.erase("resourceVersion");
    if (options.dry_run) return make_template(ns).stamp(current->mod_revision);
    ObjectTemplate encoded = make_template(ns);
    store::WriteResult r =
        store_.write({store::WriteKind::Update, t.key,
                      [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); }, current->mod_revision});
    if (r) marked = r.current.value;
  }
  if (!marked) throw ApiError::stale(gr, t.name);

  // Sweep the content. Objects held by finalizers (or refused by admission) stay, and so
  // does the namespace, Terminating, until they are gone.
  Deletion content;
  content.sweeping_namespace = true;
  DeleteOptions content_options;
  content_options.propagation_policy = "Background";
  content_options.grace_period_seconds = options.grace_period_seconds;
  std::set<std::string> prefixes;
  for (const auto& type : types_.all()) {
    if (!type->namespaced || !prefixes.insert(type->key_prefix()).second) continue;
    std::string prefix = type->key_prefix() + t.name + "/";
    for (const auto& kv : store_.list(prefix).items) {
      try {
        delete_object(internal_target(t, type, t.name, kv.key.substr(prefix.size())), content_options,
                      content);
      } catch (const ApiError&) {
        // Already gone, or refused: either way the namespace waits for what is left.
      }
    }
  }
  finish_namespace(t, t.name);
  return marked;
}

void KernelPipeline::finish_namespace(const Target& cause, const std::string& ns) {
  auto ns_type = namespace_type();
  if (!ns_type) return;
  Target t = internal_target(cause, ns_type, "", ns);
  for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
    auto kv = store_.get(t.key);
    if (!kv) return;
    boost::json::object object = parse_object(*kv->value);
    // spec.finalizers ("kubernetes") is the namespace controller's own, which this is;
    // metadata finalizers belong to others and hold the namespace.
    if (!is_terminating(object) || has_finalizers(object) || !namespace_empty(ns)) return;
    store::WriteResult r = store_.remove(t.key, kv->mod_revision);
    if (r || r.status == store::WriteStatus::NotFound) return;
  }
}

}  // namespace ukube::pipeline
