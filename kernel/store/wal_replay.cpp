#include "kernel/store/wal_replay.h"

#include <spdlog/logger.h>
#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "kernel/store/decode_ahead.h"
#include "kernel/store/wal.pb.h"

namespace ukube::store {
namespace {

constexpr char kMagicBytes[4] = {'U', 'W', 'A', 'L'};

[[noreturn]] void corrupt(const NumberedFile& segment, size_t offset, const std::string& what,
                          const ReplayOptions& options) {
  std::string message = "WAL segment " + segment.path.string() + " is corrupt at byte offset " +
                        std::to_string(offset) + ": " + what + ".";
  if (!options.context.empty()) message += " " + options.context + ".";
  message +=
      " Refusing to open the store, because continuing would silently lose acknowledged writes. Restore "
      "the data directory from a backup; or, accepting the loss of every write from this point on, move "
      "this file and every later wal-*.log file out of " +
      segment.path.parent_path().string() + " and start again.";
  throw std::runtime_error(message);
}

bool parse(std::string_view payload, wal::Record& record) {
  return record.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
}

// Offset of the first complete, checksummed, decodable record after `from`, if any.
std::optional<size_t> next_valid_record(std::string_view data, size_t from) {
  wal::Record scratch;
  for (size_t at = from + 1; at + kFrameHeaderSize <= data.size(); ++at) {
    const void* hit = ::memmem(data.data() + at, data.size() - at, kMagicBytes, sizeof kMagicBytes);
    if (!hit) return std::nullopt;
    at = static_cast<size_t>(static_cast<const char*>(hit) - data.data());
    Frame frame = read_frame(data, at, kWalMagic);
    if (frame.error == FrameError::None && parse(frame.payload, scratch)) return at;
  }
  return std::nullopt;
}

size_t count_record_starts(std::string_view tail) {
  size_t count = 0;
  for (size_t at = 0; at + sizeof kMagicBytes <= tail.size(); ++at) {
    const void* hit = ::memmem(tail.data() + at, tail.size() - at, kMagicBytes, sizeof kMagicBytes);
    if (!hit) break;
    at = static_cast<size_t>(static_cast<const char*>(hit) - tail.data());
    ++count;
  }
  return count;
}

constexpr size_t kChunkRecords = 1024;

// Validates and decodes the segments (on the DecodeAhead thread), handing out chunks of
// records to apply. Everything here depends only on the files, not on the index.
class Decoder {
 public:
  Decoder(std::span<const NumberedFile> segments, const ReplayOptions& options)
      : segments_(segments), options_(options) {
    stats_.last_revision = options.base_revision;
    chunk_.reserve(kChunkRecords);
  }

  void run(const DecodeAhead<ReplayedRecord>::Push& push) {
    for (size_t i = 0; i < segments_.size(); ++i) segment(i, push);
    if (!chunk_.empty()) push(std::move(chunk_));
  }

  // Valid once run() has returned.
  const ReplayStats& stats() const { return stats_; }

 private:
  void segment(size_t index, const DecodeAhead<ReplayedRecord>::Push& push) {
    const NumberedFile& segment = segments_[index];
    bool last = index + 1 == segments_.size();
    if (segment.number > stats_.last_revision + 1)
      corrupt(segment, 0,
              "the segment starts at revision " + std::to_string(segment.number) +
                  " but the data before it ends at revision " + std::to_string(stats_.last_revision) +
                  ", so revisions in between are missing",
              options_);
    std::unique_ptr<FileContents> file = fs().read(segment.path);
    std::string_view data = file->bytes();
    bool first_write = true;
    size_t offset = 0;
    while (offset < data.size()) {
      Frame frame = read_frame(data, offset, kWalMagic);
      if (frame.error != FrameError::None) {
        if (!last)
          corrupt(segment, offset, std::string(describe(frame.error)) + " in a segment that is not the last",
                  options_);
        if (auto next = next_valid_record(data, offset))
          corrupt(segment, offset,
                  std::string(describe(frame.error)) + ", yet a valid record follows at byte offset " +
                      std::to_string(*next) + ", so this is damage inside the log, not an interrupted write",
                  options_);
        std::string_view tail = data.substr(offset);
        size_t starts = count_record_starts(tail);
        const size_t tail_bytes = tail.size();
        file.reset();  // no mapping of the file while it is truncated
        drop_tail(segment, offset, tail_bytes, starts, frame.error);
        return;
      }
      if (!parse(frame.payload, record_))
        corrupt(segment, offset, "the record's checksum is valid but it cannot be decoded", options_);
      accept(index, offset, first_write);
      if (chunk_.size() >= kChunkRecords) {
        push(std::move(chunk_));
        chunk_ = {};
        chunk_.reserve(kChunkRecords);
      }
      stats_.bytes += frame.size;
      offset += frame.size;
    }
  }

