#include "kernel/store/mvcc_index.h"

namespace ukube::store {

KeyValue make_key_value(const std::string& key, const Version& v) {
  return KeyValue{key, v.value, v.create_revision, v.mod_revision, v.version};
}

const Version* MvccIndex::latest(std::string_view key) const {
  auto it = map_.find(key);
  return it == map_.end() || it->second.empty() ? nullptr : &it->second.back();
}

MvccIndex::Slot MvccIndex::find_slot(std::string_view key) {
  auto it = map_.lower_bound(key);
  return Slot{it, it != map_.end() && it->first == key};
}

const Version* MvccIndex::latest(const Slot& slot) {
  return slot.found && !slot.it->second.empty() ? &slot.it->second.back() : nullptr;
}

void MvccIndex::append(std::string_view key, Version version) {
  append(find_slot(key), key, std::move(version));
}

void MvccIndex::append(const Slot& slot, std::string_view key, Version version) {
  if (!slot.found) {
    map_.emplace_hint(slot.it, std::string(key), History{std::move(version)});
    return;
  }
  int64_t revision = version.mod_revision;
  slot.it->second.push_back(std::move(version));
  compactable_.emplace_back(revision, slot.it->first);
}

void MvccIndex::append_sorted(std::string&& key, Version version) {
  map_.emplace_hint(map_.end(), std::move(key), History{std::move(version)});
}

bool MvccIndex::compact_some(int64_t revision, size_t max_keys) {
  for (; max_keys > 0 && !compactable_.empty(); --max_keys) {
    auto& [changed_at, key] = compactable_.front();
    if (changed_at > revision) return false;
    auto it = map_.find(key);
    if (it != map_.end()) {
      History& history = it->second;
      // Keep the newest version at or below `revision` (reads there need it) and all newer.
      size_t keep = history.size();
      while (keep > 0 && history[keep - 1].mod_revision > revision) --keep;
      if (keep > 0) {
        size_t first = keep - 1;
        if (!history[first].live()) ++first;  // a tombstone nobody can read any more
        history.erase(history.begin(), history.begin() + static_cast<std::ptrdiff_t>(first));
      }
      if (history.empty()) {
        map_.erase(it);
      } else if (history.size() == 1 && history.capacity() > 1) {
        history.shrink_to_fit();  // back into the inline slot: most keys end up here
      }
    }
    compactable_.pop_front();
  }
  return !compactable_.empty() && compactable_.front().first <= revision;
}

const Version* MvccIndex::visible(const History& history, int64_t revision) {
  for (auto v = history.rbegin(); v != history.rend(); ++v) {
    if (v->mod_revision <= revision) return v->live() ? &*v : nullptr;
  }
  return nullptr;
}

std::optional<KeyValue> MvccIndex::get(std::string_view key, int64_t revision) const {
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  const Version* v = visible(it->second, revision);
  if (!v) return std::nullopt;
  return make_key_value(it->first, *v);
}

}  // namespace ukube::store
