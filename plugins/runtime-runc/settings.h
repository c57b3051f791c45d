#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "image_gc.h"

namespace ukube::runtime::runc {

class RuncRuntimeConfig;

// The runc runtime's config with every default applied (config.proto documents them).
struct RuncRuntimeSettings {
  std::filesystem::path runc_path;
  std::filesystem::path runc_root;
  std::filesystem::path image_store;
  std::string node_ip = "127.0.0.1";
  uint64_t log_max_size_bytes = 10 * 1024 * 1024;
  uint32_t log_max_files = 5;
  std::string cgroup_root = "/kubepods";
  std::filesystem::path monitor_path;
  std::filesystem::path pause_path;
  std::vector<std::string> insecure_registries;
  std::map<std::string, std::vector<std::string>> mirrors;
  std::filesystem::path builtin_busybox = "/bin/busybox";  // empty: no built-in image
  std::filesystem::path image_folder;
  ImageGcPolicy image_gc;
  std::chrono::seconds image_gc_period{300};
};

// Applies the defaults (state_dir and data_dir fill the folders left unset) and checks the
// values; throws std::invalid_argument naming the field and what to write instead.
RuncRuntimeSettings settings_from(const RuncRuntimeConfig& config, const std::filesystem::path& state_dir,
                                  const std::filesystem::path& data_dir);

// Why this machine cannot run runc containers ("" when it can): not root, or no runc.
std::string why_runc_cannot_run(const std::filesystem::path& runc_path);

}  // namespace ukube::runtime::runc
