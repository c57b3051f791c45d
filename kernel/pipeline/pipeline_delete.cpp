// Deletion, with finalizers, preconditions and propagation to dependents.
//
// There is no garbage collector yet, so the pipeline propagates deletions itself,
// synchronously: dependents are the objects whose metadata.ownerReferences name the
// owner's uid (namespaced owners: namespaced objects in the same namespace; cluster-scoped
// owners: any object), found by scanning the store under every registered type's prefix.
//  - Orphan: the owner's reference is removed from each dependent, then the owner goes.
//  - Foreground: dependents are deleted (recursively, foreground) before the owner.
//  - Background (the default): the owner goes, then its dependents (recursively); an owner
//    held by finalizers takes its dependents along when its last finalizer is removed.
// Dependents held by finalizers are only marked, and nothing waits for them. A real
// garbage collector (a later controller, with upstream's orphan / foregroundDeletion
// finalizers) will replace this.
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

std::string policy_of(const DeleteOptions& options) {
  const std::string& p = options.propagation_policy;
  if (p.empty()) return "Background";
  if (p != "Orphan" && p != "Background" && p != "Foreground")
    throw ApiError::invalid(
        {"meta.k8s.io", "v1", "DeleteOptions"}, "",
        {{"FieldValueNotSupported", "propagationPolicy",
          "Unsupported value: \"" + p + "\": supported values: \"Foreground\", \"Background\", \"Orphan\""}});
  return p;
}

// Removes the references to `uid`; false when there were none.
bool drop_owner(boost::json::object& object, const std::string& uid) {
  auto& meta = metadata(object);
  auto* refs = meta.if_contains("ownerReferences");
  if (!refs || !refs->is_array()) return false;
  auto& list = refs->get_array();
  size_t before = list.size();
  for (size_t i = list.size(); i-- > 0;) {
    const auto* o = list[i].if_object();
    const auto* u = o ? o->if_contains("uid") : nullptr;
    if (u && u->is_string() && u->get_string() == uid)
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
  }
  if (list.size() == before) return false;
  if (list.empty()) meta.erase("ownerReferences");
  return true;
}

bool owned_by(const boost::json::object& object, std::string_view uid) {
  const auto* meta = metadata(object);
  const auto* refs = meta ? meta->if_contains("ownerReferences") : nullptr;
  if (!refs || !refs->is_array()) return false;
  for (const auto& ref : refs->get_array()) {
    const auto* o = ref.if_object();
    const auto* u = o ? o->if_contains("uid") : nullptr;
    if (u && u->is_string() && u->get_string() == uid) return true;
  }
  return false;
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
  Deletion deletion;
  return delete_object(t, options, deletion);
}

store::Bytes KernelPipeline::delete_object(const Target& t, const DeleteOptions& options,
                                           Deletion& deletion) {
  const std::string gr = t.type->group_resource();
  const std::string policy = policy_of(options);
  if (is_namespace(*t.type) && namespace_type()) return delete_namespace(t, options, deletion);
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
    if (graceful.action == GracefulStep::Action::Pending) return current->value;
    // Marks the object as deleted `period` seconds from `stamp`; null when it changed meanwhile.
    auto mark = [&](const std::string& stamp, int64_t period) -> store::Bytes {
      boost::json::object marked = old;
      auto& m = metadata(marked);
      m["deletionTimestamp"] = stamp;
      m["deletionGracePeriodSeconds"] = period;
      m["generation"] = generation_of(old) + 1;
      m.erase("resourceVersion");
      if (options.dry_run) return make_template(marked).stamp(current->mod_revision);
      ObjectTemplate encoded = make_template(marked);
      store::WriteResult r = store_.write({store::WriteKind::Update, t.key,
                                           [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); },
                                           current->mod_revision});
      return r ? r.current.value : nullptr;
    };
    if (graceful.action == GracefulStep::Action::Mark) {
      if (auto marked = mark(graceful.deletion_timestamp, graceful.period)) return marked;
      continue;
    }

    std::string uid = meta_string(old, "uid");
    // A namespace sweep deletes every namespaced dependent anyway: no scan per object.
    const bool cascades =
        !options.dry_run && !uid.empty() && !(deletion.sweeping_namespace && t.type->namespaced);
    if (cascades) {
      deletion.visited.insert(uid);
      if (policy == "Orphan") orphan_dependents(t, uid);
      if (policy == "Foreground") delete_dependents(t, uid, options, deletion);
    }

    if (has_finalizers(old)) {
      // Finalizers hold the object: mark it and let their owners finish the deletion.
      if (is_terminating(old)) return current->value;
      if (auto marked = mark(machinery::now_rfc3339(), options.grace_period_seconds.value_or(0)))
        return marked;
      continue;
    }
    if (options.dry_run) return current->value;
    store::WriteResult r = store_.remove(t.key, current->mod_revision);
    if (r) {
      after_removal(t, old, options, deletion);
      return current->value;
    }
    if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(gr, t.name);
  }
  throw ApiError::stale(gr, t.name);
}

