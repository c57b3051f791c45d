// Deletion, with finalizers, preconditions and propagation to dependents.
//
// Propagation is the garbage collector's work (plugin ukube.controller.v1.garbagecollector),
// as upstream: the pipeline only records the policy in the object's finalizers.
//  - Orphan: the object stays, marked, with the `orphan` finalizer; the collector removes
//    the object's reference from every dependent, then the finalizer.
//  - Foreground: the object stays, marked, with `foregroundDeletion`; the collector deletes
//    the dependents and removes the finalizer once none blocks the owner's deletion.
//  - Background (the default): the object goes now (unless other finalizers hold it), and
//    the collector deletes the dependents whose owners are all gone.
#include <boost/json.hpp>
#include <set>
#include "ukube/machinery/time.h"

#include "kernel/pipeline/object_codec.h"
#include "kernel/pipeline/object_meta.h"
#include "kernel/pipeline/pipeline_helpers.h"
#include "kernel/pipeline/request_pipeline.h"
#include "kernel/pipeline/versions.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

void check_policy(const DeleteOptions& options) {
  const std::string& p = options.propagation_policy;
  if (!p.empty() && p != "Orphan" && p != "Background" && p != "Foreground")
    throw ApiError::invalid(
        {"meta.k8s.io", "v1", "DeleteOptions"}, "",
        {{"FieldValueNotSupported", "propagationPolicy",
          "Unsupported value: \"" + p + "\": supported values: \"Foreground\", \"Background\", \"Orphan\""}});
}

// The finalizers of upstream's garbage collector (metav1.FinalizerOrphanDependents and
// FinalizerDeleteDependents).
constexpr std::string_view kOrphanFinalizer = "orphan";
constexpr std::string_view kForegroundFinalizer = "foregroundDeletion";

// The finalizers a deleted object keeps for the garbage collector, as upstream's store
// sets them: `orphan` for Orphan, `foregroundDeletion` for Foreground, neither for
// Background; with no policy asked, whichever of the two the object already carries.
// nullopt when the object's finalizers stay as they are.
std::optional<boost::json::array> collector_finalizers(const boost::json::object& object,
                                                       const std::string& requested) {
  const auto* meta = metadata(object);
  const auto* current = meta ? meta->if_contains("finalizers") : nullptr;
  const boost::json::array none;
  const boost::json::array& finalizers = current && current->is_array() ? current->get_array() : none;
  auto is = [](const boost::json::value& f, std::string_view name) {
    return f.is_string() && f.get_string() == name;
  };
  std::string policy = requested;
  if (policy.empty())
    for (const auto& f : finalizers) {
      if (is(f, kOrphanFinalizer)) policy = "Orphan";
      if (is(f, kForegroundFinalizer)) policy = "Foreground";
    }
  boost::json::array wanted;
  for (const auto& f : finalizers)
    if (!is(f, kOrphanFinalizer) && !is(f, kForegroundFinalizer)) wanted.push_back(f);
  if (policy == "Orphan") wanted.emplace_back(kOrphanFinalizer);
  if (policy == "Foreground") wanted.emplace_back(kForegroundFinalizer);
  auto as_set = [](const boost::json::array& list) {
    std::set<std::string> out;
    for (const auto& f : list)
      if (f.is_string()) out.emplace(f.get_string());
    return out;
  };
  if (as_set(wanted) == as_set(finalizers)) return std::nullopt;
  return wanted;
}

// What a delete does to an object of a type with graceful deletion (upstream's
// BeforeDelete): remove it now, leave a pending graceful deletion as it is, or mark it
// with a deletionTimestamp `period` seconds ahead (a first delete, or a shorter period).
struct GracefulStep {
  enum class Action { RemoveNow, Pending, Mark } action = Action::RemoveNow;
  int64_t period = 0;
  std::string deletion_timestamp;
};

GracefulStep graceful_step(const TypeInfo& type, const boost::json::object& old,
                           const DeleteOptions& options) {
  using Action = GracefulStep::Action;
  if (!type.grace_period) return {};
  const auto& meta = *metadata(old);
  if (is_terminating(old)) {
    const auto* current = meta.if_contains("deletionGracePeriodSeconds");
    // A pending deletion without a period (or with 0) was meant to be immediate: finish it.
    if (!current || !current->is_int64() || current->get_int64() == 0) return {};
    if (!options.grace_period_seconds || *options.grace_period_seconds >= current->get_int64())
      return {Action::Pending, 0, {}};
    const int64_t period = std::max<int64_t>(*options.grace_period_seconds, 0);
    if (period == 0) return {};
    const auto* stamp = meta.if_contains("deletionTimestamp");
    auto marked = stamp && stamp->is_string() ? machinery::parse_time(stamp->get_string()) : std::nullopt;
    auto start = marked.value_or(machinery::Clock::now()) - std::chrono::seconds(current->get_int64());
    return {Action::Mark, period, machinery::format_time(start + std::chrono::seconds(period))};
  }
  const int64_t period = type.grace_period(old, options.grace_period_seconds);
  if (period <= 0) return {};
  return {Action::Mark, period,
          machinery::format_time(machinery::Clock::now() + std::chrono::seconds(period))};
}

}  // namespace

