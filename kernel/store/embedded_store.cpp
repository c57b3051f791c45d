// Lifecycle of the embedded store: open (recovery), threads, close.
#include "kernel/store/embedded_store.h"

#include <spdlog/spdlog.h>

#include <shared_mutex>
#include <stdexcept>

#include "kernel/store/recovery.h"

namespace ukube::store {
namespace {

std::unique_ptr<DirectoryLock> prepare_dir(FileSystem& fs, const std::filesystem::path& dir) {
  if (dir.empty()) throw std::invalid_argument("EmbeddedStoreOptions.data_dir is empty");
  fs.create_directories(dir);
  return fs.lock_directory(dir);
}

}  // namespace

EmbeddedStore::EmbeddedStore(EmbeddedStoreOptions options)
    : options_(std::move(options)),
      log_(options_.logger ? options_.logger : spdlog::default_logger()),
      fs_(options_.file_system ? *options_.file_system : posix_file_system()),
      dir_lock_(prepare_dir(fs_, options_.data_dir)),
      wal_(fs_, options_.data_dir, options_.fsync) {}

std::unique_ptr<EmbeddedStore> EmbeddedStore::open(EmbeddedStoreOptions options) {
  std::unique_ptr<EmbeddedStore> store(new EmbeddedStore(std::move(options)));
  store->start();
  return store;
}

void EmbeddedStore::start() {
  RecoveredState state = recover(fs_, options_.data_dir, index_, options_.fsync, *log_);
  durable_revision_ = state.revision;
  compacted_revision_ = state.compacted_revision;
  assigned_revision_ = state.revision;
  last_logged_revision_ = state.revision;
  wal_bytes_since_snapshot_ = state.wal_bytes;
  last_snapshot_bytes_ = state.snapshot_bytes;
  stat_snapshot_revision_ = state.snapshot_revision;
  wal_.open_segment(state.revision + 1);
  // With the new segment in place, a last segment the snapshot covers has a successor now.
  if (state.snapshot_revision > 0) remove_covered_files(state.snapshot_revision);

  flusher_ = std::thread([this] { flusher_loop(); });
  completer_ = std::thread([this] { completer_loop(); });
  maintenance_ = std::thread([this] { maintenance_loop(); });
  maybe_request_compaction(state.revision);
}

void EmbeddedStore::close() {
  std::call_once(close_once_, [this] {
    // Maintenance first, so no compaction record is queued behind the final flush; a
    // snapshot in progress is abandoned (the WAL still has everything).
    stopping_ = true;
    {
      std::lock_guard lock(maint_mu_);
      maint_stop_ = true;
    }
    maint_cv_.notify_all();
    if (maintenance_.joinable()) maintenance_.join();

    {
      std::lock_guard lock(seq_mu_);
      closing_ = true;
    }
    flush_cv_.notify_all();
    if (flusher_.joinable()) flusher_.join();
    if (completer_.joinable()) completer_.join();
    wal_.close();
  });
}

EmbeddedStore::~EmbeddedStore() {
  try {
    close();
  } catch (const std::exception& e) {
    log_->error("closing store {}: {}", options_.data_dir.string(), e.what());
  }
}

int64_t EmbeddedStore::current_revision() {
  return durable_revision_.load(std::memory_order_acquire);
}

int64_t EmbeddedStore::compacted_revision() {
  return compacted_revision_.load(std::memory_order_acquire);
}

EmbeddedStoreStats EmbeddedStore::stats() {
  EmbeddedStoreStats s;
  s.revision = current_revision();
  s.compacted_revision = compacted_revision();
  {
    std::shared_lock lock(index_lock_);
    s.keys = index_.key_count();
  }
  s.wal_syncs = stat_syncs_;
  s.wal_records = stat_records_;
  s.wal_bytes = stat_bytes_;
  s.snapshots = stat_snapshots_;
  s.last_snapshot_revision = stat_snapshot_revision_;
  return s;
}

}  // namespace ukube::store
