// Recovery from damaged data directories, on real WAL and snapshot files: a torn tail is
// dropped with a warning, damage anywhere else refuses to open with file and offset.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "kernel/store/record_format.h"
#include "store_test_util.h"

namespace ukube::store {
namespace {

using test_support::CapturedLog;
using test_support::options_for;
using test_support::TempDir;

std::string key_of(int i) {
  return "/wal/" + std::to_string(1000 + i);
}
std::string value_of(int i) {
  return "value-" + std::to_string(i) + std::string(100 + i % 17, 'x');
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::filesystem::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Start offsets of the records in a WAL file.
std::vector<size_t> record_offsets(const std::string& data) {
  std::vector<size_t> offsets;
  for (size_t at = 0; at < data.size();) {
    Frame frame = read_frame(data, at, kWalMagic);
    if (frame.error != FrameError::None) break;
    offsets.push_back(at);
    at += frame.size;
  }
  return offsets;
}

class WalRecovery : public ::testing::Test {
 protected:
  // One session writing `count` acknowledged creates: revisions first..first+count-1.
  void write_session(int first, int count) {
    auto store = EmbeddedStore::open(options_for(dir_.path()));
    for (int i = first; i < first + count; ++i)
      ASSERT_TRUE(store->create(key_of(i), make_bytes(value_of(i))));
  }

  std::filesystem::path last_segment() {
    return list_data_dir(posix_file_system(), dir_.path()).segments.back().path;
  }
  std::filesystem::path segment(size_t i) {
    return list_data_dir(posix_file_system(), dir_.path()).segments.at(i).path;
  }

  // Opens the store and checks it holds exactly writes [0, count).
  void expect_exactly(int count) {
    auto store = EmbeddedStore::open(options_for(dir_.path(), log_.logger));
    EXPECT_EQ(store->current_revision(), count);
    ListResult all = store->list("/wal/");
    ASSERT_EQ(all.items.size(), size_t(count));
    for (int i = 0; i < count; ++i) {
      EXPECT_EQ(all.items[i].key, key_of(i));
      EXPECT_EQ(*all.items[i].value, value_of(i));
      EXPECT_EQ(all.items[i].mod_revision, i + 1);
    }
    // The store keeps working after the repair, and the repair holds on the next open.
    EXPECT_EQ(store->create(key_of(count), make_bytes(value_of(count))).revision, count + 1);
  }

  std::string open_error() {
    try {
      EmbeddedStore::open(options_for(dir_.path(), log_.logger));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "open succeeded on a corrupt WAL";
    return "";
  }

  TempDir dir_{"wal"};
  CapturedLog log_;
};

TEST_F(WalRecovery, CleanLogReplaysEverything) {
  write_session(0, 30);
  expect_exactly(30);
  EXPECT_EQ(log_.str().find("torn tail"), std::string::npos);
}

TEST_F(WalRecovery, RecordCutInHalfIsDropped) {
  write_session(0, 20);
  auto path = last_segment();
  std::string data = read_file(path);
  auto offsets = record_offsets(data);
  ASSERT_EQ(offsets.size(), 20u);
  size_t cut = offsets[19] + (data.size() - offsets[19]) / 2;
  std::filesystem::resize_file(path, cut);
  expect_exactly(19);
  std::string log = log_.str();
  EXPECT_NE(log.find("dropped a torn tail of " + std::to_string(cut - offsets[19]) + " bytes"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("byte offset " + std::to_string(offsets[19])), std::string::npos) << log;
  EXPECT_NE(log.find("1 incomplete record"), std::string::npos) << log;
  EXPECT_EQ(std::filesystem::file_size(path), offsets[19]) << "the torn tail is truncated away";
}

TEST_F(WalRecovery, RecordCutInsideItsHeaderIsDropped) {
  write_session(0, 20);
  auto path = last_segment();
  auto offsets = record_offsets(read_file(path));
  std::filesystem::resize_file(path, offsets[19] + 7);
  expect_exactly(19);
}

TEST_F(WalRecovery, GarbageAppendedIsDropped) {
  write_session(0, 20);
  auto path = last_segment();
  std::string data = read_file(path);
  std::string garbage = "this is not a record \x01\x02\x03\xff";
  for (int i = 0; i < 200; ++i) garbage.push_back(static_cast<char>(i * 37 + 11));
  write_file(path, data + garbage);
  expect_exactly(20);
  EXPECT_NE(log_.str().find("dropped a torn tail of " + std::to_string(garbage.size()) + " bytes"),
            std::string::npos)
      << log_.str();
}

TEST_F(WalRecovery, ZeroFilledTailIsDropped) {
  write_session(0, 20);
  auto path = last_segment();
  std::string data = read_file(path);
  write_file(path, data + std::string(8192, '\0'));
  expect_exactly(20);
  EXPECT_NE(log_.str().find("dropped a torn tail of 8192 bytes"), std::string::npos) << log_.str();
}

TEST_F(WalRecovery, ZeroedLastRecordIsDropped) {
  write_session(0, 20);
  auto path = last_segment();
  std::string data = read_file(path);
  auto offsets = record_offsets(data);
  std::fill(data.begin() + static_cast<std::ptrdiff_t>(offsets[18]), data.end(), '\0');
  write_file(path, data);
  expect_exactly(18);
}

TEST_F(WalRecovery, BadChecksumOnTheLastRecordIsDropped) {
  write_session(0, 20);
  auto path = last_segment();
  std::string data = read_file(path);
  data[data.size() - 5] ^= 0x40;
  write_file(path, data);
  expect_exactly(19);
}

TEST_F(WalRecovery, FlippedByteInAnEarlyRecordRefusesToOpen) {
  write_session(0, 20);
  auto path = last_segment();
  std::string data = read_file(path);
  auto offsets = record_offsets(data);
  data[offsets[3] + kFrameHeaderSize + 10] ^= 0x01;
  write_file(path, data);
  std::string error = open_error();
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("byte offset " + std::to_string(offsets[3])), std::string::npos) << error;
  EXPECT_NE(error.find("checksum"), std::string::npos) << error;
  EXPECT_NE(error.find("backup"), std::string::npos) << error;
  EXPECT_EQ(read_file(path), data) << "a refused open must not modify the file";
}

TEST_F(WalRecovery, DamagedHeaderInTheMiddleRefusesToOpen) {
  write_session(0, 20);
  auto path = last_segment();
  std::string data = read_file(path);
  auto offsets = record_offsets(data);
  data[offsets[10]] = 'X';
  write_file(path, data);
  std::string error = open_error();
  EXPECT_NE(error.find("byte offset " + std::to_string(offsets[10])), std::string::npos) << error;
  EXPECT_NE(error.find("valid record follows at byte offset " + std::to_string(offsets[11])),
            std::string::npos)
      << error;
}

TEST_F(WalRecovery, DamageInAnEarlierSegmentRefusesToOpen) {
  write_session(0, 10);
  write_session(10, 10);
  ASSERT_EQ(list_data_dir(posix_file_system(), dir_.path()).segments.size(), 2u);
  auto first = segment(0);
  std::string data = read_file(first);
  auto offsets = record_offsets(data);
  ASSERT_EQ(offsets.size(), 10u);
  data[data.size() - 1] ^= 0x01;  // even its very last record: only the last segment may be torn
  write_file(first, data);
  std::string error = open_error();
  EXPECT_NE(error.find(first.string()), std::string::npos) << error;
  EXPECT_NE(error.find("byte offset " + std::to_string(offsets[9])), std::string::npos) << error;
  EXPECT_NE(error.find("not the last"), std::string::npos) << error;
}

TEST_F(WalRecovery, MissingSegmentIsAGap) {
  write_session(0, 10);
  write_session(10, 10);
  write_session(20, 10);
  std::filesystem::remove(segment(1));
  std::string error = open_error();
  EXPECT_NE(error.find(segment(1).filename().string()), std::string::npos) << error;
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
}

TEST_F(WalRecovery, TornTailThenMoreSessionsStaysConsistent) {
  write_session(0, 20);
  auto path = last_segment();
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  write_session(19, 5);  // revisions 20..24 reuse the dropped record's revision
  write_session(24, 5);
  expect_exactly(29);
}

TEST_F(WalRecovery, CorruptNewestSnapshotFallsBackToAnOlderOneWhenTheWalReachesBack) {
  write_session(0, 5);
  // Hand-made snapshot at revision 5 whose footer is damaged; the WAL still has 1..5.
  {
    std::string bytes;
    append_snapshot_header(bytes, 5, 0);
    append_snapshot_footer(bytes, 3, 0);  // claims 3 entries, has none
    write_file(dir_.path() / snapshot_name(5), bytes);
  }
  expect_exactly(5);
  EXPECT_NE(log_.str().find("unusable"), std::string::npos) << log_.str();
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / (snapshot_name(5) + ".corrupt")));
}

TEST_F(WalRecovery, CorruptSnapshotWithoutTheWalBehindItRefusesToOpen) {
  {
    auto store = EmbeddedStore::open(options_for(dir_.path()));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(store->create(key_of(i), make_bytes(value_of(i))));
    store->snapshot();
  }
  {
    // This open removes wal-1, which the snapshot covers.
    auto store = EmbeddedStore::open(options_for(dir_.path()));
    ASSERT_TRUE(store->create(key_of(20), make_bytes(value_of(20))));
  }
  ASSERT_EQ(list_data_dir(posix_file_system(), dir_.path()).segments.size(), 1u);
  auto snapshot = list_data_dir(posix_file_system(), dir_.path()).snapshots.back().path;
  std::string data = read_file(snapshot);
  data[data.size() / 2] ^= 0x10;
  write_file(snapshot, data);
  std::string error = open_error();
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
  EXPECT_NE(error.find("snapshot"), std::string::npos) << error;
}

}  // namespace
}  // namespace ukube::store
