#pragma once

#include <cstdint>
#include <filesystem>

#include <spdlog/fwd.h>

#include "kernel/store/file_system.h"
#include "kernel/store/mvcc_index.h"

// Rebuilds the index from a data directory: the newest usable snapshot, then every WAL
// record after it. Also removes what the result makes redundant (temporary files, WAL
// segments and snapshots older than the snapshot used).
namespace ukube::store {

struct RecoveredState {
  int64_t revision = 0;            // newest durable revision
  int64_t compacted_revision = 0;  // reads below it fail
  int64_t snapshot_revision = 0;
  uint64_t snapshot_bytes = 0;
  uint64_t wal_bytes = 0;  // WAL after the snapshot, counted towards the next one
  uint64_t wal_records = 0;
};

// Throws std::runtime_error when the directory cannot be recovered without losing data.
RecoveredState recover(FileSystem& fs, const std::filesystem::path& dir, MvccIndex& index, bool sync,
                       spdlog::logger& logger);

}  // namespace ukube::store
