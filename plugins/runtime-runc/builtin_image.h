#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ukube/images/image_store.h"

// The image every node has without a registry: Debian's static busybox with its applets
// as links, a root and a nobody user, named busybox:<its version> (busybox:1.35 from
// Debian 12's busybox-static) and busybox:latest. `kubectl run --image=busybox:1.35` works
// on a machine without internet.
namespace ukube::runtime::runc {

// Imports the names the store lacks; returns them. Throws images::StoreError or
// std::runtime_error when `busybox` cannot be read or run.
std::vector<std::string> ensure_builtin_busybox(images::ImageStore& store,
                                                const std::filesystem::path& busybox,
                                                const std::filesystem::path& scratch);

}  // namespace ukube::runtime::runc
