#include "settings.h"

#include <stdexcept>

#include "runtime-process/config.pb.h"
#include "ukube/node/monitor_launcher.h"
#include "ukube/node/node_ip.h"

namespace ukube::runtime::process {

ProcessRuntimeSettings settings_from(const ProcessRuntimeConfig& config) {
  ProcessRuntimeSettings settings;
  settings.node_ip = node::checked_node_ip(config.node_ip(), "runtime-process");
  for (const auto& [image, path] : config.images()) {
    if (path.empty() || path.front() != '/')
      throw std::invalid_argument("runtime-process: images[\"" + image + "\"] = \"" + path +
                                  "\" is not an absolute path; map each image to the executable it runs");
    settings.images[image] = path;
  }
  if (config.log_max_size_bytes() > 0) settings.log_max_size_bytes = config.log_max_size_bytes();
  if (config.log_max_files() > 0) settings.log_max_files = config.log_max_files();
  if (config.has_rlimits()) {
    if (config.rlimits().nofile() > 0) settings.rlimit_nofile = config.rlimits().nofile();
    settings.rlimit_nproc = config.rlimits().nproc();
    settings.rlimit_core = config.rlimits().core();
  }
  settings.monitor_path =
      config.monitor_path().empty() ? find_default_monitor() : std::filesystem::path(config.monitor_path());
  check_monitor_path(settings.monitor_path, "runtime-process");
  return settings;
}

}  // namespace ukube::runtime::process
