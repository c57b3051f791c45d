#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/fwd.h>

#include "kernel/store/adaptive_mutex.h"
#include "kernel/store/data_dir.h"
#include "kernel/store/mvcc_index.h"
#include "kernel/store/rw_lock.h"
#include "kernel/store/wal_writer.h"
#include "ukube/store.h"

namespace ukube::store {

struct EmbeddedStoreOptions {
  std::filesystem::path data_dir;
  FileSystem* file_system = nullptr;  // null: the machine's; tests put a faulty one here
  EventSink* sink = nullptr;          // receives every durable change; may be null
  bool fsync = true;                  // off only for tests and benchmarks that do not need durability
  // A snapshot is taken once the WAL written since the last one exceeds this, or exceeds
  // the last snapshot's size if that is larger (so snapshot work stays proportional to
  // write volume as the store grows). 0: never.
  uint64_t snapshot_threshold_bytes = 64ull << 20;
  int64_t compaction_window = 100000;      // revisions kept readable; 0: compact only on request
  std::shared_ptr<spdlog::logger> logger;  // null: spdlog's default logger
};

struct EmbeddedStoreStats {
  int64_t revision = 0;
  int64_t compacted_revision = 0;
  uint64_t keys = 0;       // index entries, including keys with only old versions
  uint64_t wal_syncs = 0;  // group commits: one write() + fdatasync() each
  uint64_t wal_records = 0;
  uint64_t wal_bytes = 0;
  uint64_t snapshots = 0;  // taken since open
  int64_t last_snapshot_revision = 0;
};

// The default store backend (DESIGN.md §2): an in-memory MVCC index, a write-ahead log
// with group commit, snapshots and compaction.
//
// A write goes through three stages. submit() sequences it on the caller's thread: under
// one mutex it checks the precondition, assigns the next revision, calls the encoder and
// inserts the new version into the index — invisible to readers, who read at the durable
// revision. The flusher thread then writes everything queued meanwhile with one write()
// and one fdatasync(). The completer thread finally advances the durable revision,
// publishes the events and runs the callbacks, so nothing is acknowledged, published or
// readable before it is on disk, and the next fsync can start while callbacks run.
class EmbeddedStore final : public Store {
 public:
  // Recovers the data directory (creating it if needed). Throws std::runtime_error when it
  // cannot be recovered without losing data; the message says where and what to do.
  static std::unique_ptr<EmbeddedStore> open(EmbeddedStoreOptions options);
  ~EmbeddedStore() override;

  // Completes every queued write, then stops the store's threads. Idempotent.
  void close();

  std::optional<KeyValue> get(std::string_view key, int64_t revision = 0) override;
  ListResult list(std::string_view prefix, const ListOptions& options = {}) override;
  void submit(WriteRequest request, WriteCallback done) override;
  int64_t current_revision() override;
  int64_t compacted_revision() override;
  void compact(int64_t revision) override;

  // Writes a snapshot at the current revision now, on the calling thread (e.g. before a
  // backup); normally snapshots are taken automatically in the background.
  void snapshot();

  EmbeddedStoreStats stats();

 private:
  struct Pending {
    EventPtr event;                    // a write that took a revision
    int64_t version = 0;               // the key's version after the write (delete: before it)
    int64_t deleted_mod_revision = 0;  // delete: mod revision of the deleted state
    int64_t compact_revision = 0;      // a compaction record: no event, no callback
    WriteCallback done;
    WriteResult refused;  // the answer for a write that took no revision
  };
  using Batch = std::vector<Pending>;

  explicit EmbeddedStore(EmbeddedStoreOptions options);
  void start();

  // Read path.
  int64_t read_revision(int64_t requested) const;  // caller holds index_lock_ shared

  // Write path.
  void enqueue(Pending pending, std::unique_lock<AdaptiveMutex>& seq);
  void flusher_loop();
  void encode_batch(const Batch& batch);
  void maybe_roll_for_snapshot();
  void completer_loop();
  void complete(Batch& batch);

  // Maintenance.
  void maintenance_loop();
  void request_snapshot(int64_t revision);
  void maybe_request_compaction(int64_t durable);
  bool take_snapshot(int64_t revision);  // false: abandoned because the store is closing
  void remove_covered_files(int64_t snapshot_revision);
  void run_compaction(int64_t target);

  const EmbeddedStoreOptions options_;
  const std::shared_ptr<spdlog::logger> log_;
  FileSystem& fs_;
  // Two processes appending to one WAL would corrupt it; the lock makes the second open
  // fail with a clear message instead. The kernel drops it when the holder dies.
  std::unique_ptr<DirectoryLock> dir_lock_;

  // The index. Readers hold index_lock_ shared. Mutators hold seq_mu_ and index_lock_
  // exclusively, which lets the sequencer read the index under seq_mu_ alone.
  mutable RwLock index_lock_;
  MvccIndex index_;
  std::atomic<int64_t> durable_revision_{0};    // readable; advanced by the completer
  std::atomic<int64_t> compacted_revision_{0};  // changed with index_lock_ exclusive

  // Sequencer state, under seq_mu_.
  AdaptiveMutex seq_mu_;
  std::condition_variable_any flush_cv_;
  bool flusher_waiting_ = false;
  size_t flusher_wake_at_ = 1;  // the flusher wants waking once pending_ has this many
  bool closing_ = false;
  int64_t assigned_revision_ = 0;
  Batch pending_;

  // Flusher-only state.
  WalWriter wal_;
  std::string wal_buffer_;
  int64_t last_logged_revision_ = 0;
  uint64_t wal_bytes_since_snapshot_ = 0;

  // Flusher -> completer hand-off.
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::deque<Batch> done_;
  bool flusher_finished_ = false;
  std::vector<EventPtr> publish_buffer_;  // completer-only

  // Maintenance: requests under maint_mu_; maint_work_mu_ keeps snapshot and compaction
  // apart (a snapshot reads one old revision that compaction could otherwise drop).
  std::mutex maint_mu_;
  std::condition_variable maint_cv_;
  bool maint_stop_ = false;
  int64_t snapshot_request_ = 0;
  int64_t compaction_request_ = 0;
  std::mutex maint_work_mu_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> snapshot_busy_{false};
  std::atomic<int64_t> compaction_requested_{0};
  std::atomic<uint64_t> last_snapshot_bytes_{0};

  std::atomic<uint64_t> stat_syncs_{0}, stat_records_{0}, stat_bytes_{0}, stat_snapshots_{0};
  std::atomic<int64_t> stat_snapshot_revision_{0};

  std::once_flag close_once_;
  std::thread flusher_;
  std::thread completer_;
  std::thread maintenance_;
};

}  // namespace ukube::store
