#include "kernel/pipeline/request_pipeline.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/time.h"
#include "ukube/machinery/uuid.h"

#include <boost/json.hpp>
#include <utility>

#include "kernel/pipeline/continue_token.h"
#include "kernel/pipeline/field_validation.h"
#include "kernel/pipeline/json_patch.h"
#include "kernel/pipeline/managed_fields.h"
#include "kernel/pipeline/object_codec.h"
#include "kernel/pipeline/object_meta.h"
#include "kernel/pipeline/pipeline_helpers.h"
#include "kernel/pipeline/selectors.h"
#include "kernel/pipeline/strategic_merge.h"
#include "kernel/pipeline/versions.h"
#include "ukube/errors.h"

namespace ukube::pipeline {

namespace {

// Whether an update leaves what the type's generation counts unchanged: everything but
// metadata and, for most types, status.
bool same_generation_fields(const TypeInfo& type, const boost::json::object& a,
                            const boost::json::object& b) {
  const bool status_counts = type.generation == TypeInfo::Generation::AllButMetadata;
  auto ignored = [&](std::string_view key) {
    return key == "metadata" || (!status_counts && key == "status");
  };
  auto counted_size = [&](const boost::json::object& o) {
    return o.size() - (o.contains("metadata") ? 1 : 0) - (!status_counts && o.contains("status") ? 1 : 0);
  };
  if (counted_size(a) != counted_size(b)) return false;
  for (const auto& m : a) {
    if (ignored(m.key())) continue;
    auto* other = b.if_contains(m.key());
    if (!other || *other != m.value()) return false;
  }
  return true;
}

// Members of `a` and `b` equal, `ignored` aside, compared in place (objects can be large).
bool same_members_except(const boost::json::object& a, const boost::json::object& b,
                         std::string_view ignored) {
  auto size_without = [&](const boost::json::object& o) { return o.size() - (o.contains(ignored) ? 1 : 0); };
  if (size_without(a) != size_without(b)) return false;
  for (const auto& m : a) {
    if (m.key() == ignored) continue;
    auto* other = b.if_contains(m.key());
    if (!other || *other != m.value()) return false;
  }
  return true;
}

// Whether an update changes nothing but the resourceVersion it was read at.
bool same_but_resource_version(const boost::json::object& a, const boost::json::object& b) {
  if (!same_members_except(a, b, "metadata")) return false;
  const auto* ma = a.if_contains("metadata");
  const auto* mb = b.if_contains("metadata");
  if (!ma || !mb || !ma->is_object() || !mb->is_object()) return ma == mb || (ma && mb && *ma == *mb);
  return same_members_except(ma->get_object(), mb->get_object(), "resourceVersion");
}

// fieldValidation: unknown fields leave the object in every mode; Strict and Warn tell
// the caller. Whole objects (create, update) are rejected with the decoding prefix
// upstream puts before strict errors, patches without it.
void validate_fields(const TypeInfo& type, boost::json::object& object, const WriteOptions& options,
                     std::optional<PatchType> patch = std::nullopt,
                     const std::vector<std::string>& duplicates = {}) {
  FieldProblems problems;
  problems.add_duplicates(duplicates);
  std::optional<TypeMismatch> mismatch;
  // Built-in objects are decoded into Go structs upstream, which refuses a value of the
  // wrong JSON type; custom resources (no strategic merge patch) are decoded into maps,
  // and their schema validation reports such values instead.
  if (type.schema)
    problems.add_unknown(type.strategic_merge_patch
                             ? prune_unknown_fields(object, SchemaView(type.schema.get()), mismatch)
                             : prune_unknown_fields(object, SchemaView(type.schema.get())));
  const std::string prefix =
      type.kind + " in version \"" + type.version + "\" cannot be handled as a " + type.kind + ": ";
  if (mismatch) {
    // A patch is refused as upstream's patcher refuses what it cannot decode: Invalid,
    // naming the patched object.
    // A strategic merge patch is applied to a map and converted, in upstream's words.
    if (patch)
      throw ApiError::invalid(
          GroupVersionKind{}, "",
          std::vector<FieldError>{
              {"FieldValueInvalid", "patch",
               "Invalid value: " + machinery::quote(boost::json::serialize(object)) + ": " +
                   (*patch == PatchType::StrategicMerge ? mismatch->converter_message(type.kind)
                                                        : mismatch->message(type.kind))}});
    throw ApiError::bad_request(prefix + mismatch->message(type.kind));
  }
  report_field_problems(problems, options, patch ? std::string() : prefix);
}

void apply_patch(boost::json::value& doc, PatchType type, const boost::json::value& patch,
                 const TypeInfo* schema_of) {
  switch (type) {
    case PatchType::JsonMerge: apply_merge_patch(doc, patch); break;
    case PatchType::JsonPatch: apply_json_patch(doc, patch); break;
    case PatchType::StrategicMerge:
      if (!doc.is_object()) doc = boost::json::object{};
      apply_strategic_merge_patch(doc.get_object(), patch.get_object(),
                                  SchemaView(schema_of ? schema_of->schema.get() : nullptr));
      break;
    case PatchType::Apply: break;  // handled by apply()
  }
}

}  // namespace

KernelPipeline::KernelPipeline(store::Store& store, watch::WatchBus& bus, TypeRegistry& types,
                               AuthChains& auth)
    : store_(store), bus_(bus), types_(types), auth_(auth) {}

TypeInfoPtr KernelPipeline::resolve(const GroupVersionResource& gvr) const {
  auto type = types_.find(gvr);
  if (!type) throw ApiError::resource_not_found();
  return type;
}

std::string KernelPipeline::key_for(const TypeInfo& type, std::string_view ns, std::string_view name) const {
  std::string key = type.key_prefix();
  if (type.namespaced) key.append(ns).push_back('/');
  key.append(name);
  return key;
}

KernelPipeline::Target KernelPipeline::target(const UserInfo& user, const char* verb,
                                              const GroupVersionResource& gvr, std::string_view ns,
                                              std::string_view name, std::string_view subresource) const {
  Target t{resolve(gvr), std::string(ns), std::string(name), std::string(subresource), {}, &user};
  if (!t.type->namespaced && !ns.empty()) throw ApiError::resource_not_found();
  const bool known_subresource =
      subresource.empty() || subresource == "status" || (subresource == "scale" && t.type->scale) ||
      (subresource == "finalize" && is_namespace(*t.type)) ||
      t.type->subresource_writers.count(t.subresource) || t.type->subresource_answers.count(t.subresource);
  if (!known_subresource) throw ApiError::not_found(t.type->group_resource() + "/" + t.subresource, t.name);
  if (subresource == "status" && !t.type->status_subresource) throw ApiError::resource_not_found();
  if (t.type->computed_read && std::string_view(verb) != "get" && std::string_view(verb) != "list")
    throw ApiError::method_not_allowed(t.type->group_resource() +
                                       " serves get and list only: it is computed on "
                                       "each request, so there is nothing to " +
                                       verb);
  RequestAttributes attrs{user,           verb,          true, t.type->group, t.type->version,
                          t.type->plural, t.subresource, t.ns, t.name,        {}};
  auth_.authorize(attrs);
  if (!name.empty()) t.key = key_for(*t.type, ns, name);
  return t;
}

std::string KernelPipeline::manager_of(const Target& t, const WriteOptions& options) {
  // The HTTP front end passes fieldManager or upstream's user-agent prefix; in-process
  // callers that name no manager are known by their identity.
  return options.field_manager.empty() ? t.user->name : options.field_manager;
}

void KernelPipeline::admit_and_validate(const Target& t, AdmissionOperation op, boost::json::object& object,
                                        const boost::json::object* old, bool dry_run, bool check) {
  AdmissionRequest request{op, t.type.get(), t.subresource, t.ns, t.name, &object, old, t.user, dry_run};
  auth_.admit(request);
  if (check) {
    for (const auto& d : t.type->defaulters) d(object);
    std::vector<FieldError> errors;
    // Ephemeral objects (access reviews) are never stored, so need no name.
    if (!t.type->ephemeral_create) validate_object_meta(object, *t.type, errors);
    for (const auto& v : t.type->validators) v(object, old, errors);
    if (!errors.empty()) throw ApiError::invalid(t.type->gvk(), meta_string(object, "name"), errors);
  }
  auth_.validate(request);
}

store::Bytes KernelPipeline::get(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                                 std::string_view name, const GetOptions& options,
                                 std::string_view subresource) {
  Target t = target(user, "get", gvr, ns, name, subresource);
  if (t.subresource == "scale") return get_scale(t);
  if (t.type->computed_read) {
    auto items = t.type->computed_read({user, t.ns, t.name, {}, {}});
    if (items.empty()) throw ApiError::not_found(t.type->group_resource(), t.name);
    return store::make_bytes(boost::json::serialize(items.front()));
  }
  auto kv = store_.get(t.key);
  if (!kv) throw ApiError::not_found(t.type->group_resource(), t.name);
  return present(*t.type, kv->value);
}

RawList KernelPipeline::list(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                             const ListOptions& options) {
  Target t = target(user, "list", gvr, ns, {}, {});
  if (t.type->computed_read) {
    RawList out;
    out.revision = store_.current_revision();
    for (const auto& item :
         t.type->computed_read({user, t.ns, {}, options.label_selector, options.field_selector}))
      out.items.push_back(store::make_bytes(boost::json::serialize(item)));
    return out;
  }
  auto labels = LabelSelector::parse(options.label_selector);
  auto fields = FieldSelector::parse(options.field_selector, *t.type);
  std::string prefix = t.type->key_prefix();
  if (t.type->namespaced && !ns.empty()) prefix.append(ns).push_back('/');

  store::ListOptions page;
  if (!options.continue_token.empty()) {
    ContinueToken token = ContinueToken::decode(options.continue_token, prefix);
    page.revision = token.revision;
    page.start_after = token.start_after;
  } else if (!options.resource_version.empty() && options.resource_version != "0" &&
             options.resource_version_match == "Exact") {
    page.revision = parse_revision(options.resource_version, "resourceVersion");
  }
  const bool filtered = !labels.empty() || !fields.empty();
  RawList out;
  try {
    while (true) {
      page.limit = options.limit > 0 ? options.limit - static_cast<int64_t>(out.items.size()) : 0;
      if (filtered && page.limit > 0) page.limit = std::max<int64_t>(page.limit, 256);
      store::ListResult r = store_.list(prefix, page);
      page.revision = out.revision = r.revision;
      size_t used = 0;
      for (auto& kv : r.items) {
        ++used;
        if (filtered) {
          boost::json::object object = parse_object(*kv.value);
          if (!labels.matches(object) || !fields.matches(object)) continue;
        }
        out.items.push_back(present(*t.type, std::move(kv.value)));
        page.start_after = kv.key;
        if (options.limit > 0 && static_cast<int64_t>(out.items.size()) >= options.limit) break;
      }
      bool more = r.more || used < r.items.size();
      if (options.limit > 0 && static_cast<int64_t>(out.items.size()) >= options.limit) {
        if (more) {
          out.continue_token = ContinueToken{out.revision, page.start_after}.encode();
          if (!filtered) out.remaining_item_count = r.remaining + static_cast<int64_t>(r.items.size() - used);
        }
        break;
      }
      if (!more) break;
      if (!r.items.empty()) page.start_after = r.items.back().key;
    }
  } catch (const store::StoreError& e) {
    if (e.code() != store::StoreError::Code::Compacted) throw;
    if (!options.continue_token.empty())
      throw ApiError::gone(
          "The provided continue parameter is too old to display a consistent list result. You can start a "
          "new list "
          "without the continue parameter.");
    throw ApiError::expired("too old resource version: " + options.resource_version + " (" +
                            std::to_string(store_.compacted_revision()) + ")");
  }
  return out;
}

store::Bytes KernelPipeline::create(const UserInfo& user, const GroupVersionResource& gvr,
                                    std::string_view ns, boost::json::object object,
                                    const WriteOptions& options) {
  Target t = target(user, "create", gvr, ns, {}, {});
  set_type_meta(object, *t.type);
  if (t.type->ephemeral_create) return answer_ephemeral(t, std::move(object), options);
  validate_fields(*t.type, object, options);
  return create_object(t, std::move(object), options, true);
}

store::Bytes KernelPipeline::answer_ephemeral(Target& t, boost::json::object object,
                                              const WriteOptions& options) {
  validate_fields(*t.type, object, options);
  // Not stored, but checked and admitted like any create (upstream runs the reviews
  // through admission too).
  admit_and_validate(t, AdmissionOperation::Create, object, nullptr, options.dry_run);
  EphemeralCall call{*t.user, object, nullptr, t.ns, options.dry_run};
  return store::make_bytes(boost::json::serialize(t.type->ephemeral_create(call)));
}

store::Bytes KernelPipeline::create_object(Target& t, boost::json::object object, const WriteOptions& options,
                                           bool track) {
  const TypeInfo& type = *t.type;
  if (type.namespaced && t.ns.empty())
    throw ApiError::bad_request("the namespace of the object is required to create a " + type.kind);
  set_type_meta(object, type);
  auto& meta = metadata(object);
  std::string body_ns = meta_string(object, "namespace");
  if (type.namespaced) {
    if (!body_ns.empty() && body_ns != t.ns)
      throw ApiError::bad_request(
          "the namespace of the provided object does not match the namespace sent on the request");
    meta["namespace"] = t.ns;
  } else {
    meta.erase("namespace");
  }
  if (!meta_string(object, "resourceVersion").empty())
    throw ApiError::bad_request("resourceVersion should not be set on objects to be created");
  t.name = meta_string(object, "name");
  const std::string generate_prefix = t.name.empty() ? meta_string(object, "generateName") : "";
  if (!generate_prefix.empty()) {
    t.name = generate_name(generate_prefix);
    meta["name"] = t.name;
  }
  const std::string now = machinery::now_rfc3339();
  meta["uid"] = machinery::new_uuid();
  meta["creationTimestamp"] = now;
  if (type.generation == TypeInfo::Generation::None)
    meta.erase("generation");
  else
    meta["generation"] = 1;
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  if (type.namespaced) check_namespace_open(t);
  if (is_namespace(type)) require_namespace_finalizer(object);
  for (const auto& prepare : type.prepare_create) prepare(object);
  admit_and_validate(t, AdmissionOperation::Create, object, nullptr, options.dry_run);
  t.name = meta_string(object, "name");
  t.key = key_for(type, t.ns, t.name);
  if (track)
    track_update(nullptr, object, SchemaView(type.schema.get()),
                 {manager_of(t, options), type.api_version(), t.subresource, now});

  to_storage(type, object);
  ObjectTemplate encoded = make_template(object);
  if (options.dry_run) {
    if (store_.get(t.key)) throw ApiError::already_exists(type.group_resource(), t.name);
    return present(type, encoded.stamp(store_.current_revision()));
  }
  if (!options.wait_for_commit) {
    store_.submit(
        {store::WriteKind::Create, t.key, [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); }, 0},
        nullptr);
    return nullptr;
  }
  // A generated name taken already is generated again, as upstream does (RetryGenerateName,
  // on by default since 1.32): five random characters collide among tens of thousands of pods.
  constexpr int kNameAttempts = 8;
  for (int attempt = 1;; ++attempt) {
    store::WriteResult r = store_.write(
        {store::WriteKind::Create, t.key, [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); }, 0});
    if (r.status != store::WriteStatus::AlreadyExists) return present(type, r.current.value);
    if (generate_prefix.empty() || attempt == kNameAttempts)
      throw ApiError::already_exists(type.group_resource(), t.name);
    t.name = generate_name(generate_prefix);
    metadata(object)["name"] = t.name;
    t.key = key_for(type, t.ns, t.name);
    encoded = make_template(object);
  }
}

