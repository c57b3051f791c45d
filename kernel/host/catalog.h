#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/host/stamp.h"

namespace spdlog {
class logger;
}

namespace ukube::host {

struct DaemonConfig;

// One library found in a plugin directory that carries a `.ukube_plugin` stamp.
struct CatalogEntry {
  std::filesystem::path library;  // canonical path
  PluginStamp stamp;              // empty type/id when the stamp is malformed
  // Why this host cannot load the library (ABI mismatch, malformed stamp, another library
  // providing the same URI); empty when it can.
  std::string problem;

  std::string uri() const { return stamp.type.empty() ? std::string() : stamp.uri(); }
};

// The plugins available on disk, read from their stamps; nothing is dlopen-ed.
class Catalog {
 public:
  // Directories are searched in order; a library reached twice (same canonical path) is
  // listed once, missing directories are remembered for error messages.
  static Catalog scan(const std::vector<std::filesystem::path>& dirs, spdlog::logger* log = nullptr);

  const std::vector<CatalogEntry>& entries() const { return entries_; }
  // Every library whose stamp names `uri` (more than one is a conflict).
  std::vector<const CatalogEntry*> providers(const std::string& uri) const;
  // "dir, other (does not exist)": for "which directories were searched" messages.
  std::string searched() const;
  std::vector<std::string> uris() const;

 private:
  std::vector<std::filesystem::path> dirs_;
  std::vector<bool> dir_exists_;
  std::vector<CatalogEntry> entries_;
};

// <dir of the running executable>/../lib/ukube/plugins: holds in the build tree
// (build/bin/ukube, build/lib/ukube/plugins) and in an installed tree alike.
std::filesystem::path default_plugin_dir();

// The default plugin dir, then the config's plugin_dirs.
std::vector<std::filesystem::path> plugin_search_dirs(const DaemonConfig& config);

}  // namespace ukube::host
