#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace ukube::daemon {

// What the command line may override in the config file.
struct DaemonOptions {
  std::filesystem::path config_file;
  std::optional<std::filesystem::path> data_dir;
  std::optional<std::string> listen;
  std::optional<std::string> log_level;
};

// Runs the node until SIGTERM or SIGINT: opens the store, builds the kernel, starts the
// configured plugins; SIGHUP re-reads the config file and applies the difference.
// Returns the process exit code.
int run_daemon(const DaemonOptions& options);

}  // namespace ukube::daemon
