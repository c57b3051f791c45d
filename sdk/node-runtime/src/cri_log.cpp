#include "ukube/node/cri_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <system_error>

#include "ukube/node/records.h"

namespace ukube::runtime::node {

CriLogWriter::CriLogWriter(std::filesystem::path path, uint64_t max_size_bytes, uint32_t max_files)
    : path_(std::move(path)), max_size_bytes_(max_size_bytes), max_files_(max_files < 1 ? 1 : max_files) {
  std::error_code ec;
  std::filesystem::create_directories(path_.parent_path(), ec);
  if (ec) throw std::system_error(ec, "cannot create the log folder " + path_.parent_path().string());
  open_log();
}

CriLogWriter::~CriLogWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void CriLogWriter::open_log() {
  // Append: a container restarted under the same log path (or a monitor restarted on an
  // existing log) continues the file, as the kubelet expects.
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot open the container log " + path_.string());
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void CriLogWriter::write(LogStream stream, std::string_view data) {
  std::string& pending = pending_[static_cast<int>(stream)];
  while (!data.empty()) {
    auto newline = data.find('\n');
    size_t line_bytes = newline == std::string_view::npos ? data.size() : newline;
    size_t room = kMaxLineBytes - pending.size();
    if (line_bytes > room) {
      // Longer than a record may be: a P record now, the rest continues it.
      pending.append(data.substr(0, room));
      data.remove_prefix(room);
      append_record(stream, true, pending);
      pending.clear();
      continue;
    }
    pending.append(data.substr(0, line_bytes));
    data.remove_prefix(line_bytes);
    if (newline != std::string_view::npos) {
      data.remove_prefix(1);
      append_record(stream, false, pending);
      pending.clear();
    } else if (pending.size() == kMaxLineBytes) {
      append_record(stream, true, pending);
      pending.clear();
    }
  }
}

void CriLogWriter::finish(LogStream stream) {
  std::string& pending = pending_[static_cast<int>(stream)];
  if (pending.empty()) return;
  append_record(stream, false, pending);
  pending.clear();
}

void CriLogWriter::append_record(LogStream stream, bool partial, std::string_view text) {
  std::string line = cri_log_line(now_ns(), stream, partial, text);
  if (max_size_bytes_ > 0 && size_ > 0 && size_ + line.size() > max_size_bytes_) rotate();
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    // A full disk loses log lines, not the container: keep draining its output.
    if (n <= 0) return;
    written += static_cast<size_t>(n);
  }
  size_ += written;
}

void CriLogWriter::rotate() {
  ::close(fd_);
  fd_ = -1;
  auto rotated = [this](uint32_t n) { return path_.string() + "." + std::to_string(n); };
  if (max_files_ <= 1) {
    ::unlink(path_.c_str());
  } else {
    // .1 → .2 → ... ; the oldest (.max_files-1) is overwritten by the rename before it.
    for (uint32_t n = max_files_ - 1; n > 1; --n) ::rename(rotated(n - 1).c_str(), rotated(n).c_str());
    ::rename(path_.c_str(), rotated(1).c_str());
  }
  open_log();
}

}  // namespace ukube::runtime::node
