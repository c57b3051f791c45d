#include "ukube/testing/in_memory_client.h"

#include <mutex>
#include <random>
#include <set>

#include <boost/json.hpp>

#include "memory_store.h"
#include "ukube/errors.h"
#include "ukube/json_patch.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/time.h"
#include "ukube/machinery/uuid.h"

namespace ukube::testing {

namespace json = boost::json;
using detail::MemoryStore;
using detail::ObjectKey;
using machinery::meta_string;

struct InMemoryClient::State {
  mutable std::mutex mutex;
  MemoryStore store;
  std::set<std::string> without_status;  // resource keys
};

namespace {

// "pods", "deployments.apps": how upstream names a resource in error messages.
std::string group_resource(const GroupVersionResource& gvr) {
  return gvr.group.empty() ? gvr.resource : gvr.resource + "." + gvr.group;
}

ObjectPtr freeze(json::object object) {
  return std::make_shared<const json::object>(std::move(object));
}

// What the caller gets back: nothing when it said it would not read the object.
ObjectPtr reply(ObjectPtr object, const WriteOptions& options) {
  return options.return_object && options.wait_for_commit ? object : nullptr;
}

// Upstream's generateName suffix: five characters from an alphabet without vowels.
std::string generated_name(std::string_view prefix) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string name(prefix);
  for (int i = 0; i < 5; ++i) name += kAlphabet[pick(rng)];
  return name;
}

// The namespace a write lands in: the request's, or the body's when the request names
// none. A body naming another namespace is refused, as by the API server.
std::string namespace_for(std::string_view ns, const json::object& object) {
  std::string body_ns = machinery::namespace_of(object);
  if (!ns.empty() && !body_ns.empty() && body_ns != ns)
    throw ApiError::bad_request(
        "the namespace of the provided object does not match the namespace sent on the request");
  return ns.empty() ? body_ns : std::string(ns);
}

// The object without what the server owns (metadata) and what is not desired state
// (status): generation moves when this changes.
json::object desired_state(const json::object& object) {
  json::object out = object;
  out.erase("metadata");
  out.erase("status");
  return out;
}

bool has_finalizers(const json::object& object) {
  const auto* finalizers = machinery::array_at(object, {"metadata", "finalizers"});
  return finalizers && !finalizers->empty();
}

// Copies member `key` of `from` into `to`, or removes it from `to` when `from` has none.
void carry(json::object& to, const json::object& from, std::string_view key) {
  if (const auto* v = from.if_contains(key))
    to[key] = *v;
  else
    to.erase(key);
}

// Reads and writes reach the object itself or its status, when the resource has one.
void require_known_subresource(std::string_view subresource, bool status_subresource) {
  if (!subresource.empty() && (subresource != "status" || !status_subresource))
    throw ApiError::resource_not_found();
}

// The object an update (or a patch, once applied) makes of `old`, stored unless nothing
// changed. `subresource` is "" or "status".
ObjectPtr write_update(MemoryStore& store, const GroupVersionResource& gvr, bool status_subresource,
                       const ObjectPtr& old, json::object incoming, std::string_view subresource,
                       const WriteOptions& options) {
  const std::string resource = MemoryStore::resource_key(gvr);
  require_known_subresource(subresource, status_subresource);
  json::object result;
  if (subresource == "status") {
    result = *old;
    carry(result, incoming, "status");
  } else {
    result = std::move(incoming);
    if (status_subresource) carry(result, *old, "status");
  }
  auto& meta = machinery::child(result, "metadata");
  const auto& old_meta = *machinery::object_at(*old, {"metadata"});
  for (std::string_view owned : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                                 "deletionGracePeriodSeconds", "generation", "resourceVersion"})
    carry(meta, old_meta, owned);
  if (desired_state(result) != desired_state(*old))
    meta["generation"] = machinery::int_or(*old, {"metadata", "generation"}, 0) + 1;
  if (result == *old) return reply(old, options);  // nothing changed: nothing written
  if (options.dry_run) return reply(freeze(std::move(result)), options);

