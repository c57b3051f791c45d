#include "kernel/store/record_format.h"

#include <cstring>

#include "kernel/store/crc32c.h"
#include "kernel/store/wal.pb.h"

namespace ukube::store {
namespace {

static_assert(static_cast<int>(RecordKind::Put) == wal::PUT);
static_assert(static_cast<int>(RecordKind::Delete) == wal::DELETE);
static_assert(static_cast<int>(RecordKind::Compact) == wal::COMPACT);

uint32_t load_le32(const char* p) {
  unsigned char b[4];
  std::memcpy(b, p, 4);
  return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}

void store_le32(char* p, uint32_t v) {
  unsigned char b[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
                        static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
  std::memcpy(p, b, 4);
}

constexpr uint32_t kVarint = 0;
constexpr uint32_t kLengthDelimited = 2;

size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Both passes over a message run the same emit function: first with a Sizer to learn the
// payload length (it goes in the frame header), then with a Writer to fill the bytes.
// Zero and empty fields are skipped, as proto3 serialisation does.
class Sizer {
 public:
  void varint(uint32_t field, uint64_t v) {
    if (v) size_ += varint_size(field << 3 | kVarint) + varint_size(v);
  }
  void bytes(uint32_t field, std::string_view s) {
    if (!s.empty()) size_ += varint_size(field << 3 | kLengthDelimited) + varint_size(s.size()) + s.size();
  }
  void packed(uint32_t field, std::span<const uint64_t> values) {
    if (values.empty()) return;
    size_t body = 0;
    for (uint64_t v : values) body += varint_size(v);
    size_ += varint_size(field << 3 | kLengthDelimited) + varint_size(body) + body;
  }
  size_t size() const { return size_; }

 private:
  size_t size_ = 0;
};

class Writer {
 public:
  explicit Writer(char* p) : p_(p) {}
  void varint(uint32_t field, uint64_t v) {
    if (v) {
      raw_varint(field << 3 | kVarint);
      raw_varint(v);
    }
  }
  void bytes(uint32_t field, std::string_view s) {
    if (s.empty()) return;
    raw_varint(field << 3 | kLengthDelimited);
    raw_varint(s.size());
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void packed(uint32_t field, std::span<const uint64_t> values) {
    if (values.empty()) return;
    size_t body = 0;
    for (uint64_t v : values) body += varint_size(v);
    raw_varint(field << 3 | kLengthDelimited);
    raw_varint(body);
    for (uint64_t v : values) raw_varint(v);
  }

 private:
  void raw_varint(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  char* p_;
};

template <class Emit>
void append_frame(std::string& out, uint32_t magic, const Emit& emit) {
  Sizer sizer;
  emit(sizer);
  size_t length = sizer.size();
  size_t at = out.size();
  out.resize(at + kFrameHeaderSize + length);
  char* frame = out.data() + at;
  Writer writer(frame + kFrameHeaderSize);
  emit(writer);
  store_le32(frame, magic);
  store_le32(frame + 4, static_cast<uint32_t>(length));
  store_le32(frame + 8, crc32c(frame + kFrameHeaderSize, length));
}

uint64_t u64(int64_t v) {
  return static_cast<uint64_t>(v);
}

}  // namespace

std::string_view describe(FrameError error) {
  switch (error) {
    case FrameError::None: return "valid record";
    case FrameError::Truncated: return "record cut short by the end of the file";
    case FrameError::BadMagic: return "no record header (bad magic number)";
    case FrameError::BadLength: return "record length runs past the end of the file";
    case FrameError::BadCrc: return "record checksum mismatch";
  }
  return "unknown";
}

Frame read_frame(std::string_view data, size_t offset, uint32_t magic) {
  Frame frame;
  size_t available = data.size() - offset;
  if (available < 4) {
    frame.error = FrameError::Truncated;
    return frame;
  }
  const char* p = data.data() + offset;
  if (load_le32(p) != magic) {
    frame.error = FrameError::BadMagic;
    return frame;
  }
  if (available < kFrameHeaderSize) {
    frame.error = FrameError::Truncated;
    return frame;
  }
  size_t length = load_le32(p + 4);
  if (length > available - kFrameHeaderSize) {
    frame.error = FrameError::BadLength;
    return frame;
  }
  if (crc32c(p + kFrameHeaderSize, length) != load_le32(p + 8)) {
    frame.error = FrameError::BadCrc;
    return frame;
  }
  frame.payload = std::string_view(p + kFrameHeaderSize, length);
  frame.size = kFrameHeaderSize + length;
  return frame;
}

void append_wal_record(std::string& out, const WalRecordFields& r) {
  append_frame(out, kWalMagic, [&](auto& w) {
    w.varint(wal::Record::kRevisionFieldNumber, u64(r.revision));
    w.varint(wal::Record::kKindFieldNumber, static_cast<uint64_t>(r.kind));
    w.bytes(wal::Record::kKeyFieldNumber, r.key);
    w.bytes(wal::Record::kValueFieldNumber, r.value);
    w.varint(wal::Record::kCreateRevisionFieldNumber, u64(r.create_revision));
    w.varint(wal::Record::kVersionFieldNumber, u64(r.version));
    w.varint(wal::Record::kCompactRevisionFieldNumber, u64(r.compact_revision));
  });
}

void append_snapshot_header(std::string& out, int64_t revision, int64_t compacted_revision) {
  append_frame(out, kSnapshotHeaderMagic, [&](auto& w) {
    w.varint(wal::SnapshotHeader::kFormatFieldNumber, kSnapshotFormat);
    w.varint(wal::SnapshotHeader::kRevisionFieldNumber, u64(revision));
    w.varint(wal::SnapshotHeader::kCompactedRevisionFieldNumber, u64(compacted_revision));
  });
}

void append_snapshot_entry(std::string& out, const SnapshotEntryFields& e) {
  append_frame(out, kSnapshotEntryMagic, [&](auto& w) {
    w.bytes(wal::SnapshotEntry::kKeyFieldNumber, e.key);
    w.bytes(wal::SnapshotEntry::kValueFieldNumber, e.value);
    w.varint(wal::SnapshotEntry::kCreateRevisionFieldNumber, u64(e.create_revision));
    w.varint(wal::SnapshotEntry::kModRevisionFieldNumber, u64(e.mod_revision));
    w.varint(wal::SnapshotEntry::kVersionFieldNumber, u64(e.version));
  });
}

void append_snapshot_footer(std::string& out, uint64_t count, uint32_t entries_crc,
                            std::span<const uint64_t> entry_offsets) {
  append_frame(out, kSnapshotFooterMagic, [&](auto& w) {
    w.varint(wal::SnapshotFooter::kCountFieldNumber, count);
    w.varint(wal::SnapshotFooter::kEntriesCrcFieldNumber, entries_crc);
    w.packed(wal::SnapshotFooter::kEntryOffsetsFieldNumber, entry_offsets);
  });
}

void append_snapshot_trailer(std::string& out, uint64_t footer_offset) {
  char bytes[kSnapshotTrailerSize];
  store_le32(bytes, static_cast<uint32_t>(footer_offset));
  store_le32(bytes + 4, static_cast<uint32_t>(footer_offset >> 32));
  out.append(bytes, sizeof bytes);
}

uint64_t read_snapshot_trailer(std::string_view file) {
  if (file.size() < kSnapshotTrailerSize) return UINT64_MAX;
  const char* p = file.data() + file.size() - kSnapshotTrailerSize;
  return uint64_t(load_le32(p)) | uint64_t(load_le32(p + 4)) << 32;
}

}  // namespace ukube::store