store::WriteResult KernelPipeline::replace_stored(const Target& t, const boost::json::object& object,
                                                  int64_t revision) {
  ObjectTemplate encoded;
  if (t.type->convert) {
    boost::json::object stored = object;
    to_storage(*t.type, stored);
    encoded = make_template(stored);
  } else {
    encoded = make_template(object);
  }
  return store_.write({store::WriteKind::Update, t.key,
                       [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); }, revision});
}

std::optional<store::Bytes> KernelPipeline::write_update(const Target& t, const store::KeyValue& current,
                                                         const boost::json::object& old,
                                                         boost::json::object object,
                                                         const WriteOptions& options, UpdatePath path) {
  const TypeInfo& type = *t.type;
  set_type_meta(object, type);
  const auto* old_meta = metadata(old);
  static const boost::json::object kNone;
  if (t.subresource == "status" || t.subresource == "finalize") {
    // The status endpoint changes status and nothing else (but records who changed it);
    // namespaces/finalize changes spec (its finalizers) and nothing else.
    const boost::json::object changed = std::move(object);
    object = old;
    keep_member(changed, object, t.subresource == "status" ? "status" : "spec");
    if (t.subresource == "status") {
      const auto* changed_meta = metadata(changed);
      keep_member(changed_meta ? *changed_meta : kNone, metadata(object), "managedFields");
    }
  } else if (t.subresource.empty() && type.status_subresource) {
    // Subresource writers (pods/binding) decide what changes, status included.
    keep_member(old, object, "status");
  }
  if (t.subresource.empty() && is_namespace(type)) {
    // spec.finalizers change only through namespaces/finalize.
    const auto* old_spec = old.if_contains("spec");
    auto& spec = object["spec"];
    if (!spec.is_object()) spec = boost::json::object{};
    keep_member(old_spec && old_spec->is_object() ? old_spec->get_object() : kNone, spec.get_object(),
                "finalizers");
    if (spec.get_object().empty()) object.erase("spec");
  }
  auto& m = metadata(object);
  for (const char* field : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                            "namespace", "name", "generation"})
    keep_member(old_meta ? *old_meta : kNone, m, field);
  if (type.generation != TypeInfo::Generation::None && !same_generation_fields(type, object, old))
    m["generation"] = generation_of(old) + 1;
  m.erase("resourceVersion");

  admit_and_validate(t, AdmissionOperation::Update, object, &old, options.dry_run,
                     path != UpdatePath::Storage);
  if (path == UpdatePath::Full)
    track_update(&old, object, SchemaView(type.schema.get()),
                 {manager_of(t, options), type.api_version(), t.subresource, machinery::now_rfc3339()});

  if (same_but_resource_version(object, old))
    return present(type, current.value);  // a no-op update keeps its revision, as upstream
  if (options.dry_run) return make_template(object).stamp(current.mod_revision);

  // A namespace is also held by spec.finalizers, which the namespace controller empties
  // (namespaces/finalize) once the content is gone.
  const bool held_namespace = is_namespace(type) && has_spec_finalizers(object);
  if (old_meta && old_meta->contains("deletionTimestamp") && !has_finalizers(object) && !held_namespace) {
    // The last finalizer is gone: the deletion that was waiting for it happens now.
    store::WriteResult r = store_.remove(t.key, current.mod_revision);
    if (r.status == store::WriteStatus::Conflict) return std::nullopt;
    if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(type.group_resource(), t.name);
    return make_template(object).stamp(r.revision);
  }
  store::WriteResult r = replace_stored(t, object, current.mod_revision);
  if (r.status == store::WriteStatus::Conflict) return std::nullopt;
  if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(type.group_resource(), t.name);
  return present(type, r.current.value);
}

