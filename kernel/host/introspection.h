#pragma once

#include <string>
#include <vector>

namespace ukube::host {

class Catalog;
struct DaemonConfig;

// One line of `ukube plugins`: a plugin from the config or the catalog.
struct PluginRow {
  std::string type;
  std::string id;
  // loaded, initialized, running, stopped, disabled, available, "failed: why" or
  // "refused: why".
  std::string state;
  std::string library;  // "-" when no library provides the plugin
};

// Checks `config` the way Host::create would — libraries are opened and configs parsed,
// but no plugin is created or initialised — and lists every configured and every
// catalogued plugin. Scans the default plugin dir and the config's plugin_dirs.
std::vector<PluginRow> inspect(const DaemonConfig& config);
std::vector<PluginRow> inspect(const DaemonConfig& config, const Catalog& catalog);

// Rows for the config's disabled entries and the catalog's libraries the config does not
// mention; shared by inspect() and Host::describe().
void append_unused_rows(std::vector<PluginRow>& rows, const DaemonConfig& config, const Catalog& catalog);

// A plain-text table with a header, columns padded to their widest cell.
std::string format_plugin_table(const std::vector<PluginRow>& rows);

}  // namespace ukube::host