  meta["resourceVersion"] = std::to_string(store.next_revision());
  ObjectKey key{machinery::namespace_of(*old), machinery::name_of(*old)};
  ObjectPtr stored = freeze(std::move(result));
  // The last finalizer of an object being deleted is gone: the deletion completes.
  if (machinery::has_deletion_timestamp(*stored) && !has_finalizers(*stored))
    store.erase(resource, key, stored);
  else
    store.put(resource, key, stored, old);
  return reply(stored, options);
}

// A create on a subresource of an existing object. pods/binding assigns the pod to the
// target node as the API server does; other subresources change nothing here.
ObjectPtr create_on_subresource(MemoryStore& store, const GroupVersionResource& gvr, std::string_view ns,
                                std::string_view name, std::string_view subresource, const json::object& body,
                                const WriteOptions& options) {
  if (name.empty()) name = machinery::name_of(body);
  if (name.empty()) throw ApiError::bad_request("name is required to create on a subresource");
  const std::string resource = MemoryStore::resource_key(gvr);
  ObjectPtr parent = store.find(resource, {std::string(ns), std::string(name)});
  if (!parent) throw ApiError::not_found(group_resource(gvr), std::string(name));
  if (gvr.group.empty() && gvr.resource == "pods" && subresource == "binding") {
    std::string bound = machinery::string_at(*parent, {"spec", "nodeName"});
    if (!bound.empty())
      throw ApiError::conflict("pods/binding", std::string(name),
                               "pod " + std::string(name) + " is already assigned to node \"" + bound + "\"");
    json::object bound_pod = *parent;
    machinery::child(bound_pod, "spec")["nodeName"] = machinery::string_at(body, {"target", "name"});
    write_update(store, gvr, false, parent, std::move(bound_pod), {}, options);
  }
  return reply(freeze(body), options);
}

json::value parse_patch(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) throw ApiError::bad_request("the patch is not valid JSON: " + ec.message());
  return doc;
}

}  // namespace

InMemoryClient::InMemoryClient() : state_(std::make_unique<State>()) {}
InMemoryClient::~InMemoryClient() = default;

void InMemoryClient::without_status_subresource(const GroupVersionResource& gvr) {
  std::lock_guard lock(state_->mutex);
  state_->without_status.insert(MemoryStore::resource_key(gvr));
}

std::string InMemoryClient::resource_version() const {
  std::lock_guard lock(state_->mutex);
  return std::to_string(state_->store.revision());
}

ObjectPtr InMemoryClient::add(const GroupVersionResource& gvr, std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object())
    throw std::invalid_argument("InMemoryClient::add: not a JSON object: " + std::string(text));
  return add(gvr, doc.get_object());
}

ObjectPtr InMemoryClient::add(const GroupVersionResource& gvr, const json::object& object) {
  std::lock_guard lock(state_->mutex);
  auto& store = state_->store;
  json::object o = object;
  auto& meta = machinery::child(o, "metadata");
  machinery::set_default(meta, "uid", json::value(machinery::new_uuid()));
  machinery::set_default(meta, "creationTimestamp", json::value(machinery::now_rfc3339()));
  machinery::set_default(meta, "generation", 1);
  meta["resourceVersion"] = std::to_string(store.next_revision());
  const std::string resource = MemoryStore::resource_key(gvr);
  ObjectKey key{machinery::namespace_of(o), machinery::name_of(o)};
  ObjectPtr previous = store.find(resource, key);
  ObjectPtr stored = freeze(std::move(o));
  store.put(resource, key, stored, previous);
  return stored;
}

ObjectPtr InMemoryClient::get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                              const GetOptions&, std::string_view subresource) {
  std::lock_guard lock(state_->mutex);
  const std::string resource = MemoryStore::resource_key(gvr);
  require_known_subresource(subresource, !state_->without_status.contains(resource));
  ObjectPtr found = state_->store.find(resource, {std::string(ns), std::string(name)});
  if (!found) throw ApiError::not_found(group_resource(gvr), std::string(name));
  return found;
}

