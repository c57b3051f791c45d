#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "ukube/runtime/cri_log.h"

// The CRI log format the kubelet reads (`kubectl logs`), one line per record:
//   2016-10-06T00:17:09.669794202Z stdout F the text
// F ends a line; P is a piece of a line longer than kMaxLineBytes, continued by the next
// record of the same stream. Rotation (when a write would take the file past its size
// limit) renames the file to <log>.1, shifting older ones to .2, .3, ...; the newest
// rotated file is always .1 and at most max_files - 1 rotated files are kept (max_files
// counts the current file, as the kubelet's containerLogMaxFiles does).
namespace ukube::runtime::node {

// containerd's line buffer: longer lines are split into P records of this size.
inline constexpr size_t kMaxLineBytes = 16 * 1024;

// Writes a container's two output streams into one CRI log. Not thread-safe (the monitor
// owns it on its one thread).
class CriLogWriter {
 public:
  // Throws std::system_error when the log (or its folder) cannot be created.
  CriLogWriter(std::filesystem::path path, uint64_t max_size_bytes, uint32_t max_files);
  CriLogWriter(const CriLogWriter&) = delete;
  CriLogWriter& operator=(const CriLogWriter&) = delete;
  ~CriLogWriter();

  // Output as read from the stream: complete lines are written at once, the rest is held
  // until its newline comes (or it reaches kMaxLineBytes).
  void write(LogStream stream, std::string_view data);
  // At the stream's end: what is held is written as a full line.
  void finish(LogStream stream);

 private:
  void append_record(LogStream stream, bool partial, std::string_view text);
  void rotate();
  void open_log();

  std::filesystem::path path_;
  uint64_t max_size_bytes_;
  uint32_t max_files_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string pending_[2];
};

}  // namespace ukube::runtime::node
