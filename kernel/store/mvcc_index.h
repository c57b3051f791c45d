#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/container/small_vector.hpp>

#include "ukube/store.h"

// The in-memory ordered index: every key with the versions still readable. Not
// thread-safe: the store serialises writers and guards readers with its own lock.
namespace ukube::store {

struct Version {
  Bytes value;  // null: tombstone, the key was deleted at mod_revision
  int64_t mod_revision = 0;
  int64_t create_revision = 0;
  int64_t version = 0;
  bool live() const { return value != nullptr; }
};

class MvccIndex {
 public:
  // Most keys have a single version, kept inline: one allocation per key, not two.
  using History = boost::container::small_vector<Version, 1>;
  using Map = std::map<std::string, History, std::less<>>;
  using const_iterator = Map::const_iterator;

  // Where `key` is or would go: lets a writer look a key up and then append to it with
  // one traversal of the tree. Valid until the index is next modified.
  struct Slot {
    Map::iterator it;
    bool found = false;
  };
  Slot find_slot(std::string_view key);

  // The newest version of `key` (live or tombstone), including writes not yet durable.
  const Version* latest(std::string_view key) const;
  static const Version* latest(const Slot& slot);

  // Records a new newest version. Versions of one key arrive in increasing revision order.
  void append(std::string_view key, Version version);
  void append(const Slot& slot, std::string_view key, Version version);
  // Recovery from a snapshot: keys arrive sorted and each once, so insertion is O(1).
  void append_sorted(std::string&& key, Version version);

  // Drops what no read at or after `revision` can see, for up to `max_keys` keys that
  // changed at or before it. Returns false once nothing is left to drop.
  bool compact_some(int64_t revision, size_t max_keys);

  // The version a read at `revision` sees, or null if the key did not exist then.
  static const Version* visible(const History& history, int64_t revision);
  std::optional<KeyValue> get(std::string_view key, int64_t revision) const;

  const_iterator lower_bound(std::string_view key) const { return map_.lower_bound(key); }
  const_iterator upper_bound(std::string_view key) const { return map_.upper_bound(key); }
  const_iterator end() const { return map_.end(); }
  size_t key_count() const { return map_.size(); }

 private:
  Map map_;
  // Keys given a second version or a tombstone, by the revision that did it: exactly the
  // keys compaction has work on, so it never scans the whole index.
  std::deque<std::pair<int64_t, std::string>> compactable_;
};

KeyValue make_key_value(const std::string& key, const Version& version);

}  // namespace ukube::store