store::Bytes KernelPipeline::create_subresource(const UserInfo& user, const GroupVersionResource& gvr,
                                                std::string_view ns, std::string_view name,
                                                std::string_view subresource, boost::json::object body,
                                                const WriteOptions& options) {
  Target t = target(user, "create", gvr, ns, name, subresource);
  if (auto answer = t.type->subresource_answers.find(t.subresource);
      answer != t.type->subresource_answers.end()) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
    boost::json::object parent = read_as(*t.type, current->value);
    // As upstream, the body goes through admission (NodeRestriction limits the tokens a
    // kubelet may ask for), with the stored parent as the old object.
    AdmissionRequest request{AdmissionOperation::Create,
                             t.type.get(),
                             t.subresource,
                             t.ns,
                             t.name,
                             &body,
                             &parent,
                             t.user,
                             options.dry_run};
    auth_.admit(request);
    auth_.validate(request);
    EphemeralCall call{user, body, &parent, t.ns, options.dry_run};
    return store::make_bytes(boost::json::serialize(answer->second.answer(call)));
  }
  auto writer = t.type->subresource_writers.find(t.subresource);
  if (writer == t.type->subresource_writers.end())
    throw ApiError::method_not_allowed("create is not supported on " + t.type->plural + "/" + t.subresource);
  for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
    boost::json::object old = read_as(*t.type, current->value);
    boost::json::object updated = writer->second(old, body);
    if (auto written = write_update(t, *current, old, std::move(updated), options, UpdatePath::Storage))
      return *written;
  }
  throw ApiError::stale(t.type->group_resource(), t.name);
}

