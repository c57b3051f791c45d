#include "kernel/store/snapshot_file.h"

#include <fcntl.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <system_error>

#include "kernel/store/crc32c.h"
#include "kernel/store/data_dir.h"
#include "kernel/store/decode_ahead.h"
#include "kernel/store/record_format.h"
#include "kernel/store/wal.pb.h"

namespace ukube::store {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr size_t kChunkEntries = 1024;
constexpr uint64_t kOffsetMarkEvery = 64ull << 20;

struct DecodedEntry {
  std::string key;
  Bytes value;
  int64_t create_revision;
  int64_t mod_revision;
  int64_t version;
  size_t offset;
};

}  // namespace

SnapshotWriter::SnapshotWriter(FileSystem& fs, std::filesystem::path dir, int64_t revision,
                               int64_t compacted_revision, bool sync)
    : fs_(fs), dir_(std::move(dir)), next_offset_mark_(kOffsetMarkEvery), sync_(sync) {
  final_path_ = dir_ / snapshot_name(revision);
  temp_path_ = dir_ / (snapshot_name(revision) + ".tmp");
  file_ = fs_.open(temp_path_, OpenFor::Rewrite);
  summary_.revision = revision;
  summary_.compacted_revision = compacted_revision;
  append_snapshot_header(buffer_, revision, compacted_revision);
}

SnapshotWriter::~SnapshotWriter() {
  if (committed_) return;
  file_.reset();
  try {
    fs_.remove(temp_path_);
  } catch (const std::exception&) {
    // Left behind, it is removed as a temporary when the store next opens.
  }
}

void SnapshotWriter::add(std::string_view key, std::string_view value, int64_t create_revision,
                         int64_t mod_revision, int64_t version) {
  uint64_t offset = summary_.bytes + buffer_.size();
  if (offset >= next_offset_mark_) {
    entry_offsets_.push_back(offset);
    next_offset_mark_ = offset + kOffsetMarkEvery;
  }
  size_t at = buffer_.size();
  append_snapshot_entry(buffer_, {key, value, create_revision, mod_revision, version});
  entries_crc_ = crc32c_extend(entries_crc_, buffer_.data() + at, kFrameHeaderSize);
  ++summary_.count;
  if (buffer_.size() >= kFlushBytes) flush();
}

void SnapshotWriter::flush() {
  file_->append(buffer_);
  summary_.bytes += buffer_.size();
  buffer_.clear();
}

SnapshotSummary SnapshotWriter::commit() {
  uint64_t footer_offset = summary_.bytes + buffer_.size();
  append_snapshot_footer(buffer_, summary_.count, entries_crc_, entry_offsets_);
  append_snapshot_trailer(buffer_, footer_offset);
  flush();
  if (sync_) file_->sync();
  file_->close();
  fs_.rename(temp_path_, final_path_);
  if (sync_) fs_.sync_directory(dir_);
  committed_ = true;
  return summary_;
}

