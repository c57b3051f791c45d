#include "kernel/store/record_format.h"

#include <gtest/gtest.h>

#include "kernel/store/crc32c.h"
#include "kernel/store/data_dir.h"
#include "kernel/store/wal.pb.h"

namespace ukube::store {
namespace {

WalRecordFields record(int64_t revision, RecordKind kind, std::string_view key, std::string_view value,
                       int64_t create_revision, int64_t version) {
  WalRecordFields fields;
  fields.revision = revision;
  fields.kind = kind;
  fields.key = key;
  fields.value = value;
  fields.create_revision = create_revision;
  fields.version = version;
  return fields;
}

TEST(RecordFormat, WalRecordIsAValidProtobufMessage) {
  std::string out;
  std::string value(3000, 'v');
  value[5] = '\0';
  append_wal_record(out, record(1234567890123, RecordKind::Put, "/core/pods/default/web-0", value, 77, 300));
  Frame frame = read_frame(out, 0, kWalMagic);
  ASSERT_EQ(frame.error, FrameError::None);
  EXPECT_EQ(frame.size, out.size());
  wal::Record record;
  ASSERT_TRUE(record.ParseFromArray(frame.payload.data(), static_cast<int>(frame.payload.size())));
  EXPECT_EQ(record.revision(), 1234567890123);
  EXPECT_EQ(record.kind(), wal::PUT);
  EXPECT_EQ(record.key(), "/core/pods/default/web-0");
  EXPECT_EQ(record.value(), value);
  EXPECT_EQ(record.create_revision(), 77);
  EXPECT_EQ(record.version(), 300);
  EXPECT_EQ(record.compact_revision(), 0);
  // Byte-identical to what the generated serialiser produces.
  EXPECT_EQ(frame.payload, record.SerializeAsString());
}

TEST(RecordFormat, FrameHeaderLayout) {
  std::string out;
  append_wal_record(out, record(1, RecordKind::Delete, "k", "", 0, 0));
  ASSERT_GE(out.size(), kFrameHeaderSize);
  EXPECT_EQ(out.substr(0, 4), "UWAL");
  uint32_t length = static_cast<unsigned char>(out[4]) | static_cast<unsigned char>(out[5]) << 8;
  EXPECT_EQ(length, out.size() - kFrameHeaderSize);
  uint32_t crc = 0;
  for (int i = 3; i >= 0; --i) crc = crc << 8 | static_cast<unsigned char>(out[8 + i]);
  EXPECT_EQ(crc, crc32c(out.data() + kFrameHeaderSize, length));
}

TEST(RecordFormat, DamagedFramesAreRecognised) {
  std::string out;
  append_wal_record(out, record(9, RecordKind::Put, "key", "value", 9, 1));
  EXPECT_EQ(read_frame(out.substr(0, 3), 0, kWalMagic).error, FrameError::Truncated);
  EXPECT_EQ(read_frame(out.substr(0, 10), 0, kWalMagic).error, FrameError::Truncated);
  EXPECT_EQ(read_frame(out.substr(0, out.size() - 1), 0, kWalMagic).error, FrameError::BadLength);
  std::string flipped = out;
  flipped.back() ^= 1;
  EXPECT_EQ(read_frame(flipped, 0, kWalMagic).error, FrameError::BadCrc);
  EXPECT_EQ(read_frame(std::string(64, '\0'), 0, kWalMagic).error, FrameError::BadMagic);
  EXPECT_EQ(read_frame(out, 0, kSnapshotEntryMagic).error, FrameError::BadMagic);
}

TEST(RecordFormat, SnapshotMessagesRoundTrip) {
  std::string out;
  append_snapshot_header(out, 500, 400);
  SnapshotEntryFields fields;
  fields.key = "a";
  fields.value = "b";
  fields.create_revision = 3;
  fields.mod_revision = 4;
  fields.version = 2;
  append_snapshot_entry(out, fields);
  append_snapshot_footer(out, 1, 0xDEADBEEF);
  Frame header = read_frame(out, 0, kSnapshotHeaderMagic);
  ASSERT_EQ(header.error, FrameError::None);
  wal::SnapshotHeader h;
  ASSERT_TRUE(h.ParseFromArray(header.payload.data(), static_cast<int>(header.payload.size())));
  EXPECT_EQ(h.format(), kSnapshotFormat);
  EXPECT_EQ(h.revision(), 500);
  EXPECT_EQ(h.compacted_revision(), 400);
  Frame entry = read_frame(out, header.size, kSnapshotEntryMagic);
  ASSERT_EQ(entry.error, FrameError::None);
  wal::SnapshotEntry e;
  ASSERT_TRUE(e.ParseFromArray(entry.payload.data(), static_cast<int>(entry.payload.size())));
  EXPECT_EQ(e.key(), "a");
  EXPECT_EQ(e.mod_revision(), 4);
  Frame footer = read_frame(out, header.size + entry.size, kSnapshotFooterMagic);
  ASSERT_EQ(footer.error, FrameError::None);
  wal::SnapshotFooter f;
  ASSERT_TRUE(f.ParseFromArray(footer.payload.data(), static_cast<int>(footer.payload.size())));
  EXPECT_EQ(f.entries_crc(), 0xDEADBEEFu);
}

TEST(RecordFormat, SnapshotFooterListsEntryOffsetsAndTheTrailerFindsIt) {
  std::string out = "prefix";
  uint64_t footer_at = out.size();
  std::vector<uint64_t> offsets = {100, 1ull << 40};
  append_snapshot_footer(out, 7, 42, offsets);
  append_snapshot_trailer(out, footer_at);
  EXPECT_EQ(read_snapshot_trailer(out), footer_at);
  std::string_view without_trailer(out.data(), out.size() - kSnapshotTrailerSize);
  Frame footer = read_frame(without_trailer, footer_at, kSnapshotFooterMagic);
  ASSERT_EQ(footer.error, FrameError::None);
  wal::SnapshotFooter f;
  ASSERT_TRUE(f.ParseFromArray(footer.payload.data(), static_cast<int>(footer.payload.size())));
  EXPECT_EQ(f.count(), 7u);
  ASSERT_EQ(f.entry_offsets_size(), 2);
  EXPECT_EQ(f.entry_offsets(1), 1ull << 40);
  EXPECT_EQ(footer.payload, f.SerializeAsString());
}

TEST(DataDir, FileNamesSortByRevision) {
  EXPECT_EQ(wal_segment_name(1), "wal-0000000000000001.log");
  EXPECT_EQ(snapshot_name(0x1f), "snapshot-000000000000001f.snap");
  EXPECT_EQ(parse_wal_segment_name("wal-00000000000000ff.log"), 255);
  EXPECT_EQ(parse_snapshot_name(snapshot_name(123456789)), 123456789);
  EXPECT_FALSE(parse_wal_segment_name("wal-1.log"));
  EXPECT_FALSE(parse_wal_segment_name("wal-000000000000000g.log"));
  EXPECT_FALSE(parse_snapshot_name("snapshot-0000000000000001.snap.tmp"));
}

}  // namespace
}  // namespace ukube::store
