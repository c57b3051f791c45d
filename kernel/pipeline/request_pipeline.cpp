#include "kernel/pipeline/request_pipeline.h"

#include <boost/json.hpp>
#include <charconv>

#include "kernel/pipeline/continue_token.h"
#include "kernel/pipeline/field_validation.h"
#include "kernel/pipeline/json_patch.h"
#include "kernel/pipeline/object_codec.h"
#include "kernel/pipeline/object_meta.h"
#include "kernel/pipeline/selectors.h"
#include "kernel/pipeline/strategic_merge.h"
#include "ukube/errors.h"

namespace ukube::pipeline {

namespace {

constexpr int kUpdateRetries = 5;

int64_t parse_revision(std::string_view text, const char* what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    throw ApiError::bad_request(std::string("invalid ") + what + ": \"" + std::string(text) +
                                "\" is not a resourceVersion this server issued");
  return value;
}

void set_type_meta(boost::json::object& object, const TypeInfo& type) {
  auto check = [&](const char* field, const std::string& want) {
    auto* v = object.if_contains(field);
    if (v && v->is_string() && !v->get_string().empty() && v->get_string() != want)
      throw ApiError::bad_request(std::string(field) + " \"" + std::string(v->get_string()) +
                                  "\" does not match the resource it was sent to (expected \"" + want +
                                  "\")");
  };
  check("kind", type.kind);
  check("apiVersion", type.api_version());
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
}

// Everything but metadata and status: what a spec change is, for generation.
bool same_spec(const boost::json::object& a, const boost::json::object& b) {
  auto spec_size = [](const boost::json::object& o) {
    return o.size() - (o.contains("metadata") ? 1 : 0) - (o.contains("status") ? 1 : 0);
  };
  if (spec_size(a) != spec_size(b)) return false;
  for (const auto& m : a) {
    if (m.key() == "metadata" || m.key() == "status") continue;
    auto* other = b.if_contains(m.key());
    if (!other || *other != m.value()) return false;
  }
  return true;
}

bool has_finalizers(const boost::json::object& object) {
  const auto* meta = metadata(object);
  if (!meta) return false;
  auto* f = meta->if_contains("finalizers");
  return f && f->is_array() && !f->get_array().empty();
}

int64_t generation_of(const boost::json::object& object) {
  const auto* meta = metadata(object);
  auto* g = meta ? meta->if_contains("generation") : nullptr;
  return g && g->is_int64() ? g->get_int64() : 0;
}

// fieldValidation: unknown fields leave the object in every mode; Strict and Warn tell
// the caller. Whole objects (create, update) are rejected with the decoder's prefix that
// upstream puts before strict errors; patches (`patch_text` set) without it.
void validate_fields(const TypeInfo& type, boost::json::object& object, const WriteOptions& options,
                     std::string_view patch_text = {}) {
  FieldProblems problems;
  if (!patch_text.empty() && options.field_validation != FieldValidation::Ignore)
    problems.add_duplicates(duplicate_fields(patch_text));
  if (type.schema) problems.add_unknown(prune_unknown_fields(object, SchemaView(type.schema.get())));
  std::string prefix;
  if (patch_text.empty())
    prefix = type.kind + " in version \"" + type.version + "\" cannot be handled as a " + type.kind + ": ";
  report_field_problems(problems, options, prefix);
}

boost::json::value parse_body(std::string_view body, const char* what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) throw ApiError::bad_request(std::string(what) + " is not valid JSON: " + ec.message());
  return v;
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
  if (!subresource.empty() && subresource != "status" && !t.type->subresource_writers.count(t.subresource))
    throw ApiError::not_found(t.type->group_resource() + "/" + t.subresource, t.name);
  if (subresource == "status" && !t.type->status_subresource) throw ApiError::resource_not_found();
  RequestAttributes attrs{user,           verb,          true, t.type->group, t.type->version,
                          t.type->plural, t.subresource, t.ns, t.name,        {}};
  auth_.authorize(attrs);
  if (!name.empty()) t.key = key_for(*t.type, ns, name);
  return t;
}

void KernelPipeline::admit_and_validate(const Target& t, AdmissionOperation op, boost::json::object& object,
                                        const boost::json::object* old, bool dry_run) {
  AdmissionRequest request{op, t.type.get(), t.subresource, t.ns, t.name, &object, old, t.user, dry_run};
  auth_.admit(request);
  for (const auto& d : t.type->defaulters) d(object);
  std::vector<FieldError> errors;
  validate_object_meta(object, *t.type, errors);
  for (const auto& v : t.type->validators) v(object, old, errors);
  if (!errors.empty()) throw ApiError::invalid(t.type->gvk(), meta_string(object, "name"), errors);
  auth_.validate(request);
}

store::Bytes KernelPipeline::get(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                                 std::string_view name, const GetOptions& options,
                                 std::string_view subresource) {
  Target t = target(user, "get", gvr, ns, name, subresource);
  auto kv = store_.get(t.key);
  if (!kv) throw ApiError::not_found(t.type->group_resource(), t.name);
  return kv->value;
}

RawList KernelPipeline::list(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                             const ListOptions& options) {
  Target t = target(user, "list", gvr, ns, {}, {});
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
        out.items.push_back(std::move(kv.value));
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
  const TypeInfo& type = *t.type;
  if (type.namespaced && ns.empty())
    throw ApiError::bad_request("the namespace of the object is required to create a " + type.kind);
  set_type_meta(object, type);
  validate_fields(type, object, options);
  auto& meta = metadata(object);
  std::string body_ns = meta_string(object, "namespace");
  if (type.namespaced) {
    if (!body_ns.empty() && body_ns != ns)
      throw ApiError::bad_request(
          "the namespace of the provided object does not match the namespace sent on the request");
    meta["namespace"] = t.ns;
  } else {
    meta.erase("namespace");
  }
  if (!meta_string(object, "resourceVersion").empty())
    throw ApiError::bad_request("resourceVersion should not be set on objects to be created");
  t.name = meta_string(object, "name");
  if (t.name.empty()) {
    std::string prefix = meta_string(object, "generateName");
    if (!prefix.empty()) {
      t.name = generate_name(prefix);
      meta["name"] = t.name;
    }
  }
  meta["uid"] = new_uid();
  meta["creationTimestamp"] = now_rfc3339();
  meta["generation"] = 1;
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  admit_and_validate(t, AdmissionOperation::Create, object, nullptr, options.dry_run);
  t.name = meta_string(object, "name");
  t.key = key_for(type, t.ns, t.name);

  ObjectTemplate encoded = make_template(object);
  if (options.dry_run) {
    if (store_.get(t.key)) throw ApiError::already_exists(type.group_resource(), t.name);
    return encoded.stamp(store_.current_revision());
  }
  store::WriteResult r = store_.write(
      {store::WriteKind::Create, t.key, [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); }, 0});
  if (r.status == store::WriteStatus::AlreadyExists)
    throw ApiError::already_exists(type.group_resource(), t.name);
  return r.current.value;
}

