#include "container_logs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ukube/testing/temp_dir.h"

namespace ukube::kubelet {
namespace {

using runtime::cri_log_line;
using runtime::LogStream;

constexpr int64_t kOneSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kOneSecond;

void append(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::app) << text;
}

TEST(LogOptions, ParseAsUpstreamAndRefuseBadValues) {
  LogOptions o = parse_log_options({{"follow", "true"},
                                    {"tailLines", "3"},
                                    {"limitBytes", "10"},
                                    {"timestamps", "1"},
                                    {"sinceSeconds", "5"}},
                                   kT0);
  EXPECT_TRUE(o.follow);
  EXPECT_TRUE(o.timestamps);
  EXPECT_FALSE(o.previous);
  EXPECT_EQ(o.tail_lines, 3);
  EXPECT_EQ(o.limit_bytes, 10);
  EXPECT_EQ(o.since_ns, kT0 - 5 * kOneSecond);
  EXPECT_EQ(parse_log_options({{"sinceTime", "2023-11-14T22:13:20Z"}}, 0).since_ns, kT0);
  EXPECT_THROW(parse_log_options({{"tailLines", "-1"}}, 0), std::invalid_argument);
  EXPECT_THROW(parse_log_options({{"limitBytes", "0"}}, 0), std::invalid_argument);
  EXPECT_THROW(parse_log_options({{"sinceSeconds", "x"}}, 0), std::invalid_argument);
  EXPECT_THROW(parse_log_options({{"sinceTime", "yesterday"}}, 0), std::invalid_argument);
  EXPECT_THROW(parse_log_options({{"sinceSeconds", "1"}, {"sinceTime", "2023-11-14T22:13:20Z"}}, 0),
               std::invalid_argument);
}

TEST(Rfc3339, FractionsAndOffsets) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.5Z"), kT0 + kOneSecond / 2);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.000000001Z"), kT0 + 1);
  EXPECT_EQ(parse_rfc3339("2023-11-14T23:13:20+01:00"), kT0);
  EXPECT_EQ(parse_rfc3339(runtime::cri_timestamp(kT0 + 123)), kT0 + 123);
  EXPECT_FALSE(parse_rfc3339("2023-11-14 22:13:20Z"));
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20"));
  EXPECT_FALSE(parse_rfc3339("2023-13-14T22:13:20Z"));
}

TEST(CriLine, ParsesWhatRuntimesWrite) {
  const std::string line = cri_log_line(kT0, LogStream::Stderr, true, "half a li");
  auto r = parse_cri_line(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->time_ns, kT0);
  EXPECT_EQ(r->stream, LogStream::Stderr);
  EXPECT_TRUE(r->partial);
  EXPECT_EQ(r->text, "half a li");
  EXPECT_FALSE(parse_cri_line("not a log line"));
  EXPECT_FALSE(parse_cri_line("2023-11-14T22:13:20Z stdin F x"));
}

class LogReaderTest : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "0.log").string(); }
  void write(int64_t at, const std::string& text, bool partial = false) {
    append(path(), cri_log_line(at, LogStream::Stdout, partial, text));
  }
  std::string read(const LogOptions& options) {
    LogReader reader(path(), options);
    return reader.read_existing();
  }
  testing::TempDir dir_;
};

TEST_F(LogReaderTest, TailSinceTimestampsAndLimit) {
  for (int i = 1; i <= 5; ++i) write(kT0 + i * kOneSecond, "line " + std::to_string(i));
  EXPECT_EQ(read({}), "line 1\nline 2\nline 3\nline 4\nline 5\n");
  LogOptions tail;
  tail.tail_lines = 2;
  EXPECT_EQ(read(tail), "line 4\nline 5\n");
  tail.tail_lines = 0;
  EXPECT_EQ(read(tail), "");
  tail.tail_lines = 99;
  EXPECT_EQ(read(tail), "line 1\nline 2\nline 3\nline 4\nline 5\n");
  LogOptions since;
  since.since_ns = kT0 + 4 * kOneSecond;
  EXPECT_EQ(read(since), "line 4\nline 5\n");
  LogOptions limited;
  limited.limit_bytes = 9;
  EXPECT_EQ(read(limited), "line 1\nli");
  LogOptions stamped;
  stamped.timestamps = true;
  stamped.tail_lines = 1;
  EXPECT_EQ(read(stamped), runtime::cri_timestamp(kT0 + 5 * kOneSecond) + " line 5\n");
}

TEST_F(LogReaderTest, PartialRecordsJoinIntoOneLine) {
  write(kT0, "hel", true);
  write(kT0, "lo");
  EXPECT_EQ(read({}), "hello\n");
}

TEST_F(LogReaderTest, RotatedFilesAreReadOldestFirst) {
  append(path() + ".2", cri_log_line(kT0, LogStream::Stdout, false, "oldest"));
  append(path() + ".1", cri_log_line(kT0, LogStream::Stdout, false, "older"));
  write(kT0, "newest");
  EXPECT_EQ(read({}), "oldest\nolder\nnewest\n");
  LogOptions tail;
  tail.tail_lines = 2;
  EXPECT_EQ(read(tail), "older\nnewest\n");
}

TEST_F(LogReaderTest, FollowingReadsAppendedLinesAcrossARotation) {
  write(kT0, "first");
  LogOptions follow;
  follow.follow = true;
  LogReader reader(path(), follow);
  EXPECT_EQ(reader.read_existing(), "first\n");
  EXPECT_EQ(reader.read_appended(), "");
  // Half a record: nothing until its newline is written.
  const std::string second = cri_log_line(kT0, LogStream::Stdout, false, "second");
  append(path(), second.substr(0, 10));
  EXPECT_EQ(reader.read_appended(), "");
  append(path(), second.substr(10));
  EXPECT_EQ(reader.read_appended(), "second\n");
  // The runtime rotates: what went into the old file before the rename is still read.
  write(kT0, "before rotation");
  std::filesystem::rename(path(), path() + ".1");
  write(kT0, "after rotation");
  EXPECT_EQ(reader.read_appended(), "before rotation\nafter rotation\n");
}

}  // namespace
}  // namespace ukube::kubelet
