#include "runc_test_support.h"

#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>
#include <vector>

#include "runtime-runc/builtin_image.h"
#include "tests/integration/daemon_process.h"
#include "tests/support/runc_leftovers.h"
#include "ukube/images/image_store.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::runtime::runc::testing {

namespace fs = std::filesystem;

namespace {

// Everything the test binary shares, made on first use and gone at exit.
struct Shared {
  ukube::testing::TempDir dir{"runtime-runc-shared"};
  fs::path store = dir.path() / "image-store";
  std::unique_ptr<ukube::testing::DaemonProcess> registry;
  std::string registry_address;

  Shared() {
    // The runtime's own built-in image (busybox:latest among its names).
    images::ImageStore image_store(store);
    ensure_builtin_busybox(image_store, "/bin/busybox", dir.path() / "builtin");

    registry = std::make_unique<ukube::testing::DaemonProcess>(
        "/usr/bin/python3",
        std::vector<std::string>{UKUBE_FIXTURES_DIR "/token_registry.py", store.string(), "--anonymous"},
        dir.path() / "registry.log");
    const std::regex listening("listening on (127\\.0\\.0\\.1:[0-9]+)");
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         std::chrono::steady_clock::now() < deadline && registry_address.empty();) {
      std::smatch m;
      std::string log = registry->log();
      if (std::regex_search(log, m, listening))
        registry_address = m[1].str();
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

Shared& shared() {
  static Shared instance;
  return instance;
}

std::string cgroup_root() {
  return "/ukube-test-" + std::to_string(::getpid());
}

// Kills and removes what a driver on `dir` left: runc's containers, holders, monitors,
// root file system mounts and the test's cgroups.
void reap(const fs::path& dir) {
  ukube::testing::remove_runc_leftovers(dir, dir / "runc", {cgroup_root()});
}

}  // namespace

std::string unavailable() {
  return ukube::testing::runc_unavailable();
}

RuncRuntimeSettings test_settings(const fs::path& dir) {
  RuncRuntimeSettings settings;
  settings.runc_path = ukube::testing::runc_binary();
  settings.runc_root = dir / "runc";
  settings.image_store = shared().store;
  settings.cgroup_root = cgroup_root();
  settings.monitor_path = UKUBE_CONTAINER_MONITOR_PATH;
  settings.pause_path = UKUBE_PAUSE_PATH;
  return settings;
}

std::shared_ptr<RuncDriver> make_driver(const fs::path& dir) {
  return make_driver(dir, test_settings(dir));
}

std::shared_ptr<RuncDriver> make_driver(const fs::path& dir, RuncRuntimeSettings settings) {
  return std::shared_ptr<RuncDriver>(new RuncDriver(std::move(settings), dir / "state"),
                                     [dir](RuncDriver* driver) {
                                       delete driver;
                                       reap(dir);
                                     });
}

std::string registry() {
  return shared().registry_address;
}

}  // namespace ukube::runtime::runc::testing
