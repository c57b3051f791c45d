#include "ukube/node/mount_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace ukube::runtime::node {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// A bind mount needs something of the same kind to cover: a folder for a folder, a file
// for a file.
void ensure_target(const BindMount& m) {
  struct stat source {};
  if (::stat(m.source.c_str(), &source) != 0) fail("cannot mount " + m.source + " at " + m.target);
  std::error_code ec;
  if (std::filesystem::exists(m.target, ec)) return;
  if (S_ISDIR(source.st_mode)) {
    std::filesystem::create_directories(m.target, ec);
    if (ec) throw std::runtime_error("cannot create the mount point " + m.target + ": " + ec.message());
    return;
  }
  std::filesystem::create_directories(std::filesystem::path(m.target).parent_path(), ec);
  const int fd = ::open(m.target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create the mount point " + m.target);
  ::close(fd);
}

}  // namespace

bool can_mount() {
  return ::geteuid() == 0;
}

void enter_private_mounts(const std::vector<BindMount>& mounts) {
  if (::unshare(CLONE_NEWNS) != 0) fail("cannot make a private mount namespace for the container");
  // Mounts made from here on stay in this namespace; the host's still reach it.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    fail("cannot make the container's mounts private");
  for (const auto& m : mounts) {
    ensure_target(m);
    if (::mount(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      fail("cannot bind-mount " + m.source + " at " + m.target);
    if (m.readonly &&
        ::mount(nullptr, m.target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, nullptr) != 0)
      fail("cannot make " + m.target + " read-only");
  }
}

std::vector<std::string> in_mount_namespace_of(pid_t pid, std::vector<std::string> argv) {
  std::vector<std::string> out{"/usr/bin/nsenter", "--mount=/proc/" + std::to_string(pid) + "/ns/mnt", "--"};
  out.insert(out.end(), std::make_move_iterator(argv.begin()), std::make_move_iterator(argv.end()));
  return out;
}

}  // namespace ukube::runtime::node