store::Bytes KernelPipeline::update(const UserInfo& user, const GroupVersionResource& gvr,
                                    std::string_view ns, std::string_view name, boost::json::object object,
                                    const WriteOptions& options, std::string_view subresource) {
  std::string body_name = meta_string(object, "name");
  if (name.empty()) name = body_name;
  if (name.empty()) throw ApiError::bad_request("name is required to update an object");
  if (!body_name.empty() && body_name != name)
    throw ApiError::bad_request("the name of the object (" + body_name +
                                ") does not match the name on the URL (" + std::string(name) + ")");
  Target t = target(user, "update", gvr, ns, name, subresource);
  std::string body_ns = meta_string(object, "namespace");
  if (t.type->namespaced && !body_ns.empty() && body_ns != ns)
    throw ApiError::bad_request(
        "the namespace of the provided object does not match the namespace sent on the request");
  if (t.subresource == "scale") return write_scale(t, std::move(object), options);
  auto current = store_.get(t.key);
  if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
  std::string requested = meta_string(object, "resourceVersion");
  if (!requested.empty() && parse_revision(requested, "metadata.resourceVersion") != current->mod_revision)
    throw ApiError::stale(t.type->group_resource(), t.name);
  boost::json::object old = read_as(*t.type, current->value);
  validate_fields(*t.type, object, options);
  auto written = write_update(t, *current, old, std::move(object), options);
  if (!written) throw ApiError::stale(t.type->group_resource(), t.name);
  return *written;
}

