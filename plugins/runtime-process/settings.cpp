#include "settings.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <unistd.h>

#include <stdexcept>

#include "runtime-process/config.pb.h"

namespace ukube::runtime::process {

namespace {

constexpr const char* kMonitorName = "ukube-container-monitor";

bool is_ip_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_executable_file(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// The file this function's code was loaded from: the plugin's .so, or a test executable
// that links the plugin's objects.
std::filesystem::path this_code_location() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&this_code_location), &info) == 0 || !info.dli_fname) return {};
  std::error_code ec;
  auto path = std::filesystem::canonical(info.dli_fname, ec);
  return ec ? std::filesystem::path(info.dli_fname) : path;
}

}  // namespace

std::filesystem::path find_default_monitor() {
  auto here = this_code_location().parent_path();
  if (here.empty()) return {};
  // lib/ukube/plugins/runtime-process.so → bin/ukube-container-monitor (the build tree and
  // an installed tree alike); a test binary in bin/ finds it beside itself.
  for (const auto& candidate :
       {here / kMonitorName, here.parent_path().parent_path().parent_path() / "bin" / kMonitorName})
    if (is_executable_file(candidate)) return candidate;
  return {};
}

void check_monitor_path(const std::filesystem::path& path) {
  if (path.empty())
    throw std::invalid_argument(std::string("runtime-process: cannot find ") + kMonitorName +
                                " beside the plugin library or in <prefix>/bin; build the "
                                "ukube-container-monitor target or set monitor_path");
  if (!is_executable_file(path))
    throw std::invalid_argument("runtime-process: monitor_path " + path.string() +
                                " is not an executable file; point it at ukube-container-monitor");
}

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
  check_monitor_path(settings.monitor_path);
  return settings;
}

}  // namespace ukube::runtime::process