store::Bytes KernelPipeline::remove(const UserInfo& user, const GroupVersionResource& gvr,
                                    std::string_view ns, std::string_view name,
                                    const DeleteOptions& options) {
  Target t = target(user, "delete", gvr, ns, name, {});
  if (is_namespace(*t.type) && (t.name == "default" || t.name == "kube-system" || t.name == "kube-public")) {
    ApiError e = ApiError::forbidden(t.type->group_resource() + " \"" + t.name +
                                     "\" is forbidden: this namespace may not be deleted");
    e.kind = t.type->plural;
    e.name = t.name;
    throw e;
  }
  return present(*t.type, delete_object(t, options));
}

store::Bytes KernelPipeline::delete_object(const Target& t, const DeleteOptions& options) {
  const std::string gr = t.type->group_resource();
  check_policy(options);
  if (is_namespace(*t.type)) return delete_namespace(t, options);
  for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(gr, t.name);
    boost::json::object old = parse_object(*current->value);
    if (!options.precondition_uid.empty() && options.precondition_uid != meta_string(old, "uid"))
      throw ApiError::conflict(gr, t.name,
                               "Precondition failed: UID in precondition: " + options.precondition_uid +
                                   ", UID in object meta: " + meta_string(old, "uid"));
    if (!options.precondition_resource_version.empty() &&
        options.precondition_resource_version != std::to_string(current->mod_revision))
      throw ApiError::conflict(
          gr, t.name,
          "Precondition failed: ResourceVersion in precondition: " + options.precondition_resource_version +
              ", ResourceVersion in object meta: " + std::to_string(current->mod_revision));
    AdmissionRequest request{
        AdmissionOperation::Delete, t.type.get(), {}, t.ns, t.name, nullptr, &old, t.user, options.dry_run};
    auth_.validate(request);

    GracefulStep graceful = graceful_step(*t.type, old, options);
    std::optional<boost::json::array> finalizers =
        options.dry_run ? std::nullopt : collector_finalizers(old, options.propagation_policy);
    const bool held = finalizers ? !finalizers->empty() : has_finalizers(old);
    if (graceful.action == GracefulStep::Action::RemoveNow && !held) {
      if (options.dry_run) return current->value;
      store::WriteResult r = store_.remove(t.key, current->mod_revision);
      if (r) return current->value;
      if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(gr, t.name);
      continue;
    }

    // The object stays, marked: it is deleted gracefully, or finalizers hold it (among
    // them the garbage collector's, which it removes once the dependents are dealt with).
    const bool terminating = is_terminating(old);
    if (graceful.action != GracefulStep::Action::Mark && terminating && !finalizers) return current->value;
    boost::json::object marked = old;
    auto& m = metadata(marked);
    if (graceful.action == GracefulStep::Action::Mark) {
      m["deletionTimestamp"] = graceful.deletion_timestamp;
      m["deletionGracePeriodSeconds"] = graceful.period;
    } else if (!terminating) {
      m["deletionTimestamp"] = machinery::now_rfc3339();
      m["deletionGracePeriodSeconds"] = options.grace_period_seconds.value_or(0);
    }
    // Upstream bumps only a generation the type keeps (ConfigMaps have none).
    if ((graceful.action == GracefulStep::Action::Mark || !terminating) && generation_of(old) > 0)
      m["generation"] = generation_of(old) + 1;
    if (finalizers) {
      if (finalizers->empty())
        m.erase("finalizers");
      else
        m["finalizers"] = std::move(*finalizers);
    }
    m.erase("resourceVersion");
    if (options.dry_run) return make_template(marked).stamp(current->mod_revision);
    store::WriteResult r = replace_stored(t, marked, current->mod_revision);
    if (r) return r.current.value;
    if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(gr, t.name);
  }
  throw ApiError::stale(gr, t.name);
}

RawList KernelPipeline::delete_collection(const UserInfo& user, const GroupVersionResource& gvr,
                                          std::string_view ns, const ListOptions& selection,
                                          const DeleteOptions& options) {
  Target t = target(user, "deletecollection", gvr, ns, {}, {});
  ListOptions all = selection;
  all.limit = 0;
  all.continue_token.clear();
  RawList matched = list(user, gvr, ns, all);
  RawList deleted;
  deleted.revision = matched.revision;
  for (const auto& item : matched.items) {
    boost::json::object object = parse_object(*item);
    try {
      deleted.items.push_back(
          remove(user, gvr, meta_string(object, "namespace"), meta_string(object, "name"), options));
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;  // deleted meanwhile: that is what we wanted
    }
  }
  deleted.revision = store_.current_revision();
  return deleted;
}

}  // namespace ukube::pipeline
