#include "kernel/store/wal_writer.h"

#include <fcntl.h>

#include "kernel/store/data_dir.h"

namespace ukube::store {

void WalWriter::open_segment(int64_t first_revision) {
  FileHandle next = FileHandle::open(dir_ / wal_segment_name(first_revision), O_WRONLY | O_CREAT | O_APPEND);
  uint64_t existing = next.size();
  if (sync_) {
    next.sync_data();
    sync_directory(dir_);
  }
  // The previous segment was synced with its last batch; closing it now cannot lose data.
  file_ = std::move(next);
  first_revision_ = first_revision;
  segment_bytes_ = existing;
}

void WalWriter::append_and_sync(std::string_view batch) {
  file_.write_all(batch);
  if (sync_) file_.sync_data();
  segment_bytes_ += batch.size();
}

}  // namespace ukube::store
