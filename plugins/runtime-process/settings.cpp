#include "settings.h"

#include <arpa/inet.h>

#include <stdexcept>

#include "runtime-process/config.pb.h"
#include "ukube/node/monitor_launcher.h"

namespace ukube::runtime::process {

namespace {

bool is_ip_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

}  // namespace

ProcessRuntimeSettings settings_from(const ProcessRuntimeConfig& config) {
  ProcessRuntimeSettings settings;
  if (!config.node_ip().empty()) {
    if (!is_ip_address(config.node_ip()))
      throw std::invalid_argument("runtime-process: node_ip \"" + config.node_ip() +
                                  "\" is not an IP address; write e.g. 127.0.0.1 or the node's address");
    settings.node_ip = config.node_ip();
  }
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
