// Read path of the embedded store: point reads and paged lists at one revision.
#include <shared_mutex>
#include <string>

#include "kernel/store/embedded_store.h"

namespace ukube::store {
namespace {

// A list drops the index lock after this many keys so that a long list never holds off
// the writers (each of which needs the lock exclusively for an instant); the MVCC
// revision keeps the result consistent across the gaps.
constexpr size_t kKeysPerLockHold = 1024;
// `remaining` is exact up to this many keys past the page and a lower bound beyond, so
// paging through a huge prefix stays linear instead of quadratic.
constexpr int64_t kRemainingCountLimit = 10000;

}  // namespace

int64_t EmbeddedStore::read_revision(int64_t requested) const {
  int64_t current = durable_revision_.load(std::memory_order_acquire);
  if (requested == 0) return current;
  if (requested > current)
    throw StoreError(StoreError::Code::FutureRevision, "revision " + std::to_string(requested) +
                                                           " is newer than the store's current revision " +
                                                           std::to_string(current));
  int64_t compacted = compacted_revision_.load(std::memory_order_acquire);
  if (requested < compacted)
    throw StoreError(StoreError::Code::Compacted,
                     "revision " + std::to_string(requested) +
                         " has been compacted; the oldest readable revision is " + std::to_string(compacted));
  return requested;
}

std::optional<KeyValue> EmbeddedStore::get(std::string_view key, int64_t revision) {
  std::shared_lock lock(index_lock_);
  return index_.get(key, read_revision(revision));
}

ListResult EmbeddedStore::list(std::string_view prefix, const ListOptions& options) {
  ListResult result;
  const size_t limit = options.limit > 0 ? static_cast<size_t>(options.limit) : 0;
  // Where to resume: a key and whether it is itself still to be visited.
  std::string resume;
  bool resume_inclusive = true;
  if (!options.start_after.empty() && options.start_after >= prefix) {
    resume = options.start_after;
    resume_inclusive = false;
  } else {
    resume = std::string(prefix);
  }

  bool first = true;
  for (;;) {
    std::shared_lock lock(index_lock_);
    if (first) {
      result.revision = read_revision(options.revision);
      first = false;
    } else {
      read_revision(result.revision);  // compacted meanwhile: this list can no longer finish
    }
    auto it = resume_inclusive ? index_.lower_bound(resume) : index_.upper_bound(resume);
    for (size_t visited = 0; it != index_.end() && it->first.starts_with(prefix); ++it, ++visited) {
      if (visited == kKeysPerLockHold) {
        resume = it->first;
        resume_inclusive = true;
        break;
      }
      const Version* v = MvccIndex::visible(it->second, result.revision);
      if (!v) continue;
      if (limit == 0 || result.items.size() < limit) {
        result.items.push_back(make_key_value(it->first, *v));
      } else {
        result.more = true;
        if (++result.remaining >= kRemainingCountLimit) return result;
      }
    }
    if (it == index_.end() || !it->first.starts_with(prefix)) return result;
  }
}

}  // namespace ukube::store