std::optional<store::Bytes> KernelPipeline::write_update(const Target& t, const store::KeyValue& current,
                                                         const boost::json::object& old,
                                                         boost::json::object object,
                                                         const WriteOptions& options) {
  const TypeInfo& type = *t.type;
  set_type_meta(object, type);
  const auto* old_meta = metadata(old);
  if (t.subresource == "status") {
    // The status endpoint changes status and nothing else.
    boost::json::value status = object.contains("status") ? object["status"] : boost::json::value();
    object = old;
    if (status.is_null())
      object.erase("status");
    else
      object["status"] = std::move(status);
  } else if (type.status_subresource) {
    if (auto* s = old.if_contains("status"))
      object["status"] = *s;
    else
      object.erase("status");
  }
  auto& m = metadata(object);
  for (const char* field : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                            "namespace", "name", "generation"}) {
    if (auto* v = old_meta ? old_meta->if_contains(field) : nullptr)
      m[field] = *v;
    else
      m.erase(field);
  }
  if (!same_spec(object, old)) m["generation"] = generation_of(old) + 1;
  m.erase("resourceVersion");

  admit_and_validate(t, AdmissionOperation::Update, object, &old, options.dry_run);

  boost::json::object old_without_rv = old;
  metadata(old_without_rv).erase("resourceVersion");
  if (object == old_without_rv) return current.value;  // a no-op update keeps its revision, as upstream
  if (options.dry_run) return make_template(object).stamp(current.mod_revision);

  if (old_meta && old_meta->contains("deletionTimestamp") && !has_finalizers(object)) {
    // The last finalizer is gone: the deletion that was waiting for it happens now.
    store::WriteResult r = store_.remove(t.key, current.mod_revision);
    if (r.status == store::WriteStatus::Conflict) return std::nullopt;
    if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(type.group_resource(), t.name);
    return make_template(object).stamp(r.revision);
  }
  ObjectTemplate encoded = make_template(object);
  store::WriteResult r =
      store_.write({store::WriteKind::Update, t.key,
                    [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); }, current.mod_revision});
  if (r.status == store::WriteStatus::Conflict) return std::nullopt;
  if (r.status == store::WriteStatus::NotFound) throw ApiError::not_found(type.group_resource(), t.name);
  return r.current.value;
}

