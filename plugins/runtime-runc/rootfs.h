#pragma once

#include <filesystem>

// A container's root filesystem: the image's unpacked root (shared, never written) under a
// writable overlay of the container's own, or a private copy where overlayfs is missing.
namespace ukube::runtime::runc {

// Mounts overlayfs on `target` with `image_root` below and `scratch`/upper above (scratch/work
// as its work folder); copies `image_root` into `target` when overlayfs cannot be mounted.
// Throws std::runtime_error saying what failed.
void mount_rootfs(const std::filesystem::path& image_root, const std::filesystem::path& scratch,
                  const std::filesystem::path& target);

// Unmounts `target` when something is mounted there. Throws when it stays mounted, so that
// nobody removes the folder's contents through the mount.
void unmount_rootfs(const std::filesystem::path& target);

}  // namespace ukube::runtime::runc
