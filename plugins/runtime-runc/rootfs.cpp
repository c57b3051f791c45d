#include "rootfs.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ukube::runtime::runc {

namespace {

bool is_mount_point(const std::filesystem::path& path) {
  struct stat self {
  }, parent{};
  if (::lstat(path.c_str(), &self) != 0 || ::lstat(path.parent_path().c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev;
}

}  // namespace

void mount_rootfs(const std::filesystem::path& image_root, const std::filesystem::path& scratch,
                  const std::filesystem::path& target) {
  auto upper = scratch / "upper";
  auto work = scratch / "work";
  std::filesystem::create_directories(upper);
  std::filesystem::create_directories(work);
  std::filesystem::create_directories(target);
  std::string options =
      "lowerdir=" + image_root.string() + ",upperdir=" + upper.string() + ",workdir=" + work.string();
  if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) == 0) return;
  int error = errno;
  try {
    std::filesystem::copy(
        image_root, target,
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot mount overlayfs on " + target.string() + " (" + std::strerror(error) +
                             ") nor copy the image's root filesystem there: " + e.what());
  }
}

void unmount_rootfs(const std::filesystem::path& target) {
  if (!is_mount_point(target)) return;
  if (::umount2(target.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    throw std::runtime_error("cannot unmount " + target.string() + ": " + std::strerror(errno));
  if (is_mount_point(target))
    throw std::runtime_error(target.string() + " is still mounted; unmount it before removing the container");
}

}  // namespace ukube::runtime::runc
