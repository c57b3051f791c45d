#include "kernel/store/wal_writer.h"

#include "kernel/store/data_dir.h"

namespace ukube::store {

void WalWriter::open_segment(int64_t first_revision) {
  std::unique_ptr<WritableFile> next = fs_.open(dir_ / wal_segment_name(first_revision), OpenFor::Append);
  uint64_t existing = next->size();
  if (sync_) {
    next->sync();
    fs_.sync_directory(dir_);
  }
  // The previous segment was synced with its last batch; closing it now cannot lose data.
  file_ = std::move(next);
  first_revision_ = first_revision;
  segment_bytes_ = existing;
}

void WalWriter::append_and_sync(std::string_view batch) {
  file_->append(batch);
  if (sync_) file_->sync();
  segment_bytes_ += batch.size();
}

}  // namespace ukube::store
