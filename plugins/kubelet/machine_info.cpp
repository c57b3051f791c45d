#include "machine_info.h"

#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

namespace ukube::kubelet {
namespace {

std::string first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

int64_t mem_total_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemTotal:") return kib * 1024;
  return 0;
}

std::string os_pretty_name() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("PRETTY_NAME=")) continue;
    std::string value = line.substr(12);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return value;
  }
  return "Linux";
}

std::string architecture_name(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  return machine;
}

}  // namespace

MachineInfo read_machine_info(const std::filesystem::path& data_dir) {
  MachineInfo m;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) m.hostname = host;
  std::transform(m.hostname.begin(), m.hostname.end(), m.hostname.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  m.cpus = std::max<int64_t>(1, std::thread::hardware_concurrency());
  m.memory_bytes = mem_total_bytes();
  struct statvfs fs {};
  if (statvfs(data_dir.c_str(), &fs) == 0) m.disk_bytes = static_cast<int64_t>(fs.f_blocks) * fs.f_frsize;
  struct utsname u {};
  if (uname(&u) == 0) {
    m.kernel_version = u.release;
    m.architecture = architecture_name(u.machine);
  }
  m.os_image = os_pretty_name();
  m.machine_id = first_line("/etc/machine-id");
  m.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  m.system_uuid = first_line("/sys/class/dmi/id/product_uuid");  // readable by root only
  if (m.system_uuid.empty()) m.system_uuid = m.machine_id;
  return m;
}

}  // namespace ukube::kubelet
