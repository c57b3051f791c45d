#include "kernel/watch/history.h"

#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

namespace ukube::watch {

namespace {

// Chunks small enough that the ring tracks `capacity` closely (an idle reader also pins
// one chunk beyond the window), large enough that the writer takes the lock once per
// many events and readers look a chunk up rarely.
size_t chunk_size_for(size_t capacity) {
  return std::clamp<size_t>(std::bit_floor(capacity / 8), 1, 1024);
}

}  // namespace

History::History(int64_t start_revision, size_t capacity)
    : start_revision_(start_revision),
      capacity_(std::max<size_t>(capacity, 1)),
      chunk_size_(chunk_size_for(capacity_)),
      head_revision_(start_revision),
      floor_revision_(start_revision) {
  chunks_.push_back(std::make_shared<HistoryChunk>(0, chunk_size_));
  tail_ = chunks_.back().get();
}

void History::append(std::span<const store::EventPtr> batch) {
  int64_t seq = head_seq_.load(std::memory_order_relaxed);
  int64_t revision = head_revision_.load(std::memory_order_relaxed);
  for (const auto& event : batch) {
    if (!event || event->revision <= revision) continue;
    auto slot = static_cast<size_t>(seq - tail_->first_seq);
    if (slot == chunk_size_) {
      roll_over(seq);
      slot = 0;
    }
    tail_->events[slot] = event;
    revision = event->revision;
    ++seq;
  }
  head_revision_.store(revision, std::memory_order_release);
  head_seq_.store(seq);
}

void History::roll_over(int64_t first_seq) {
  auto chunk = std::make_shared<HistoryChunk>(first_seq, chunk_size_);
  std::vector<std::shared_ptr<HistoryChunk>> dropped;  // freed after unlocking
  {
    std::lock_guard lock(mu_);
    chunks_.push_back(std::move(chunk));
    tail_ = chunks_.back().get();
    // Every chunk but the new tail is full; drop the oldest while the rest still hold
    // `capacity` events.
    while (chunks_.size() >= 2 && (chunks_.size() - 2) * chunk_size_ >= capacity_) {
      floor_revision_.store(chunks_.front()->events[chunk_size_ - 1]->revision, std::memory_order_release);
      dropped.push_back(std::move(chunks_.front()));
      chunks_.pop_front();
    }
  }
}

const store::EventPtr& History::at_locked(int64_t seq) const {
  const auto& chunk = chunks_[static_cast<size_t>(seq - chunks_.front()->first_seq) / chunk_size_];
  return chunk->events[static_cast<size_t>(seq - chunk->first_seq)];
}

std::shared_ptr<const HistoryChunk> History::chunk_for_locked(int64_t seq) const {
  if (seq < chunks_.front()->first_seq) return nullptr;
  auto index = static_cast<size_t>(seq - chunks_.front()->first_seq) / chunk_size_;
  if (index >= chunks_.size()) return nullptr;
  return chunks_[index];
}

std::shared_ptr<const HistoryChunk> History::chunk_for(int64_t seq) const {
  std::lock_guard lock(mu_);
  return chunk_for_locked(seq);
}

StartPoint History::start_after(int64_t after_revision) const {
  std::lock_guard lock(mu_);
  StartPoint start;
  // Loaded under the lock, so every event below it sits in chunks_ (or was dropped, which
  // floor_revision_ already tells).
  const int64_t head = head_seq_.load();
  const int64_t oldest = chunks_.front()->first_seq;
  const int64_t newest_revision = head > oldest ? at_locked(head - 1)->revision : start_revision_;
  start.head_seq = head;

  if (after_revision == 0) {
    start.seq = head;
    start.revision = newest_revision;
    start.skip_through = newest_revision;
  } else if (after_revision < floor_revision_.load(std::memory_order_relaxed)) {
    start.expired = true;
    return start;
  } else {
    // First retained event newer than after_revision; all newer ones are retained because
    // after_revision is at or above the newest dropped revision.
    int64_t lo = oldest;
    int64_t hi = head;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (at_locked(mid)->revision <= after_revision) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    start.seq = lo;
    // A revision beyond the head is taken at its word: the reader reports it as its
    // progress and passes over events up to it as they arrive.
    start.revision = after_revision;
    start.skip_through = after_revision;
  }
  start.chunk = chunk_for_locked(start.seq);
  return start;
}

}  // namespace ukube::watch