store::Bytes KernelPipeline::create_subresource(const UserInfo& user, const GroupVersionResource& gvr,
                                                std::string_view ns, std::string_view name,
                                                std::string_view subresource, boost::json::object body,
                                                const WriteOptions& options) {
  Target t = target(user, "create", gvr, ns, name, subresource);
  auto writer = t.type->subresource_writers.find(t.subresource);
  if (writer == t.type->subresource_writers.end())
    throw ApiError::method_not_allowed("create is not supported on " + t.type->plural + "/" + t.subresource);
  for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
    boost::json::object old = parse_object(*current->value);
    boost::json::object updated = writer->second(old, body);
    if (auto written = write_update(t, *current, old, std::move(updated), options)) return *written;
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
  auto current = store_.get(t.key);
  if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
  std::string requested = meta_string(object, "resourceVersion");
  if (!requested.empty() && parse_revision(requested, "metadata.resourceVersion") != current->mod_revision)
    throw ApiError::stale(t.type->group_resource(), t.name);
  boost::json::object old = parse_object(*current->value);
  validate_fields(*t.type, object, options);
  auto written = write_update(t, *current, old, std::move(object), options);
  if (!written) throw ApiError::stale(t.type->group_resource(), t.name);
  return *written;
}

store::Bytes KernelPipeline::patch(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                                   std::string_view name, PatchType type, std::string_view body,
                                   const WriteOptions& options, std::string_view subresource) {
  Target t = target(user, "patch", gvr, ns, name, subresource);
  if (type == PatchType::Apply)
    throw ApiError::unsupported_media_type(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
  boost::json::value patch_doc = parse_body(body, "the patch");
  if (type == PatchType::StrategicMerge && !patch_doc.is_object())
    throw ApiError::bad_request("a strategic merge patch must be a JSON object");
  for (int attempt = 0; attempt < kUpdateRetries; ++attempt) {
    auto current = store_.get(t.key);
    if (!current) throw ApiError::not_found(t.type->group_resource(), t.name);
    boost::json::value doc = parse_object(*current->value);
    if (type == PatchType::JsonMerge)
      apply_merge_patch(doc, patch_doc);
    else if (type == PatchType::StrategicMerge)
      apply_strategic_merge_patch(doc.get_object(), patch_doc.get_object(), SchemaView(t.type->schema.get()));
    else
      apply_json_patch(doc, patch_doc);
    if (!doc.is_object()) throw ApiError::bad_request("the patched document is not a JSON object");
    boost::json::object patched = std::move(doc.get_object());
    validate_fields(*t.type, patched, options, body);
    std::string rv = meta_string(patched, "resourceVersion");
    bool pinned = !rv.empty() && rv != std::to_string(current->mod_revision);
    if (pinned) throw ApiError::stale(t.type->group_resource(), t.name);
    boost::json::object old = parse_object(*current->value);
    if (auto written = write_update(t, *current, old, std::move(patched), options)) return *written;
  }
  throw ApiError::stale(t.type->group_resource(), t.name);
}

store::Bytes KernelPipeline::remove(const UserInfo& user, const GroupVersionResource& gvr,
                                    std::string_view ns, std::string_view name,
                                    const DeleteOptions& options) {
  Target t = target(user, "delete", gvr, ns, name, {});
  const std::string gr = t.type->group_resource();
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
        AdmissionOperation::Delete, t.type.get(), {}, t.ns, t.name, nullptr, &old, &user, options.dry_run};
    auth_.validate(request);

    if (has_finalizers(old)) {
      // Finalizers hold the object: mark it and let their owners finish the deletion.
      if (!meta_string(old, "deletionTimestamp").empty()) return current->value;
      boost::json::object marked = old;
      auto& m = metadata(marked);
      m["deletionTimestamp"] = now_rfc3339();
      m["deletionGracePeriodSeconds"] = options.grace_period_seconds.value_or(0);
      m["generation"] = generation_of(old) + 1;
      m.erase("resourceVersion");
      if (options.dry_run) return make_template(marked).stamp(current->mod_revision);
      ObjectTemplate encoded = make_template(marked);
      store::WriteResult r = store_.write({store::WriteKind::Update, t.key,
                                           [e = std::move(encoded)](int64_t rev) { return e.stamp(rev); },
                                           current->mod_revision});
      if (r) return r.current.value;
      continue;
    }
    if (options.dry_run) return current->value;
    store::WriteResult r = store_.remove(t.key, current->mod_revision);
    if (r) return current->value;
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
