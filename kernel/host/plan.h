#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kernel/host/catalog.h"
#include "kernel/host/config.h"
#include "ukube/plugin.h"

namespace ukube::host {

// One enabled config entry, resolved against the catalog: its library opened, its
// descriptor checked, its config parsed — or the reason it was refused.
struct ResolvedPlugin {
  std::string uri, type, id;
  int line = 0;  // where the config names it (or the offending config key)
  std::filesystem::path library;
  const PluginDescriptor* descriptor = nullptr;
  std::shared_ptr<const google::protobuf::Message> config;
  std::vector<std::size_t> deps;           // indices into Plan::plugins of the plugins it requires
  std::vector<std::size_t> optional_deps;  // those of `deps` it can run without
  std::string refusal;                     // empty when the plugin can be loaded
  bool optional = false;                   // skipped, not fatal, when its init fails

  bool refused() const { return !refusal.empty(); }
};

// What a config asks the host to run, checked as a whole before anything starts.
struct Plan {
  std::string source;
  std::vector<ResolvedPlugin> plugins;  // enabled entries, config order
  std::vector<std::size_t> order;       // dependency order of the plugins that are not refused

  bool ok() const;
  // Every refusal as "<file>:<line>: plugin <uri>: <reason>", one per line.
  std::string refusals() const;
};

// Resolves the enabled plugins of `config` against `catalog`. Libraries are opened only
// for plugins whose stamp is acceptable; nothing is created or initialised.
Plan resolve_plan(const DaemonConfig& config, const Catalog& catalog);

// "<file>:<line>: plugin <uri>: <reason>".
std::string located(const std::string& source, int line, const std::string& uri, const std::string& reason);

}  // namespace ukube::host
