// ukube: a Kubernetes-compatible node in one daemon. This file only reads the command
// line; kernel/daemon runs the node.
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "kernel/daemon/daemon.h"
#include "kernel/daemon/issue_kubeconfig.h"
#include "kernel/host/config.h"
#include "kernel/host/errors.h"
#include "kernel/host/introspection.h"

namespace {

constexpr const char* kUsage = R"(usage:
  ukube --config FILE [--data-dir DIR] [--listen HOST:PORT] [--log-level LEVEL]
      run the node the config describes (SIGHUP re-reads FILE, SIGTERM stops)
  ukube plugins --config FILE
      list every plugin: type, id, state and library, after checking the config
  ukube kubeconfig [--config FILE] [--data-dir DIR] --user NAME [--group GROUP]... [--days N]
      print a kubeconfig for NAME (in each GROUP) with a client certificate signed by
      the node's cluster CA, valid N days (default 365)
  ukube version
)";

int usage_error(const std::string& message) {
  std::cerr << "ukube: " << message << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = "run";
  ukube::daemon::DaemonOptions options;
  ukube::daemon::KubeconfigRequest kubeconfig;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> std::string {
      if (auto eq = arg.find('='); eq != std::string_view::npos) return std::string(arg.substr(eq + 1));
      if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
      return argv[++i];
    };
    try {
      if (arg == "plugins" || arg == "version" || arg == "help" || arg == "kubeconfig") {
        command = arg;
      } else if (arg == "-h" || arg == "--help") {
        command = "help";
      } else if (arg.starts_with("--config")) {
        options.config_file = value("--config");
      } else if (arg.starts_with("--data-dir")) {
        options.data_dir = value("--data-dir");
      } else if (arg.starts_with("--listen")) {
        options.listen = value("--listen");
      } else if (arg.starts_with("--log-level")) {
        options.log_level = value("--log-level");
      } else if (command == "kubeconfig" && arg.starts_with("--user")) {
        kubeconfig.user = value("--user");
      } else if (command == "kubeconfig" && arg.starts_with("--group")) {
        kubeconfig.groups.push_back(value("--group"));
      } else if (command == "kubeconfig" && arg.starts_with("--days")) {
        std::string days = value("--days");
        if (days.empty() || days.find_first_not_of("0123456789") != std::string::npos || days.size() > 5)
          throw std::invalid_argument("--days needs a whole number of days, not \"" + days + "\"");
        kubeconfig.validity = std::chrono::hours(24 * std::stoi(days));
      } else {
        return usage_error("unknown argument \"" + std::string(arg) + "\"");
      }
    } catch (const std::invalid_argument& e) {
      return usage_error(e.what());
    }
  }
  if (command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "version") {
    std::cout << "ukube " << UKUBE_VERSION << "\n";
    return 0;
  }
  if (command == "kubeconfig") {
    try {
      kubeconfig.data_dir = options.data_dir ? *options.data_dir
                            : !options.config_file.empty()
                                ? ukube::host::load_config(options.config_file).data_dir
                                : std::filesystem::path("data");
      std::cout << ukube::daemon::issue_kubeconfig(kubeconfig);
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "ukube kubeconfig: " << e.what() << "\n";
      return 1;
    }
  }
  if (options.config_file.empty()) return usage_error("--config FILE is required");
  try {
    if (command == "plugins") {
      auto config = ukube::host::load_config(options.config_file);
      std::cout << ukube::host::format_plugin_table(ukube::host::inspect(config));
      return 0;
    }
    return ukube::daemon::run_daemon(options);
  } catch (const std::exception& e) {
    std::cerr << "ukube: " << e.what() << "\n";
    return 1;
  }
}
