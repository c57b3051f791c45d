#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

// A map of at most `capacity` entries that forgets the least recently used one first, as
// the k8s.io/utils LRU cache the event correlator's caches are built on. Not thread safe.
namespace ukube::controller {

template <class Value>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity ? capacity : 1) {}

  // The entry for `key`, now the most recently used; null when there is none.
  Value* find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  // Adds or replaces the entry for `key`, evicting the least recently used one when full.
  Value& put(const std::string& key, Value value) {
    if (Value* existing = find(key)) return *existing = std::move(value);
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    return order_.front().second;
  }

  size_t size() const { return index_.size(); }

 private:
  using Entry = std::pair<std::string, Value>;
  size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
};

}  // namespace ukube::controller
