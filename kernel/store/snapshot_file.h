#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/store/file_system.h"
#include "ukube/store.h"

// Snapshot files: every live key at one revision. Layout: a header record (revision,
// compacted revision), one record per live key in key order, a footer record (count,
// checksum, offsets where parallel decoding may start), then the footer's offset in the
// last 8 bytes. A snapshot is written to a temporary file and renamed into place only once
// complete and synced, so a crash leaves either the old set of files or the new one,
// never a half-written snapshot under a real name.
namespace ukube::store {

struct SnapshotSummary {
  int64_t revision = 0;
  int64_t compacted_revision = 0;
  uint64_t count = 0;
  uint64_t bytes = 0;
};

class SnapshotWriter {
 public:
  SnapshotWriter(FileSystem& fs, std::filesystem::path dir, int64_t revision, int64_t compacted_revision,
                 bool sync);
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;
  ~SnapshotWriter();  // removes the temporary file unless commit() succeeded

  // Keys must come in ascending order.
  void add(std::string_view key, std::string_view value, int64_t create_revision, int64_t mod_revision,
           int64_t version);
  // Seals the file under its final name and returns its summary.
  SnapshotSummary commit();

 private:
  void flush();

  FileSystem& fs_;
  std::filesystem::path dir_;
  std::filesystem::path temp_path_;
  std::filesystem::path final_path_;
  std::unique_ptr<WritableFile> file_;
  std::string buffer_;
  SnapshotSummary summary_;
  uint32_t entries_crc_ = 0;
  std::vector<uint64_t> entry_offsets_;  // where parallel decoding may start
  uint64_t next_offset_mark_;
  bool sync_;
  bool committed_ = false;
};

// Why a snapshot file cannot be used; the store then falls back to an older one.
class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using SnapshotEntrySink = std::function<void(std::string&& key, Bytes value, int64_t create_revision,
                                             int64_t mod_revision, int64_t version)>;

// Verifies every record and the footer while handing entries to `add` in key order.
// Throws SnapshotError (nothing of the file is trustworthy then) or StoreError(Io).
SnapshotSummary load_snapshot(FileSystem& fs, const std::filesystem::path& path,
                              const SnapshotEntrySink& add);

}  // namespace ukube::store