ObjectList InMemoryClient::list(const GroupVersionResource& gvr, std::string_view ns,
                                const ListOptions& options) {
  detail::ObjectFilter filter(std::string(ns), options);
  std::lock_guard lock(state_->mutex);
  const auto& objects = state_->store.objects(MemoryStore::resource_key(gvr));
  ObjectList out;
  out.resource_version = std::to_string(state_->store.revision());
  // The continue token is the key of the last item sent: "<namespace>/<name>".
  auto it = objects.begin();
  if (!options.continue_token.empty()) {
    auto slash = options.continue_token.find('/');
    if (slash == std::string::npos) throw ApiError::bad_request("invalid continue token");
    it = objects.upper_bound(
        {options.continue_token.substr(0, slash), options.continue_token.substr(slash + 1)});
  }
  int64_t remaining = 0;
  for (; it != objects.end(); ++it) {
    if (!filter.matches(*it->second)) continue;
    if (options.limit > 0 && static_cast<int64_t>(out.items.size()) == options.limit) {
      ++remaining;
      continue;
    }
    out.items.push_back(it->second);
    if (options.limit > 0 && static_cast<int64_t>(out.items.size()) == options.limit)
      out.continue_token = it->first.first + "/" + it->first.second;
  }
  if (remaining > 0)
    out.remaining_item_count = remaining;
  else
    out.continue_token.clear();
  return out;
}

std::unique_ptr<WatchStream> InMemoryClient::watch(const GroupVersionResource& gvr, std::string_view ns,
                                                   const ListOptions& options) {
  detail::ObjectFilter filter(std::string(ns), options);
  std::optional<int64_t> after;
  if (!options.resource_version.empty() && options.resource_version != "0") {
    try {
      after = std::stoll(options.resource_version);
    } catch (const std::exception&) {
      throw ApiError::bad_request("invalid resourceVersion: " + options.resource_version);
    }
  }
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (options.timeout.count() > 0) deadline = std::chrono::steady_clock::now() + options.timeout;
  auto queue = std::make_shared<detail::WatchQueue>(deadline);
  std::lock_guard lock(state_->mutex);
  state_->store.watch(MemoryStore::resource_key(gvr), std::move(filter), queue, after);
  return std::make_unique<detail::QueueWatchStream>(queue);
}

ObjectPtr InMemoryClient::create(const GroupVersionResource& gvr, std::string_view ns,
                                 const json::object& object, const WriteOptions& options,
                                 std::string_view subresource, std::string_view name) {
  if (!subresource.empty()) {
    std::lock_guard lock(state_->mutex);
    return create_on_subresource(state_->store, gvr, ns, name, subresource, object, options);
  }
  json::object o = object;
  const std::string object_ns = namespace_for(ns, o);
  auto& meta = machinery::child(o, "metadata");
  if (!object_ns.empty()) meta["namespace"] = object_ns;
  std::lock_guard lock(state_->mutex);
  auto& store = state_->store;
  const std::string resource = MemoryStore::resource_key(gvr);
  std::string object_name = meta_string(o, "name");
  if (object_name.empty()) {
    std::string prefix = meta_string(o, "generateName");
    if (prefix.empty()) {
      GroupVersionKind gvk{gvr.group, gvr.version, machinery::string_at(o, {"kind"})};
      throw ApiError::invalid(
          gvk, "",
          {{"FieldValueRequired", "metadata.name", "Required value: name or generateName is required"}});
    }
    do object_name = generated_name(prefix);
    while (store.find(resource, {object_ns, object_name}));
    meta["name"] = object_name;
  }
  ObjectKey key{object_ns, object_name};
  if (store.find(resource, key)) throw ApiError::already_exists(group_resource(gvr), object_name);
  meta["uid"] = machinery::new_uuid();
  meta["creationTimestamp"] = machinery::now_rfc3339();
  meta["generation"] = 1;
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  if (options.dry_run) return reply(freeze(std::move(o)), options);
  meta["resourceVersion"] = std::to_string(store.next_revision());
  ObjectPtr stored = freeze(std::move(o));
  store.put(resource, key, stored, nullptr);
  return reply(stored, options);
}

