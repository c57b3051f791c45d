#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include <memory>

#include "kernel/store/file_system.h"

// Appends batches to the current WAL segment. Used by the store's flusher thread only.
namespace ukube::store {

class WalWriter {
 public:
  WalWriter(FileSystem& fs, std::filesystem::path dir, bool sync)
      : fs_(fs), dir_(std::move(dir)), sync_(sync) {}

  // Makes wal-<first_revision>.log the segment being appended to. The file may exist
  // already (an empty segment left by the previous run); its directory entry is synced
  // before any record goes into it, so a synced record is never in a file that vanishes.
  void open_segment(int64_t first_revision);

  // One write() for the whole batch, then one fdatasync() if syncing is on.
  void append_and_sync(std::string_view batch);

  uint64_t segment_bytes() const { return segment_bytes_; }
  int64_t segment_first_revision() const { return first_revision_; }
  void close() {
    if (file_) file_->close();
  }

 private:
  FileSystem& fs_;
  std::filesystem::path dir_;
  bool sync_;
  std::unique_ptr<WritableFile> file_;
  int64_t first_revision_ = 0;
  uint64_t segment_bytes_ = 0;
};

}  // namespace ukube::store
