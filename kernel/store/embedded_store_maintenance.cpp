// Background work of the embedded store: snapshots and compaction.
#include <spdlog/logger.h>
#include <shared_mutex>
#include <system_error>

#include "kernel/store/embedded_store.h"
#include "kernel/store/file_io.h"
#include "kernel/store/snapshot_file.h"

namespace ukube::store {
namespace {

constexpr size_t kSnapshotKeysPerLockHold = 4096;
constexpr size_t kCompactionKeysPerLockHold = 512;

struct SnapshotItem {
  std::string key;
  Bytes value;
  int64_t create_revision;
  int64_t mod_revision;
  int64_t version;
};

}  // namespace

void EmbeddedStore::compact(int64_t revision) {
  if (revision > current_revision())
    throw StoreError(StoreError::Code::FutureRevision,
                     "cannot compact to revision " + std::to_string(revision) +
                         ", newer than the current revision " + std::to_string(current_revision()));
  std::lock_guard work(maint_work_mu_);
  run_compaction(revision);
}

void EmbeddedStore::snapshot() {
  if (stopping_)
    throw StoreError(StoreError::Code::Closed, "store " + options_.data_dir.string() + " is closed");
  std::lock_guard work(maint_work_mu_);
  if (!take_snapshot(current_revision()))
    throw StoreError(StoreError::Code::Closed,
                     "store " + options_.data_dir.string() + " closed during the snapshot");
}

void EmbeddedStore::maybe_request_compaction(int64_t durable) {
  int64_t window = options_.compaction_window;
  if (window <= 0) return;
  int64_t target = durable - window;
  int64_t slack = std::max<int64_t>(1, window / 8);  // compact in steps, not on every batch
  int64_t done = std::max(compacted_revision_.load(), compaction_requested_.load());
  if (target - done < slack) return;
  compaction_requested_ = target;
  {
    std::lock_guard lock(maint_mu_);
    compaction_request_ = std::max(compaction_request_, target);
  }
  maint_cv_.notify_one();
}

void EmbeddedStore::request_snapshot(int64_t revision) {
  {
    std::lock_guard lock(maint_mu_);
    snapshot_request_ = revision;
  }
  maint_cv_.notify_one();
}

void EmbeddedStore::maintenance_loop() {
  std::unique_lock lock(maint_mu_);
  for (;;) {
    maint_cv_.wait(lock, [this] {
      return maint_stop_ || snapshot_request_ != 0 || compaction_request_ > compacted_revision_.load();
    });
    if (maint_stop_) return;
    int64_t snapshot = std::exchange(snapshot_request_, 0);
    int64_t compaction = compaction_request_;
    lock.unlock();
    {
      std::lock_guard work(maint_work_mu_);
      if (snapshot != 0) {
        try {
          take_snapshot(snapshot);
        } catch (const std::exception& e) {
          log_->error("store {}: snapshot at revision {} failed, the WAL keeps everything meanwhile: {}",
                      options_.data_dir.string(), snapshot, e.what());
        }
        snapshot_busy_ = false;
      }
      if (compaction > compacted_revision_.load()) {
        try {
          run_compaction(compaction);
        } catch (const std::exception& e) {
          log_->error("store {}: compaction to revision {} failed: {}", options_.data_dir.string(),
                      compaction, e.what());
        }
      }
    }
    lock.lock();
    if (compaction_request_ <= compaction) compaction_request_ = 0;
  }
}

bool EmbeddedStore::take_snapshot(int64_t requested) {
  int64_t revision, compacted;
  {
    std::shared_lock lock(index_lock_);
    compacted = compacted_revision_.load();
    // Versions below the compacted revision may be gone, so never read below it. Both
    // are durable, and the WAL replay skips records the snapshot already holds.
    revision = std::max(requested, compacted);
  }
  SnapshotWriter writer(fs_, options_.data_dir, revision, compacted, options_.fsync);
  std::vector<SnapshotItem> chunk;
  std::string resume;
  bool resume_inclusive = true;
  for (bool done = false; !done;) {
    if (stopping_) return false;  // the writer removes its temporary file
    chunk.clear();
    {
      std::shared_lock lock(index_lock_);
      auto it = resume_inclusive ? index_.lower_bound(resume) : index_.upper_bound(resume);
      for (size_t visited = 0; it != index_.end() && visited < kSnapshotKeysPerLockHold; ++it, ++visited) {
        if (const Version* v = MvccIndex::visible(it->second, revision))
          chunk.push_back({it->first, v->value, v->create_revision, v->mod_revision, v->version});
      }
      done = it == index_.end();
      if (!done) {
        resume = it->first;
        resume_inclusive = true;
      }
    }
    // Encoding and writing happen outside the lock.
    for (const SnapshotItem& item : chunk)
      writer.add(item.key, *item.value, item.create_revision, item.mod_revision, item.version);
  }
  SnapshotSummary summary = writer.commit();
  last_snapshot_bytes_ = summary.bytes;
  ++stat_snapshots_;
  stat_snapshot_revision_ = revision;
  remove_covered_files(revision);
  log_->info("store {}: snapshot at revision {}: {} keys, {} bytes", options_.data_dir.string(), revision,
             summary.count, summary.bytes);
  return true;
}

void EmbeddedStore::remove_covered_files(int64_t snapshot_revision) {
  DataDirListing listing = list_data_dir(fs_, options_.data_dir);
  std::vector<std::filesystem::path> obsolete;
  for (size_t i = 0; i + 1 < listing.segments.size(); ++i) {
    if (listing.segments[i + 1].number <= snapshot_revision + 1) obsolete.push_back(listing.segments[i].path);
  }
  for (const auto& snapshot : listing.snapshots) {
    if (snapshot.number < snapshot_revision) obsolete.push_back(snapshot.path);
  }
  for (const auto& path : obsolete) {
    try {
      fs_.remove(path);
    } catch (const std::exception& e) {
      log_->warn("store {}: {}", options_.data_dir.string(), e.what());
    }
  }
  if (!obsolete.empty() && options_.fsync) fs_.sync_directory(options_.data_dir);
}

void EmbeddedStore::run_compaction(int64_t target) {
  {
    std::unique_lock seq(seq_mu_);
    if (closing_)
      throw StoreError(StoreError::Code::Closed, "store " + options_.data_dir.string() + " is closed");
    if (target <= compacted_revision_.load()) return;
    {
      std::lock_guard exclusive(index_lock_);
      compacted_revision_ = target;
    }
    // Logged so that a restart does not make compacted revisions readable again.
    Pending record;
    record.compact_revision = target;
    enqueue(std::move(record), seq);
  }
  for (bool more = true; more;) {
    std::lock_guard seq(seq_mu_);
    std::lock_guard exclusive(index_lock_);
    more = index_.compact_some(target, kCompactionKeysPerLockHold);
  }
}

}  // namespace ukube::store