ObjectPtr InMemoryClient::update(const GroupVersionResource& gvr, std::string_view ns,
                                 const json::object& object, const WriteOptions& options,
                                 std::string_view subresource) {
  const std::string object_ns = namespace_for(ns, object);
  const std::string name = machinery::name_of(object);
  if (name.empty()) throw ApiError::bad_request("name is required to update an object");
  std::lock_guard lock(state_->mutex);
  const std::string resource = MemoryStore::resource_key(gvr);
  require_known_subresource(subresource, !state_->without_status.contains(resource));
  ObjectPtr old = state_->store.find(resource, {object_ns, name});
  if (!old) throw ApiError::not_found(group_resource(gvr), name);
  std::string requested = meta_string(object, "resourceVersion");
  if (!requested.empty() && requested != meta_string(*old, "resourceVersion"))
    throw ApiError::stale(group_resource(gvr), name);
  return write_update(state_->store, gvr, !state_->without_status.contains(resource), old, object,
                      subresource, options);
}

ObjectPtr InMemoryClient::patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                                PatchType type, std::string_view patch, const WriteOptions& options,
                                std::string_view subresource) {
  if (type == PatchType::Apply)
    throw ApiError::unsupported_media_type(
        "server-side apply is not implemented by ukube::testing::InMemoryClient");
  json::value patch_doc = parse_patch(patch);
  std::lock_guard lock(state_->mutex);
  const std::string resource = MemoryStore::resource_key(gvr);
  require_known_subresource(subresource, !state_->without_status.contains(resource));
  ObjectPtr old = state_->store.find(resource, {std::string(ns), std::string(name)});
  if (!old) throw ApiError::not_found(group_resource(gvr), std::string(name));
  json::value doc = *old;
  if (type == PatchType::JsonPatch)
    apply_json_patch(doc, patch_doc);
  else
    apply_merge_patch(doc, patch_doc);  // strategic merge too: see in_memory_client.h
  if (!doc.is_object()) throw ApiError::bad_request("the patched document is not a JSON object");
  std::string requested = meta_string(doc.get_object(), "resourceVersion");
  if (!requested.empty() && requested != meta_string(*old, "resourceVersion"))
    throw ApiError::stale(group_resource(gvr), std::string(name));
  return write_update(state_->store, gvr, !state_->without_status.contains(resource), old,
                      std::move(doc.get_object()), subresource, options);
}

ObjectPtr InMemoryClient::remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                                 const DeleteOptions& options) {
  std::lock_guard lock(state_->mutex);
  auto& store = state_->store;
  const std::string resource = MemoryStore::resource_key(gvr);
  const std::string gr = group_resource(gvr);
  ObjectKey key{std::string(ns), std::string(name)};
  ObjectPtr old = store.find(resource, key);
  if (!old) throw ApiError::not_found(gr, key.second);
  const std::string uid = meta_string(*old, "uid");
  const std::string rv = meta_string(*old, "resourceVersion");
  if (!options.precondition_uid.empty() && options.precondition_uid != uid)
    throw ApiError::conflict(gr, key.second,
                             "Precondition failed: UID in precondition: " + options.precondition_uid +
                                 ", UID in object meta: " + uid);
  if (!options.precondition_resource_version.empty() && options.precondition_resource_version != rv)
    throw ApiError::conflict(
        gr, key.second,
        "Precondition failed: ResourceVersion in precondition: " + options.precondition_resource_version +
            ", ResourceVersion in object meta: " + rv);
  if (has_finalizers(*old)) {
    // Marked for deletion; it goes once the finalizers are removed (write_update).
    if (machinery::has_deletion_timestamp(*old) || options.dry_run) return old;
    json::object marked = *old;
    auto& meta = machinery::child(marked, "metadata");
    meta["deletionTimestamp"] = machinery::now_rfc3339();
    meta["deletionGracePeriodSeconds"] = options.grace_period_seconds.value_or(0);
    meta["resourceVersion"] = std::to_string(store.next_revision());
    ObjectPtr stored = freeze(std::move(marked));
    store.put(resource, key, stored, old);
    return stored;
  }
  if (options.dry_run) return old;
  json::object last = *old;
  machinery::child(last, "metadata")["resourceVersion"] = std::to_string(store.next_revision());
  ObjectPtr deleted = freeze(std::move(last));
  store.erase(resource, key, deleted);
  return deleted;
}

}  // namespace ukube::testing
