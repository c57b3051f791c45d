#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace ukube::runtime::process {

class ProcessRuntimeConfig;

// The process runtime's config with every default applied (config.proto documents them).
struct ProcessRuntimeSettings {
  std::string node_ip = "127.0.0.1";
  std::map<std::string, std::string> images;  // image name → absolute path of an executable
  uint64_t log_max_size_bytes = 10 * 1024 * 1024;
  uint32_t log_max_files = 5;
  uint64_t rlimit_nofile = 1048576;
  uint64_t rlimit_nproc = 0;  // 0: inherit
  uint64_t rlimit_core = 0;
  std::filesystem::path monitor_path;  // the ukube-container-monitor executable
};

// Applies the defaults and checks the values; throws std::invalid_argument naming the
// field and what to write instead.
ProcessRuntimeSettings settings_from(const ProcessRuntimeConfig& config);

}  // namespace ukube::runtime::process
