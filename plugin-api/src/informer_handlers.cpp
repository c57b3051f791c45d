#include "informer_handlers.h"

#include <algorithm>

namespace ukube::detail {
namespace {

// Counts a handler call in progress, also when the handler throws.
struct Calling {
  explicit Calling(int& depth) : depth(depth) { ++depth; }
  ~Calling() { --depth; }
  int& depth;
};

}  // namespace

uint64_t InformerHandlerSet::add(InformerHandlers handlers, const InformerCache& cache) {
  std::lock_guard lock(calling_);
  // Taken under `calling_`: deltas applied to the cache but not yet dispatched are in
  // the snapshot, so the new handler skips them when their dispatch comes.
  auto [existing, sequence] = cache.snapshot();
  auto entry = std::make_shared<Entry>();
  entry->id = next_id_++;
  entry->seen_through = sequence;
  entry->handlers = std::move(handlers);
  entries_.push_back(entry);
  if (entry->handlers.on_add) {
    {
      Calling calling(depth_);
      for (const auto& object : existing)
        if (entry->active) entry->handlers.on_add(object);
    }
    drop_retired_locked();
  }
  return entry->id;
}

void InformerHandlerSet::remove(uint64_t id) {
  std::shared_ptr<Entry> entry;
  {
    // Marked first, so a dispatch on another thread stops calling it at once.
    std::lock_guard lock(calling_);
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e->id == id; });
    if (it == entries_.end()) return;
    entry = *it;
    entry->active = false;
    entries_.erase(it);
    // From inside a handler its code may be on the stack: destroyed when the call returns.
    if (depth_ > 0) {
      retired_.push_back(std::move(entry));
      return;
    }
    entry->handlers = {};
  }
}

void InformerHandlerSet::deliver(Entry& entry, const Delta& delta) {
  if (!entry.active || delta.sequence <= entry.seen_through) return;
  const InformerHandlers& h = entry.handlers;
  switch (delta.kind) {
    case Delta::Add:
      if (h.on_add) h.on_add(delta.object);
      break;
    case Delta::Update:
      if (h.on_update) h.on_update(delta.old_object, delta.object);
      break;
    case Delta::Delete:
      if (h.on_delete) h.on_delete(delta.object);
      break;
  }
}

void InformerHandlerSet::dispatch(const std::vector<Delta>& deltas) {
  if (deltas.empty()) return;
  std::lock_guard lock(calling_);
  {
    Calling calling(depth_);
    // A copy: handlers may add or remove handlers while we walk it.
    auto entries = entries_;
    for (const auto& delta : deltas)
      for (const auto& entry : entries) deliver(*entry, delta);
  }
  drop_retired_locked();
}

void InformerHandlerSet::drop_retired_locked() {
  if (depth_ > 0) return;
  for (auto& entry : retired_) entry->handlers = {};
  retired_.clear();
}

}  // namespace ukube::detail
