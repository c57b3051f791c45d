#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

// Framing and encoding of the store's on-disk records (wal.proto describes the payloads).
// A frame is: magic u32 | payload length u32 | CRC-32C u32 of the payload | payload, all
// little-endian. Payloads are written here by hand in Protobuf wire format, straight into
// the batch buffer, because building a message object would copy every value twice on
// the write path; recovery decodes them with the generated classes.
namespace ukube::store {

inline constexpr uint32_t kWalMagic = 0x4C415755;             // "UWAL"
inline constexpr uint32_t kSnapshotHeaderMagic = 0x48534E55;  // "UNSH"
inline constexpr uint32_t kSnapshotEntryMagic = 0x45534E55;   // "UNSE"
inline constexpr uint32_t kSnapshotFooterMagic = 0x46534E55;  // "UNSF"
inline constexpr size_t kFrameHeaderSize = 12;
inline constexpr uint32_t kSnapshotFormat = 1;

// Values of wal.proto's Kind.
enum class RecordKind : int { Put = 1, Delete = 2, Compact = 3 };

enum class FrameError { None, Truncated, BadMagic, BadLength, BadCrc };
std::string_view describe(FrameError error);

struct Frame {
  FrameError error = FrameError::None;
  std::string_view payload;
  size_t size = 0;  // header + payload
};

// Reads the frame starting at `offset` in `data`.
Frame read_frame(std::string_view data, size_t offset, uint32_t magic);

struct WalRecordFields {
  int64_t revision = 0;
  RecordKind kind = RecordKind::Put;
  std::string_view key;
  std::string_view value;
  int64_t create_revision = 0;
  int64_t version = 0;
  int64_t compact_revision = 0;
};

struct SnapshotEntryFields {
  std::string_view key;
  std::string_view value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
};

// Each appends one complete frame to `out`.
void append_wal_record(std::string& out, const WalRecordFields& record);
void append_snapshot_header(std::string& out, int64_t revision, int64_t compacted_revision);
void append_snapshot_entry(std::string& out, const SnapshotEntryFields& entry);
void append_snapshot_footer(std::string& out, uint64_t count, uint32_t entries_crc,
                            std::span<const uint64_t> entry_offsets = {});

// A snapshot ends with the footer record's offset (u64, little-endian), so a reader finds
// the footer — and the entry offsets in it — without walking the whole file first.
inline constexpr size_t kSnapshotTrailerSize = 8;
void append_snapshot_trailer(std::string& out, uint64_t footer_offset);
uint64_t read_snapshot_trailer(std::string_view file);

}  // namespace ukube::store