store::Bytes KernelPipeline::patch(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                                   std::string_view name, PatchType type, std::string_view body,
                                   const WriteOptions& options, std::string_view subresource) {
  Target t = target(user, "patch", gvr, ns, name, subresource);
  if (t.subresource == "scale") return patch_scale(t, type, body, options);
  if (type == PatchType::Apply) return apply(t, body, options);
  if (type == PatchType::StrategicMerge && !t.type->strategic_merge_patch)
    throw ApiError::unsupported_media_type(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  boost::json::value patch_doc = parse_body(body, "the patch");
  if (type == PatchType::StrategicMerge && !patch_doc.is_object())
    throw ApiError::bad_request("a strategic merge patch must be a JSON object");
  std::vector<std::string> duplicates;
  if (options.field_validation != FieldValidation::Ignore) duplicates = duplicate_fields(body);
  for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
    // Read (and converted) once: the patch applies to a copy, `old` stays as stored.
    const boost::json::object old = read_as(*t.type, current->value);
    boost::json::value doc = old;
    apply_patch(doc, type, patch_doc, t.type.get());
    if (!doc.is_object()) throw ApiError::bad_request("the patched document is not a JSON object");
    boost::json::object patched = std::move(doc.get_object());
    // Warnings of an attempt that loses a race would repeat: keep only the last one's.
    std::vector<std::string> warnings;
    WriteOptions attempt_options = options;
    attempt_options.warnings = &warnings;
    validate_fields(*t.type, patched, attempt_options, type, duplicates);
    std::string rv = meta_string(patched, "resourceVersion");
    if (!rv.empty() && rv != std::to_string(current->mod_revision))
      throw ApiError::stale(t.type->group_resource(), t.name);
    if (auto written = write_update(t, *current, old, std::move(patched), options)) {
      if (options.warnings)
        options.warnings->insert(options.warnings->end(), warnings.begin(), warnings.end());
      return *written;
    }
  }
  throw ApiError::stale(t.type->group_resource(), t.name);
}

}  // namespace ukube::pipeline