SnapshotSummary load_snapshot(FileSystem& fs, const std::filesystem::path& path,
                              const SnapshotEntrySink& add) {
  std::unique_ptr<FileContents> file = fs.read(path);
  std::string_view data = file->bytes();
  SnapshotSummary summary;
  summary.bytes = data.size();

  auto fail = [&](size_t offset, std::string_view what) -> SnapshotError {
    return SnapshotError("snapshot " + path.string() + " is unusable at byte offset " +
                         std::to_string(offset) + ": " + std::string(what));
  };

  Frame frame = read_frame(data, 0, kSnapshotHeaderMagic);
  wal::SnapshotHeader header;
  if (frame.error != FrameError::None) throw fail(0, describe(frame.error));
  if (!header.ParseFromArray(frame.payload.data(), static_cast<int>(frame.payload.size())))
    throw fail(0, "undecodable header");
  if (header.format() != kSnapshotFormat)
    throw fail(0, "unknown snapshot format " + std::to_string(header.format()));
  summary.revision = header.revision();
  summary.compacted_revision = header.compacted_revision();
  if (auto named = parse_snapshot_name(path.filename().string()); named && *named != summary.revision)
    throw fail(0, "header revision " + std::to_string(summary.revision) + " does not match the file name");
  const size_t entries_begin = frame.size;

  const uint64_t footer_offset = read_snapshot_trailer(data);
  if (footer_offset < entries_begin || footer_offset > data.size() - kSnapshotTrailerSize)
    throw fail(data.size() < kSnapshotTrailerSize ? 0 : data.size() - kSnapshotTrailerSize,
               "no footer (the file is incomplete)");
  const size_t entries_end = static_cast<size_t>(footer_offset);
  Frame footer_frame =
      read_frame(data.substr(0, data.size() - kSnapshotTrailerSize), entries_end, kSnapshotFooterMagic);
  wal::SnapshotFooter footer;
  if (footer_frame.error != FrameError::None ||
      entries_end + footer_frame.size + kSnapshotTrailerSize != data.size())
    throw fail(entries_end, "missing or damaged footer");
  if (!footer.ParseFromArray(footer_frame.payload.data(), static_cast<int>(footer_frame.payload.size())))
    throw fail(entries_end, "undecodable footer");

  // Two decoders, one from the start and one from the recorded entry offset nearest the
  // middle, so that both cores parse and allocate; this thread applies their output in
  // order. The second decoder may run arbitrarily far ahead.
  size_t split = entries_end;
  const size_t middle = entries_begin + (entries_end - entries_begin) / 2;
  for (uint64_t offset : footer.entry_offsets()) {
    if (offset <= entries_begin || offset >= entries_end)
      throw fail(entries_end, "entry offset out of range");
    auto distance = [&](size_t at) { return at > middle ? at - middle : middle - at; };
    if (split == entries_end || distance(offset) < distance(split)) split = offset;
  }
  std::string_view region = data.substr(0, entries_end);
  auto decoder = [&](size_t begin, size_t end) {
    return [&, begin, end](const DecodeAhead<DecodedEntry>::Push& push) {
      wal::SnapshotEntry entry;
      std::vector<DecodedEntry> chunk;
      std::string_view range = region.substr(0, end);
      for (size_t offset = begin; offset < end;) {
        Frame f = read_frame(range, offset, kSnapshotEntryMagic);
        if (f.error != FrameError::None) throw fail(offset, describe(f.error));
        if (!entry.ParseFromArray(f.payload.data(), static_cast<int>(f.payload.size())))
          throw fail(offset, "undecodable entry");
        chunk.push_back({std::move(*entry.mutable_key()), make_bytes(std::move(*entry.mutable_value())),
                         entry.create_revision(), entry.mod_revision(), entry.version(), offset});
        if (chunk.size() == kChunkEntries) {
          push(std::move(chunk));
          chunk = {};
          chunk.reserve(kChunkEntries);
        }
        offset += f.size;
      }
      if (!chunk.empty()) push(std::move(chunk));
    };
  };
  DecodeAhead<DecodedEntry> first(decoder(entries_begin, split));
  std::optional<DecodeAhead<DecodedEntry>> second;
  if (split != entries_end) second.emplace(decoder(split, entries_end), SIZE_MAX);

  uint32_t entries_crc = 0;
  std::string previous_key;
  for (DecodeAhead<DecodedEntry>* ahead : {&first, second ? &*second : nullptr}) {
    if (!ahead) continue;
    while (auto chunk = ahead->next()) {
      for (DecodedEntry& e : *chunk) {
        entries_crc = crc32c_extend(entries_crc, data.data() + e.offset, kFrameHeaderSize);
        if (summary.count > 0 && e.key <= previous_key) throw fail(e.offset, "keys out of order");
        previous_key = e.key;
        add(std::move(e.key), std::move(e.value), e.create_revision, e.mod_revision, e.version);
        ++summary.count;
      }
    }
  }
  if (footer.count() != summary.count)
    throw fail(entries_end, "footer counts " + std::to_string(footer.count()) + " entries, file has " +
                                std::to_string(summary.count));
  if (footer.entries_crc() != entries_crc)
    throw fail(entries_end, "footer checksum does not match the entries");
  return summary;
}

}  // namespace ukube::store