  void accept(size_t index, size_t offset, bool& first_write) {
    const NumberedFile& segment = segments_[index];
    auto kind = static_cast<RecordKind>(record_.kind());
    if (kind == RecordKind::Compact) {
      stats_.compact_revision = std::max(stats_.compact_revision, record_.compact_revision());
      return;
    }
    if (kind != RecordKind::Put && kind != RecordKind::Delete)
      corrupt(segment, offset,
              "unknown record kind " + std::to_string(record_.kind()) + " (written by a newer ukube?)",
              options_);
    int64_t revision = record_.revision();
    if (first_write && revision != segment.number)
      corrupt(segment, offset,
              "the first record has revision " + std::to_string(revision) + " but the segment's name says " +
                  std::to_string(segment.number),
              options_);
    first_write = false;
    if (last_seen_ != 0 && revision != last_seen_ + 1)
      corrupt(segment, offset,
              "revision " + std::to_string(revision) + " follows revision " + std::to_string(last_seen_) +
                  " (records out of order or missing)",
              options_);
    last_seen_ = revision;
    if (revision <= options_.base_revision) return;  // already in the snapshot
    if (revision != stats_.last_revision + 1)
      corrupt(segment, offset,
              "revision " + std::to_string(revision) + " does not continue the snapshot, which ends at " +
                  std::to_string(stats_.last_revision),
              options_);
    ReplayedRecord& out = chunk_.emplace_back();
    out.revision = revision;
    out.kind = kind;
    out.key = std::move(*record_.mutable_key());
    if (kind == RecordKind::Put) out.value = make_bytes(std::move(*record_.mutable_value()));
    out.create_revision = record_.create_revision();
    out.version = record_.version();
    out.segment = index;
    out.offset = offset;
    stats_.last_revision = revision;
  }

  void drop_tail(const NumberedFile& segment, size_t offset, size_t bytes, size_t starts, FrameError why) {
    std::unique_ptr<WritableFile> file = fs().open(segment.path, OpenFor::Existing);
    file->truncate(offset);
    if (options_.sync) file->sync();
    stats_.dropped_bytes += bytes;
    if (options_.logger)
      options_.logger->warn(
          "WAL segment {}: dropped a torn tail of {} bytes at byte offset {} ({} incomplete record(s), first "
          "problem: {}); a crash interrupted this write, so it was never acknowledged",
          segment.path.string(), bytes, offset, starts, describe(why));
  }

  FileSystem& fs() const { return options_.fs ? *options_.fs : posix_file_system(); }

  std::span<const NumberedFile> segments_;
  const ReplayOptions& options_;
  ReplayStats stats_;
  int64_t last_seen_ = 0;  // revision of the previous write record in the log
  wal::Record record_;
  std::vector<ReplayedRecord> chunk_;
};

}  // namespace

ReplayStats replay_wal(std::span<const NumberedFile> segments, const ReplayOptions& options,
                       const std::function<void(ReplayedRecord&&)>& apply) {
  Decoder decoder(segments, options);
  uint64_t applied = 0;
  {
    DecodeAhead<ReplayedRecord> ahead([&](const auto& push) { decoder.run(push); });
    while (auto chunk = ahead.next()) {
      for (ReplayedRecord& record : *chunk) {
        size_t segment = record.segment, offset = record.offset;
        try {
          apply(std::move(record));
        } catch (const std::runtime_error& e) {
          corrupt(segments[segment], offset, e.what(), options);
        }
        ++applied;
      }
    }
  }
  ReplayStats stats = decoder.stats();
  stats.records = applied;
  return stats;
}

}  // namespace ukube::store
