#include "memory_store.h"

#include <algorithm>

#include <boost/json/object.hpp>

namespace ukube::testing::detail {

std::string MemoryStore::resource_key(const GroupVersionResource& gvr) {
  return gvr.group + "/" + gvr.resource;
}

ObjectPtr MemoryStore::find(const std::string& resource, const ObjectKey& key) const {
  auto r = objects_.find(resource);
  if (r == objects_.end()) return nullptr;
  auto it = r->second.find(key);
  return it == r->second.end() ? nullptr : it->second;
}

const ObjectMap& MemoryStore::objects(const std::string& resource) const {
  static const ObjectMap kNone;
  auto r = objects_.find(resource);
  return r == objects_.end() ? kNone : r->second;
}

void MemoryStore::put(const std::string& resource, const ObjectKey& key, ObjectPtr object,
                      ObjectPtr previous) {
  objects_[resource][key] = object;
  publish({revision_, previous ? WatchEventType::Modified : WatchEventType::Added, resource,
           std::move(object), std::move(previous)});
}

void MemoryStore::erase(const std::string& resource, const ObjectKey& key, ObjectPtr last_state) {
  objects_[resource].erase(key);
  publish({revision_, WatchEventType::Deleted, resource, std::move(last_state), nullptr});
}

void MemoryStore::watch(const std::string& resource, ObjectFilter filter, std::shared_ptr<WatchQueue> queue,
                        std::optional<int64_t> after_revision) {
  Watch w{resource, std::move(filter), std::move(queue)};
  if (after_revision) {
    for (const auto& change : history_)
      if (change.revision > *after_revision)
        if (auto event = seen_by(w, change)) w.queue->push(std::move(*event));
  } else {
    for (const auto& [key, object] : objects(resource))
      if (w.filter.matches(*object)) w.queue->push({WatchEventType::Added, object});
  }
  watches_.push_back(std::move(w));
}

std::optional<WatchEvent> MemoryStore::seen_by(const Watch& watch, const Change& change) {
  if (watch.resource != change.resource) return std::nullopt;
  const bool now = watch.filter.matches(*change.object);
  if (change.type != WatchEventType::Modified) {
    if (!now) return std::nullopt;
    return WatchEvent{change.type, change.object};
  }
  const bool before = watch.filter.matches(*change.previous);
  if (now) return WatchEvent{before ? WatchEventType::Modified : WatchEventType::Added, change.object};
  if (before) return WatchEvent{WatchEventType::Deleted, change.object};
  return std::nullopt;
}

void MemoryStore::publish(Change change) {
  std::erase_if(watches_, [](const Watch& w) { return w.queue->done(); });
  for (const auto& w : watches_)
    if (auto event = seen_by(w, change)) w.queue->push(std::move(*event));
  history_.push_back(std::move(change));
}

}  // namespace ukube::testing::detail
