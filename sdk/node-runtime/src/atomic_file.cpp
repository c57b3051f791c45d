#include "ukube/node/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace ukube::runtime::node {

namespace {

[[noreturn]] void throw_file_error(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           Durability durability) {
  // The pid keeps two writers (the monitor and a driver recording an exit the monitor could
  // not) from sharing a temporary file.
  std::filesystem::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw_file_error("cannot create", temp);
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      errno = saved;
      throw_file_error("cannot write", temp);
    }
    written += static_cast<size_t>(n);
  }
  // Durable before it becomes visible: an exit record must survive a power cut that
  // happens after the daemon read it.
  if (durability == Durability::Durable) ::fsync(fd);
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    throw_file_error("cannot rename " + temp.string() + " to", path);
  }
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_file_error("cannot open", path);
  }
  std::string content;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      throw_file_error("cannot read", path);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return content;
}

}  // namespace ukube::runtime::node
