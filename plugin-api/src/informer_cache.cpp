#include "informer_cache.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

namespace ukube::detail {
namespace {

std::string meta_field(const boost::json::object& object, const char* field) {
  auto* meta = object.if_contains("metadata");
  if (!meta || !meta->is_object()) return {};
  auto* v = meta->get_object().if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace
}  // namespace ukube::detail

namespace ukube {

std::string object_key(const boost::json::object& object) {
  std::string ns = detail::meta_field(object, "namespace");
  std::string name = detail::meta_field(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

}  // namespace ukube

namespace ukube::detail {

void InformerCache::file_locked(Indexer& indexer, const std::string& key, const ObjectPtr& object, bool add) {
  if (indexer.functions.empty()) return;
  for (const auto& value : indexer.functions.front().second(*object)) {
    if (add) {
      indexer.index[value].insert_or_assign(key, object);
      continue;
    }
    auto keys = indexer.index.find(value);
    if (keys == indexer.index.end()) continue;
    keys->second.erase(key);
    if (keys->second.empty()) indexer.index.erase(keys);
  }
}

void InformerCache::file_all_locked(const std::string& key, const ObjectPtr& object, bool add) {
  for (auto& [name, indexer] : indexers_) file_locked(indexer, key, object, add);
}

void InformerCache::rebuild_locked(Indexer& indexer) {
  indexer.index.clear();
  for (const auto& [key, object] : objects_) file_locked(indexer, key, object, true);
}

void InformerCache::put_locked(const std::string& key, ObjectPtr object, std::vector<Delta>& deltas) {
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    file_all_locked(key, object, true);
    objects_.emplace(key, object);
    deltas.push_back({Delta::Add, nullptr, std::move(object), ++sequence_});
    return;
  }
  file_all_locked(key, it->second, false);
  file_all_locked(key, object, true);
  deltas.push_back({Delta::Update, it->second, object, ++sequence_});
  it->second = std::move(object);
}

void InformerCache::erase_locked(const std::string& key, ObjectPtr last_state, std::vector<Delta>& deltas) {
  auto it = objects_.find(key);
  if (it == objects_.end()) return;
  file_all_locked(key, it->second, false);
  deltas.push_back({Delta::Delete, nullptr, last_state ? std::move(last_state) : it->second, ++sequence_});
  objects_.erase(it);
}

std::vector<Delta> InformerCache::replace(std::vector<ObjectPtr> items, std::string revision) {
  std::vector<Delta> deltas;
  {
    std::lock_guard lock(mutex_);
    std::set<std::string> seen;
    for (auto& item : items) {
      std::string key = object_key(*item);
      seen.insert(key);
      auto it = objects_.find(key);
      if (it != objects_.end() &&
          meta_field(*it->second, "resourceVersion") == meta_field(*item, "resourceVersion"))
        continue;
      put_locked(key, std::move(item), deltas);
    }
    std::vector<std::string> gone;
    for (const auto& [key, object] : objects_)
      if (!seen.count(key)) gone.push_back(key);
    for (const auto& key : gone) erase_locked(key, nullptr, deltas);
    revision_ = std::move(revision);
    ++relists_;
    synced_ = true;
  }
  synced_cv_.notify_all();
  return deltas;
}

std::vector<Delta> InformerCache::put(ObjectPtr object, const std::string& revision) {
  std::vector<Delta> deltas;
  std::string key = object_key(*object);  // before `object` is moved from
  std::lock_guard lock(mutex_);
  put_locked(key, std::move(object), deltas);
  if (!revision.empty()) revision_ = revision;
  return deltas;
}

std::vector<Delta> InformerCache::erase(const ObjectPtr& last_state, const std::string& revision) {
  std::vector<Delta> deltas;
  std::lock_guard lock(mutex_);
  erase_locked(object_key(*last_state), last_state, deltas);
  if (!revision.empty()) revision_ = revision;
  return deltas;
}

void InformerCache::set_revision(const std::string& revision) {
  std::lock_guard lock(mutex_);
  if (!revision.empty()) revision_ = revision;
}

std::pair<std::vector<ObjectPtr>, uint64_t> InformerCache::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(object);
  return {std::move(out), sequence_};
}

uint64_t InformerCache::add_indexer(const std::string& name, IndexFunc index) {
  std::lock_guard lock(mutex_);
  Indexer& indexer = indexers_[name];
  uint64_t id = next_indexer_id_++;
  indexer.functions.emplace_back(id, std::move(index));
  // Late indexers index what is already cached, as client-go's AddIndexers does.
  if (indexer.functions.size() == 1) rebuild_locked(indexer);
  return id;
}

void InformerCache::remove_indexer(const std::string& name, uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = indexers_.find(name);
  if (it == indexers_.end()) return;
  auto& functions = it->second.functions;
  auto fn = std::find_if(functions.begin(), functions.end(), [&](const auto& f) { return f.first == id; });
  if (fn == functions.end()) return;
  bool computing = fn == functions.begin();
  functions.erase(fn);
  if (functions.empty())
    indexers_.erase(it);
  else if (computing)
    rebuild_locked(it->second);  // the next one's own values, should they differ
}

bool InformerCache::wait_for_sync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return synced_cv_.wait_for(lock, timeout, [&] { return synced_; });
}

bool InformerCache::has_synced() const {
  std::lock_guard lock(mutex_);
  return synced_;
}

ObjectPtr InformerCache::get(std::string_view key) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> InformerCache::list() const {
  return snapshot().first;
}

std::vector<ObjectPtr> InformerCache::by_index(std::string_view index, std::string_view value) const {
  std::lock_guard lock(mutex_);
  std::vector<ObjectPtr> out;
  auto indexer = indexers_.find(index);
  if (indexer == indexers_.end()) return out;
  auto keys = indexer->second.index.find(value);
  if (keys == indexer->second.index.end()) return out;
  out.reserve(keys->second.size());
  for (const auto& [key, object] : keys->second) out.push_back(object);
  return out;
}

std::string InformerCache::resource_version() const {
  std::lock_guard lock(mutex_);
  return revision_;
}

uint64_t InformerCache::relist_count() const {
  std::lock_guard lock(mutex_);
  return relists_;
}

}  // namespace ukube::detail
