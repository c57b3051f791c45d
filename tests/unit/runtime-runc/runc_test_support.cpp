#include "runc_test_support.h"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <thread>
#include <vector>

#include "tests/integration/daemon_process.h"
#include "ukube/images/image_store.h"
#include "ukube/node/proc_info.h"
#include "ukube/node/records.h"
#include "ukube/node/spawn.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::runtime::runc::testing {

namespace fs = std::filesystem;

namespace {

std::string runc_on_path() {
  const char* path = std::getenv("PATH");
  return node::find_executable("runc", std::string(path ? path : "") + ":/usr/local/sbin:/usr/sbin:/sbin")
      .value_or("");
}

int shell(const std::string& command) {
  return std::system(command.c_str());
}

// Everything the test binary shares, made on first use and gone at exit.
struct Shared {
  ukube::testing::TempDir dir{"runtime-runc-shared"};
  fs::path store = dir.path() / "image-store";
  std::unique_ptr<ukube::testing::DaemonProcess> registry;
  std::string registry_address;

  Shared() {
    // A root filesystem with busybox and its applets as relative links, as an image has it.
    fs::path rootfs = dir.path() / "rootfs";
    fs::create_directories(rootfs / "bin");
    fs::create_directories(rootfs / "etc");
    fs::create_directories(rootfs / "tmp");
    fs::copy_file("/bin/busybox", rootfs / "bin" / "busybox");
    std::ofstream(rootfs / "etc" / "passwd")
        << "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n";
    std::string links =
        "cd " + (rootfs / "bin").string() +
        " && for a in $(./busybox --list); do [ \"$a\" = busybox ] || ln -s busybox \"$a\"; done";
    if (shell(links) != 0) throw std::runtime_error("cannot make the busybox applet links");
    fs::path tar = dir.path() / "busybox.tar";
    if (shell("tar --numeric-owner --owner=0 --group=0 -C " + rootfs.string() + " -cf " + tar.string() +
              " .") != 0)
      throw std::runtime_error("cannot tar the busybox root filesystem");
    images::ImageStore(store).import(tar, images::ImportOptions{kBusybox, {"sh"}});

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

void kill_recorded(const fs::path& dir) {
  if (auto start = node::read_start_record(dir)) {
    if (node::is_same_process_alive(start->monitor_pid, start->monitor_start_ticks))
      ::kill(start->monitor_pid, SIGKILL);
    if (node::is_same_process_alive(start->pid, start->start_ticks)) ::kill(start->pid, SIGKILL);
  }
}

// Kills and removes what a driver on `dir` left: processes, runc's containers, rootfs
// mounts and the test's cgroups.
void reap(const fs::path& dir) {
  fs::path state = dir / "state";
  std::error_code ec;
  for (const char* kind : {"containers", "sandboxes"})
    for (const auto& entry : fs::directory_iterator(state / kind, ec)) kill_recorded(entry.path());
  std::string runc = runc_on_path() + " --root " + (dir / "runc").string();
  shell(runc + " list -q 2>/dev/null | while read id; do " + runc +
        " delete --force \"$id\" >/dev/null 2>&1; done");
  for (const auto& entry : fs::directory_iterator(state / "containers", ec))
    ::umount2((entry.path() / "bundle" / "rootfs").c_str(), MNT_DETACH);
  std::vector<fs::path> cgroups;
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    fs::path root = hierarchy.path() / fs::path(cgroup_root()).relative_path();
    if (!fs::is_directory(root, ec)) continue;
    cgroups.push_back(root);
    for (const auto& sub : fs::recursive_directory_iterator(root, ec))
      if (sub.is_directory(ec)) cgroups.push_back(sub.path());
  }
  // Children before parents.
  std::sort(cgroups.begin(), cgroups.end(),
            [](const fs::path& a, const fs::path& b) { return a.string().size() > b.string().size(); });
  for (const auto& cgroup : cgroups) ::rmdir(cgroup.c_str());
}

}  // namespace

std::string unavailable() {
  if (::geteuid() != 0) return "runtime-runc needs root (namespaces, cgroups, mounts); CI runs these as root";
  if (runc_on_path().empty()) return "runc is not installed (packaging/install-deps.sh installs it)";
  if (!fs::exists("/bin/busybox"))
    return "busybox-static is not installed (packaging/install-deps.sh installs it)";
  return {};
}

RuncRuntimeSettings test_settings(const fs::path& dir) {
  RuncRuntimeSettings settings;
  settings.runc_path = runc_on_path();
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

fs::path busybox_tar() {
  return shared().dir.path() / "busybox.tar";
}

std::string registry() {
  return shared().registry_address;
}

}  // namespace ukube::runtime::runc::testing