void KernelPipeline::after_removal(const Target& t, const boost::json::object& removed,
                                   const DeleteOptions& options, Deletion& deletion) {
  std::string uid = meta_string(removed, "uid");
  const bool swept = deletion.sweeping_namespace && t.type->namespaced;
  if (!uid.empty() && options.propagation_policy != "Orphan" && !swept) {
    deletion.visited.insert(uid);
    delete_dependents(t, uid, options, deletion);
  }
  if (t.type->namespaced && !deletion.sweeping_namespace) finish_namespace(t, t.ns);
}

std::vector<KernelPipeline::Dependent> KernelPipeline::find_dependents(const TypeInfo& owner_type,
                                                                       std::string_view owner_ns,
                                                                       std::string_view owner_uid) {
  std::vector<Dependent> out;
  std::set<std::string> prefixes;
  for (const auto& type : types_.all()) {
    if (!prefixes.insert(type->key_prefix()).second) continue;
    std::string prefix = type->key_prefix();
    if (owner_type.namespaced) {
      if (!type->namespaced) continue;  // a cluster-scoped object cannot depend on a namespaced one
      prefix.append(owner_ns).push_back('/');
    }
    for (const auto& kv : store_.list(prefix).items) {
      // Almost no object names the owner: skip the parse unless its uid is in the bytes.
      if (kv.value->find(owner_uid) == std::string::npos) continue;
      boost::json::object object = parse_object(*kv.value);
      if (!owned_by(object, owner_uid)) continue;
      out.push_back(
          {type, meta_string(object, "namespace"), meta_string(object, "name"), meta_string(object, "uid")});
    }
  }
  return out;
}

void KernelPipeline::orphan_dependents(const Target& owner, const std::string& uid) {
  for (const auto& d : find_dependents(*owner.type, owner.ns, uid)) {
    Target dt = internal_target(owner, d.type, d.ns, d.name);
    for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
      auto current = store_.get(dt.key);
      if (!current) break;
      boost::json::object old = parse_object(*current->value);
      boost::json::object orphaned = old;
      if (!drop_owner(orphaned, uid)) break;
      try {
        if (write_update(dt, *current, old, std::move(orphaned), WriteOptions{})) break;
      } catch (const ApiError&) {
        break;  // refused (admission, validation): the reference stays, as a failed GC pass would leave it
      }
    }
  }
}

void KernelPipeline::delete_dependents(const Target& owner, const std::string& uid,
                                       const DeleteOptions& options, Deletion& deletion) {
  DeleteOptions cascade;
  cascade.propagation_policy = options.propagation_policy == "Foreground" ? "Foreground" : "Background";
  cascade.grace_period_seconds = options.grace_period_seconds;
  for (const auto& d : find_dependents(*owner.type, owner.ns, uid)) {
    if (deletion.visited.count(d.uid)) continue;
    try {
      delete_object(internal_target(owner, d.type, d.ns, d.name), cascade, deletion);
    } catch (const ApiError&) {
      // Gone meanwhile, or refused: a garbage collector would retry; this pass does not.
    }
  }
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
