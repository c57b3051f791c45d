// Write path of the embedded store: sequencing, group commit, completion.
#include <spdlog/logger.h>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "kernel/store/embedded_store.h"
#include "kernel/store/record_format.h"

namespace ukube::store {
namespace {

// WAL frames carry a 32-bit length; far below that, so a record always fits.
constexpr size_t kMaxRecordBytes = size_t{1} << 30;

WriteResult ok_result(const Event& e, int64_t version, int64_t deleted_mod_revision) {
  WriteResult r;
  r.status = WriteStatus::Ok;
  r.revision = e.revision;
  if (e.type == EventType::Delete) {
    r.current = KeyValue{e.key, e.prev_value, e.create_revision, deleted_mod_revision, version};
  } else {
    r.current = KeyValue{e.key, e.value, e.create_revision, e.revision, version};
  }
  return r;
}

}  // namespace

void EmbeddedStore::submit(WriteRequest request, WriteCallback done) {
  if (request.key.empty()) throw std::invalid_argument("store keys must not be empty");
  if (request.key.size() > kMaxRecordBytes) throw std::invalid_argument("store key too long");
  if (request.kind != WriteKind::Delete && !request.encode)
    throw std::invalid_argument("write to " + request.key + " has no encoder");
  // Allocated before taking the lock: the critical section stays a lookup and an insert.
  auto event = std::make_shared<Event>();
  event->key = std::move(request.key);
  Pending p;
  p.done = std::move(done);

  std::unique_lock seq(seq_mu_);
  if (closing_)
    throw StoreError(StoreError::Code::Closed, "store " + options_.data_dir.string() + " is closed");
  MvccIndex::Slot slot = index_.find_slot(event->key);
  const Version* current = MvccIndex::latest(slot);
  bool live = current && current->live();
  WriteStatus refusal = WriteStatus::Ok;
  if (request.kind == WriteKind::Create) {
    if (live) refusal = WriteStatus::AlreadyExists;
  } else if (!live) {
    refusal = WriteStatus::NotFound;
  } else if (request.expected_mod_revision != 0 && request.expected_mod_revision != current->mod_revision) {
    refusal = WriteStatus::Conflict;
  }
  if (refusal != WriteStatus::Ok) {
    // Queued behind the writes already pending, so the answer (which may describe one of
    // them) is given only once they are durable.
    p.refused.status = refusal;
    p.refused.revision = assigned_revision_;
    if (live) p.refused.current = make_key_value(event->key, *current);
    enqueue(std::move(p), seq);
    return;
  }

  int64_t revision = assigned_revision_ + 1;
  Version version;
  version.mod_revision = revision;
  event->revision = revision;
  if (request.kind == WriteKind::Delete) {
    event->type = EventType::Delete;
    event->create_revision = current->create_revision;
    event->prev_value = current->value;
    p.version = current->version;
    p.deleted_mod_revision = current->mod_revision;
    version.create_revision = current->create_revision;
  } else {
    Bytes value = request.encode(revision);
    if (!value) throw std::invalid_argument("the encoder for " + event->key + " returned no value");
    if (value->size() + event->key.size() > kMaxRecordBytes)
      throw std::invalid_argument("the value of " + event->key + " is " + std::to_string(value->size()) +
                                  " bytes; a record may hold at most " + std::to_string(kMaxRecordBytes));
    bool create = request.kind == WriteKind::Create;
    event->type = create ? EventType::Create : EventType::Update;
    event->create_revision = create ? revision : current->create_revision;
    event->value = value;
    if (!create) event->prev_value = current->value;
    p.version = create ? 1 : current->version + 1;
    version.value = std::move(value);
    version.create_revision = event->create_revision;
    version.version = p.version;
  }
  {
    std::lock_guard exclusive(index_lock_);
    index_.append(slot, event->key, std::move(version));
  }
  assigned_revision_ = revision;
  p.event = std::move(event);
  enqueue(std::move(p), seq);
}

void EmbeddedStore::enqueue(Pending pending, std::unique_lock<AdaptiveMutex>& seq) {
  pending_.push_back(std::move(pending));
  // Only a waiting flusher needs waking, and a lingering one only once its batch is full;
  // a busy one takes this with its next batch. Most writes cost no system call here.
  bool wake = flusher_waiting_ && pending_.size() >= flusher_wake_at_;
  if (wake) flusher_waiting_ = false;
  seq.unlock();
  if (wake) flush_cv_.notify_one();
}

void EmbeddedStore::flusher_loop() {
  using Clock = std::chrono::steady_clock;
  Batch batch;
  size_t released = 0;  // writers the previous batch's callbacks are about to release
  Clock::duration last_sync{};
  for (;;) {
    {
      std::unique_lock seq(seq_mu_);
      size_t linger_target = released + pending_.size();
      auto linger_until = Clock::now() + std::min<Clock::duration>(last_sync, std::chrono::milliseconds(2));
      while (pending_.empty() && !closing_) {
        flusher_wake_at_ = 1;
        flusher_waiting_ = true;
        flush_cv_.wait(seq);
      }
      if (pending_.empty()) break;  // closing, and everything queued is written
      // Group commit: blocking writers released by the previous batch come straight back
      // with their next write. Waiting for them (at most as long as one fsync takes) puts
      // them all in the next batch, instead of splitting them into two half-size batches
      // that alternate and each pay a full fsync.
      while (pending_.size() < linger_target && !closing_) {
        flusher_wake_at_ = linger_target;
        flusher_waiting_ = true;
        if (flush_cv_.wait_until(seq, linger_until) == std::cv_status::timeout) break;
      }
      flusher_waiting_ = false;
      batch.swap(pending_);
      pending_.reserve(batch.size());
    }
    released = 0;
    for (const Pending& p : batch) released += p.done ? 1 : 0;
    auto sync_started = Clock::now();
    try {
      encode_batch(batch);
      if (!wal_buffer_.empty()) {
        wal_.append_and_sync(wal_buffer_);
        ++stat_syncs_;
        stat_bytes_ += wal_buffer_.size();
        wal_bytes_since_snapshot_ += wal_buffer_.size();
      }
      last_sync = Clock::now() - sync_started;
      maybe_roll_for_snapshot();
    } catch (const std::exception& e) {
      // After a failed write or fdatasync the kernel may have dropped the dirty pages, so
      // what is on disk is unknown; retrying could acknowledge writes that are lost.
      // Stopping lets the next start recover from what really is on disk.
      log_->critical(
          "store {}: cannot persist the write-ahead log ({}); stopping the process so that "
          "no write is acknowledged without being durable. Fix the disk problem and restart: "
          "recovery replays what reached the disk.",
          options_.data_dir.string(), e.what());
      log_->flush();
      std::abort();
    }
    {
      std::lock_guard lock(done_mu_);
      done_.push_back(std::move(batch));
    }
    done_cv_.notify_one();
    batch = Batch();
  }
  {
    std::lock_guard lock(done_mu_);
    flusher_finished_ = true;
  }
  done_cv_.notify_one();
}

void EmbeddedStore::encode_batch(const Batch& batch) {
  wal_buffer_.clear();
  uint64_t records = 0;
  for (const Pending& p : batch) {
    if (p.event) {
      const Event& e = *p.event;
      WalRecordFields fields;
      fields.revision = e.revision;
      fields.key = e.key;
      if (e.type == EventType::Delete) {
        fields.kind = RecordKind::Delete;
      } else {
        fields.kind = RecordKind::Put;
        fields.value = *e.value;
        fields.create_revision = e.create_revision;
        fields.version = p.version;
      }
      append_wal_record(wal_buffer_, fields);
      last_logged_revision_ = e.revision;
      ++records;
    } else if (p.compact_revision != 0) {
      WalRecordFields fields;
      fields.kind = RecordKind::Compact;
      fields.compact_revision = p.compact_revision;
      append_wal_record(wal_buffer_, fields);
    }
  }
  stat_records_ += records;
}

void EmbeddedStore::maybe_roll_for_snapshot() {
  if (options_.snapshot_threshold_bytes == 0 || snapshot_busy_ || stopping_) return;
  uint64_t trigger = std::max(options_.snapshot_threshold_bytes, last_snapshot_bytes_.load());
  if (wal_bytes_since_snapshot_ <= trigger || last_logged_revision_ == 0) return;
  // A fresh segment starts right after the snapshot's revision, so once the snapshot is
  // written every older segment is wholly covered by it and can go.
  try {
    wal_.open_segment(last_logged_revision_ + 1);
  } catch (const std::exception& e) {
    log_->error("store {}: cannot start a new WAL segment, postponing the snapshot: {}",
                options_.data_dir.string(), e.what());
    wal_bytes_since_snapshot_ = 0;
    return;
  }
  wal_bytes_since_snapshot_ = 0;
  snapshot_busy_ = true;
  request_snapshot(last_logged_revision_);
}

void EmbeddedStore::completer_loop() {
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(done_mu_);
      done_cv_.wait(lock, [this] { return !done_.empty() || flusher_finished_; });
      if (done_.empty()) return;
      batch = std::move(done_.front());
      done_.pop_front();
    }
    complete(batch);
  }
}

void EmbeddedStore::complete(Batch& batch) {
  publish_buffer_.clear();
  for (const Pending& p : batch) {
    if (p.event) publish_buffer_.push_back(p.event);
  }
  if (!publish_buffer_.empty()) {
    int64_t durable = publish_buffer_.back()->revision;
    durable_revision_.store(durable, std::memory_order_release);
    if (options_.sink) {
      try {
        options_.sink->publish(publish_buffer_);
      } catch (const std::exception& e) {
        log_->error("store {}: event sink failed at revision {}: {}", options_.data_dir.string(), durable,
                    e.what());
      }
    }
    maybe_request_compaction(durable);
  }
  for (Pending& p : batch) {
    if (!p.done) continue;
    try {
      p.done(p.event ? ok_result(*p.event, p.version, p.deleted_mod_revision) : std::move(p.refused));
    } catch (const std::exception& e) {
      log_->error("store {}: write callback threw: {}", options_.data_dir.string(), e.what());
    }
  }
}

}  // namespace ukube::store
