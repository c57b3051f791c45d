#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/informer.h"

// An informer's objects by key, its indices, and the revision they reflect. Every change
// becomes a numbered delta, so a handler registered at some point knows exactly which
// deltas it has already seen as part of the cache it was first shown.
namespace ukube::detail {

struct Delta {
  enum Kind { Add, Update, Delete } kind;
  ObjectPtr old_object;
  ObjectPtr object;
  uint64_t sequence = 0;
};

class InformerCache {
 public:
  // A full list: replaces the content, reporting the differences. Marks the cache synced.
  std::vector<Delta> replace(std::vector<ObjectPtr> items, std::string revision);
  std::vector<Delta> put(ObjectPtr object, const std::string& revision);
  std::vector<Delta> erase(const ObjectPtr& last_state, const std::string& revision);
  void set_revision(const std::string& revision);

  // Everything cached, and the sequence of the last delta it includes.
  std::pair<std::vector<ObjectPtr>, uint64_t> snapshot() const;

  uint64_t add_indexer(const std::string& name, IndexFunc index);
  // Destroys the function here, on the caller's thread, while its library is still loaded.
  void remove_indexer(const std::string& name, uint64_t id);

  bool wait_for_sync(std::chrono::milliseconds timeout) const;
  bool has_synced() const;
  ObjectPtr get(std::string_view key) const;
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> by_index(std::string_view index, std::string_view value) const;
  std::string resource_version() const;
  uint64_t relist_count() const;

 private:
  // An index value's objects by key: a lookup hands out the objects without finding each
  // key again among all of them (an owner's 10,000 pods, on every sync of the owner).
  using Filed = std::map<std::string, ObjectPtr, std::less<>>;
  struct Indexer {
    std::vector<std::pair<uint64_t, IndexFunc>> functions;  // the first one computes the index
    std::map<std::string, Filed, std::less<>> index;
  };

  void file_locked(Indexer& indexer, const std::string& key, const ObjectPtr& object, bool add);
  void file_all_locked(const std::string& key, const ObjectPtr& object, bool add);
  void rebuild_locked(Indexer& indexer);
  void put_locked(const std::string& key, ObjectPtr object, std::vector<Delta>& deltas);
  void erase_locked(const std::string& key, ObjectPtr last_state, std::vector<Delta>& deltas);

  mutable std::mutex mutex_;
  mutable std::condition_variable synced_cv_;
  std::map<std::string, ObjectPtr, std::less<>> objects_;
  std::map<std::string, Indexer, std::less<>> indexers_;
  uint64_t next_indexer_id_ = 1;
  uint64_t sequence_ = 0;
  std::string revision_;
  bool synced_ = false;
  uint64_t relists_ = 0;
};

}  // namespace ukube::detail
