#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>

#include "ukube/store.h"

namespace ukube::watch {

// A run of consecutive events. The single writer fills slots in order and only then
// advances the history's head, and never writes a slot twice: a reader holding the chunk
// reads every slot below the head it loaded without taking any lock.
struct HistoryChunk {
  HistoryChunk(int64_t first, size_t size) : first_seq(first), events(new store::EventPtr[size]) {}
  const int64_t first_seq;  // sequence number of events[0]
  const std::unique_ptr<store::EventPtr[]> events;
};

// Where a new reader begins, decided once under the history's lock.
struct StartPoint {
  bool expired = false;      // the events it needs are gone: it must re-list
  int64_t seq = 0;           // sequence number of the first event to examine
  int64_t head_seq = 0;      // the head when the reader started (its lag is counted from here)
  int64_t revision = 0;      // progress the reader already has
  int64_t skip_through = 0;  // events at or below this revision are not for it
  std::shared_ptr<const HistoryChunk> chunk;  // pins the chunk holding `seq`, when it exists
};

// The bus's shared event history: a ring of fixed-size chunks holding at least the last
// `capacity` events. Events are numbered by a dense sequence number (revisions may have
// gaps), so a reader's cursor is one integer and its lag one subtraction.
class History {
 public:
  History(int64_t start_revision, size_t capacity);

  // Single writer. Events must carry increasing revisions; one that does not is dropped
  // so the history stays sorted for resume's binary search.
  void append(std::span<const store::EventPtr> batch);

  // Number of events ever appended. Sequentially consistent: the wake-up handshake
  // (WakeSignal) pairs this load with the arming store.
  int64_t head_seq() const { return head_seq_.load(); }
  int64_t head_revision() const { return head_revision_.load(std::memory_order_acquire); }
  // The oldest after_revision a reader may resume from.
  int64_t floor_revision() const { return floor_revision_.load(std::memory_order_acquire); }
  size_t chunk_size() const { return chunk_size_; }
  size_t capacity() const { return capacity_; }

  // The chunk holding `seq` (which must be below a head the caller loaded), or null when
  // the ring has already dropped it.
  std::shared_ptr<const HistoryChunk> chunk_for(int64_t seq) const;

  // after_revision 0 starts at the head.
  StartPoint start_after(int64_t after_revision) const;

 private:
  const store::EventPtr& at_locked(int64_t seq) const;
  std::shared_ptr<const HistoryChunk> chunk_for_locked(int64_t seq) const;
  void roll_over(int64_t first_seq);

  const int64_t start_revision_;
  const size_t capacity_;
  const size_t chunk_size_;

  mutable std::mutex mu_;                             // the deque and eviction; never held per event
  std::deque<std::shared_ptr<HistoryChunk>> chunks_;  // oldest first; back() is the tail
  HistoryChunk* tail_;                                // writer only

  std::atomic<int64_t> head_seq_{0};
  std::atomic<int64_t> head_revision_;
  std::atomic<int64_t> floor_revision_;
};

}  // namespace ukube::watch
