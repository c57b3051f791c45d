// The CRI log the monitor writes (sdk/node-runtime: ukube/node/cri_log.h): the record format the
// kubelet parses, partial records for long lines, and rotation.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "process_test_support.h"
#include "ukube/node/cri_log.h"

namespace ukube::runtime::process {
namespace {

using testing::log_lines;

TEST(CriLogFormat, TimestampIsRfc3339NanoInUtc) {
  EXPECT_EQ(cri_timestamp(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(cri_timestamp(1475713029669794202), "2016-10-06T00:17:09.669794202Z");
}

TEST(CriLogFormat, RecordIsTimeStreamTagText) {
  EXPECT_EQ(cri_log_line(1475713029669794202, LogStream::Stdout, false, "log content 1"),
            "2016-10-06T00:17:09.669794202Z stdout F log content 1\n");
  EXPECT_EQ(cri_log_line(1475713029669794202, LogStream::Stderr, true, "piece"),
            "2016-10-06T00:17:09.669794202Z stderr P piece\n");
}

TEST(CriLogWriter, CompleteLinesAreWrittenAndPendingTextWaitsForItsNewline) {
  ukube::testing::TempDir dir("cri-log");
  auto path = dir.path() / "pod" / "c" / "0.log";
  {
    CriLogWriter writer(path, 0, 5);
    writer.write(LogStream::Stdout, "one\ntw");
    writer.write(LogStream::Stderr, "oops\n");
    EXPECT_EQ(log_lines(path).size(), 2u) << "\"tw\" has no newline yet";
    writer.write(LogStream::Stdout, "o\n");
    writer.write(LogStream::Stdout, "tail");
    writer.finish(LogStream::Stdout);  // the stream's end completes the last line
  }
  auto lines = log_lines(path);
  ASSERT_EQ(lines.size(), 4u);
  std::regex record(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [FP] .*$)");
  for (const auto& line : lines) EXPECT_TRUE(std::regex_match(line, record)) << line;
  EXPECT_NE(lines[0].find(" stdout F one"), std::string::npos);
  EXPECT_NE(lines[1].find(" stderr F oops"), std::string::npos);
  EXPECT_NE(lines[2].find(" stdout F two"), std::string::npos);
  EXPECT_NE(lines[3].find(" stdout F tail"), std::string::npos);
}

TEST(CriLogWriter, LongLinesBecomePartialRecords) {
  ukube::testing::TempDir dir("cri-log");
  auto path = dir.path() / "0.log";
  std::string long_line(kMaxLineBytes * 2 + 10, 'x');
  {
    CriLogWriter writer(path, 0, 5);
    writer.write(LogStream::Stdout, long_line + "\n");
  }
  auto lines = log_lines(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find(" stdout P "), std::string::npos);
  EXPECT_NE(lines[1].find(" stdout P "), std::string::npos);
  EXPECT_NE(lines[2].find(" stdout F xxxxxxxxxx"), std::string::npos);
  std::string joined;
  for (const auto& line : lines) joined += line.substr(line.find(' ', line.find(' ', 31) + 1) + 1);
  EXPECT_EQ(joined, long_line);
}

TEST(CriLogWriter, RotatesToNumberedFilesAndKeepsMaxFiles) {
  ukube::testing::TempDir dir("cri-log");
  auto path = dir.path() / "0.log";
  // Each record is 30 (time) + 8 (" stdout ") + 2 ("F ") + 10 + 1 = 51 bytes: two fit in 120.
  {
    CriLogWriter writer(path, 120, 3);
    for (int i = 0; i < 10; ++i) writer.write(LogStream::Stdout, "line-" + std::to_string(10000 + i) + "\n");
  }
  auto p = [&](const char* suffix) { return std::filesystem::path(path.string() + suffix); };
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(p(".1")));
  EXPECT_TRUE(std::filesystem::exists(p(".2")));
  EXPECT_FALSE(std::filesystem::exists(p(".3"))) << "max_files 3: the current file and two rotated ones";
  for (const auto& file : {path, p(".1"), p(".2")}) EXPECT_LE(std::filesystem::file_size(file), 120u) << file;
  // Newest last: lines 8, 9 in the current file, 6, 7 in .1, 4, 5 in .2.
  auto current = log_lines(path);
  ASSERT_EQ(current.size(), 2u);
  EXPECT_NE(current[1].find("line-10009"), std::string::npos);
  auto previous = log_lines(p(".1"));
  ASSERT_EQ(previous.size(), 2u);
  EXPECT_NE(previous[0].find("line-10006"), std::string::npos);
  EXPECT_NE(log_lines(p(".2"))[0].find("line-10004"), std::string::npos);
}

}  // namespace
}  // namespace ukube::runtime::process
