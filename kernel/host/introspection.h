#pragma once

#include <string>
#include <vector>

#include "ukube/plugin.h"

namespace ukube::host {

class Catalog;
struct DaemonConfig;

// Checks `config` the way Host::create would — libraries are opened and configs parsed,
// but no plugin is created or initialised — and lists every configured and every
// catalogued plugin. Scans the default plugin dir and the config's plugin_dirs.
std::vector<PluginStatus> inspect(const DaemonConfig& config);
std::vector<PluginStatus> inspect(const DaemonConfig& config, const Catalog& catalog);

// Rows for the config's disabled entries and the catalog's libraries the config does not
// mention; shared by inspect() and Host::describe().
void append_unused_rows(std::vector<PluginStatus>& rows, const DaemonConfig& config, const Catalog& catalog);

// A plain-text table with a header, columns padded to their widest cell.
std::string format_plugin_table(const std::vector<PluginStatus>& rows);

}  // namespace ukube::host
