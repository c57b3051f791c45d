#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

// What the kubelet reports about the machine it runs on (status.capacity and nodeInfo),
// read from /proc, /etc and the kernel.
namespace ukube::kubelet {

struct MachineInfo {
  std::string hostname;  // lower-cased, as a node name
  int64_t cpus = 0;
  int64_t memory_bytes = 0;
  int64_t disk_bytes = 0;  // of the file system holding the data dir
  std::string kernel_version;
  std::string os_image;  // PRETTY_NAME of /etc/os-release
  std::string architecture;
  std::string machine_id;
  std::string boot_id;
  std::string system_uuid;
};

MachineInfo read_machine_info(const std::filesystem::path& data_dir);

}  // namespace ukube::kubelet
