#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace ukube::host {

// One entry of the config's `plugins:` list.
struct PluginConfig {
  std::string uri;  // type.id
  bool enabled = true;
  // A plugin this machine may be unable to run (runtime-runc without root): when its init
  // fails it is skipped, saying why, instead of stopping the daemon.
  bool optional = false;
  // The `config:` node as JSON (null when absent), ready to be parsed into the plugin's
  // Protobuf message.
  boost::json::value config;
  int line = 0;  // where the entry starts in the file; 0 when unknown
  // Line of every key under `config:`, by field path ("config.listen.port"), so typed
  // config errors can point at the offending line.
  std::map<std::string, int> config_lines;

  std::string type() const;  // everything before the last dot
  std::string id() const;    // the last dot-separated segment
};

// The daemon's YAML config file.
struct DaemonConfig {
  std::string source = "<config>";  // the file name used in messages
  // Relative paths (here and in plugin_dirs) are relative to the working directory.
  std::filesystem::path data_dir = "data";
  std::string listen = "127.0.0.1:6443";
  std::string log_level = "info";
  std::vector<std::filesystem::path> plugin_dirs;  // searched after the default plugin dir
  // Upstream's EncryptionConfiguration file (kernel/store/encryption_config.h); empty:
  // values are stored unencrypted. Read once at startup.
  std::filesystem::path encryption_config;
  std::vector<PluginConfig> plugins;

  const PluginConfig* find(std::string_view uri) const;
};

// Throws ConfigError naming the file, the line when known, and what to change.
DaemonConfig load_config(const std::filesystem::path& file);
DaemonConfig parse_config(std::string_view yaml, std::string source);

// Whether `uri` has the type.id shape (dot-separated segments of letters, digits, '_' and
// '-', at least two of them).
bool is_valid_uri(std::string_view uri);

}  // namespace ukube::host
