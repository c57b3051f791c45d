#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "runtime-runc/runc_driver.h"
#include "runtime-runc/settings.h"

// What the runc runtime's tests share: the runtime's built-in busybox image (made from
// Debian's busybox-static) in one image store per test binary, a registry on 127.0.0.1 serving it, and
// drivers whose containers, mounts and cgroups are all removed when the driver goes, even
// after a failed test.
namespace ukube::runtime::runc::testing {

// One of the names of the runtime's built-in busybox image.
inline constexpr const char* kBusybox = "busybox:latest";

// Why runc containers cannot run here ("" when they can): root, runc, busybox-static.
std::string unavailable();

// Settings for a driver keeping its state under `dir`: the freshly built monitor and
// pause, the shared image store, a cgroup root of this test process's own.
RuncRuntimeSettings test_settings(const std::filesystem::path& dir);

// A driver whose deleter kills and removes everything its state names.
std::shared_ptr<RuncDriver> make_driver(const std::filesystem::path& dir);
std::shared_ptr<RuncDriver> make_driver(const std::filesystem::path& dir, RuncRuntimeSettings settings);

// "127.0.0.1:<port>": a registry serving the busybox image as team/greeting:1.
std::string registry();

}  // namespace ukube::runtime::runc::testing
