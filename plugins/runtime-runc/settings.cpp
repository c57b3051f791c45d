#include "settings.h"

#include <unistd.h>

#include <stdexcept>

#include "runtime-runc/config.pb.h"
#include "ukube/node/monitor_launcher.h"
#include "ukube/node/node_ip.h"
#include "ukube/node/spawn.h"

namespace ukube::runtime::runc {

namespace {

constexpr const char* kPauseName = "ukube-pause";

std::filesystem::path absolute_or_default(const std::string& configured, const char* field,
                                          const std::filesystem::path& fallback) {
  if (configured.empty()) return fallback;
  if (configured.front() != '/')
    throw std::invalid_argument("runtime-runc: " + std::string(field) + " \"" + configured +
                                "\" is not an absolute path; write the full path");
  return configured;
}

}  // namespace

std::string why_runc_cannot_run(const std::filesystem::path& runc_path) {
  if (::geteuid() != 0)
    return "runtime-runc needs root (namespaces, cgroups and mounts); the daemon runs as user " +
           std::to_string(::geteuid());
  if (runc_path.empty() || ::access(runc_path.c_str(), X_OK) != 0)
    return "runc is not installed (no executable runc on PATH" +
           (runc_path.empty() ? std::string() : " or at " + runc_path.string()) +
           "); install Debian's runc package or set runc_path";
  return {};
}

RuncRuntimeSettings settings_from(const RuncRuntimeConfig& config, const std::filesystem::path& state_dir,
                                  const std::filesystem::path& data_dir) {
  RuncRuntimeSettings settings;
  if (!config.runc_path().empty()) {
    settings.runc_path = absolute_or_default(config.runc_path(), "runc_path", {});
  } else {
    const char* path = std::getenv("PATH");
    std::string search = std::string(path ? path : "") + ":/usr/local/sbin:/usr/sbin:/sbin";
    settings.runc_path = node::find_executable("runc", search).value_or("");
  }
  settings.runc_root = absolute_or_default(config.runc_root(), "runc_root", state_dir / "runc");
  settings.image_store = absolute_or_default(config.image_store(), "image_store", data_dir / "image-store");
  settings.node_ip = node::checked_node_ip(config.node_ip(), "runtime-runc");
  if (config.log_max_size_bytes() > 0) settings.log_max_size_bytes = config.log_max_size_bytes();
  if (config.log_max_files() > 0) settings.log_max_files = config.log_max_files();
  if (!config.cgroup_root().empty()) {
    if (config.cgroup_root().front() != '/' || config.cgroup_root().find("..") != std::string::npos)
      throw std::invalid_argument("runtime-runc: cgroup_root \"" + config.cgroup_root() +
                                  "\" must be an absolute cgroup path without \"..\", e.g. /kubepods");
    settings.cgroup_root = config.cgroup_root();
  }
  settings.monitor_path =
      absolute_or_default(config.monitor_path(), "monitor_path", node::find_default_monitor());
  node::check_monitor_path(settings.monitor_path, "runtime-runc");
  settings.pause_path =
      absolute_or_default(config.pause_path(), "pause_path", node::find_helper_executable(kPauseName));
  if (settings.pause_path.empty() || ::access(settings.pause_path.c_str(), X_OK) != 0)
    throw std::invalid_argument("runtime-runc: cannot find " + std::string(kPauseName) +
                                " (the static program holding each pod's namespaces) beside the plugin or in "
                                "<prefix>/bin; build the ukube-pause target or set pause_path");
  for (const auto& registry : config.insecure_registries()) settings.insecure_registries.push_back(registry);
  for (const auto& [registry, mirrors] : config.mirrors())
    settings.mirrors[registry].assign(mirrors.endpoints().begin(), mirrors.endpoints().end());
  if (config.builtin_busybox() == "none")
    settings.builtin_busybox.clear();
  else
    settings.builtin_busybox =
        absolute_or_default(config.builtin_busybox(), "builtin_busybox", "/bin/busybox");
  settings.image_folder = absolute_or_default(config.image_folder(), "image_folder", data_dir / "images");
  if (config.image_gc_high_threshold_percent() > 0)
    settings.image_gc.high_percent = static_cast<int>(config.image_gc_high_threshold_percent());
  if (config.image_gc_low_threshold_percent() > 0)
    settings.image_gc.low_percent = static_cast<int>(config.image_gc_low_threshold_percent());
  if (settings.image_gc.high_percent > 100 || settings.image_gc.low_percent > settings.image_gc.high_percent)
    throw std::invalid_argument("runtime-runc: image_gc_low_threshold_percent (" +
                                std::to_string(settings.image_gc.low_percent) +
                                ") must not exceed image_gc_high_threshold_percent (" +
                                std::to_string(settings.image_gc.high_percent) + "), which is at most 100");
  if (config.image_minimum_gc_age_seconds() > 0)
    settings.image_gc.min_age = std::chrono::seconds(config.image_minimum_gc_age_seconds());
  if (config.image_gc_period_seconds() > 0)
    settings.image_gc_period = std::chrono::seconds(config.image_gc_period_seconds());
  return settings;
}

}  // namespace ukube::runtime::runc
