#include "kernel/host/introspection.h"

#include <algorithm>
#include <array>

#include "kernel/host/catalog.h"
#include "kernel/host/config.h"
#include "kernel/host/plan.h"

namespace ukube::host {

std::vector<PluginStatus> inspect(const DaemonConfig& config) {
  return inspect(config, Catalog::scan(plugin_search_dirs(config)));
}

std::vector<PluginStatus> inspect(const DaemonConfig& config, const Catalog& catalog) {
  Plan plan = resolve_plan(config, catalog);
  std::vector<PluginStatus> rows;
  auto row = [](const ResolvedPlugin& p, std::string state) {
    return PluginStatus{p.type, p.id, std::move(state), p.library.empty() ? "-" : p.library.string()};
  };
  for (std::size_t i : plan.order) rows.push_back(row(plan.plugins[i], "loaded"));
  for (const auto& plugin : plan.plugins)
    if (plugin.refused()) rows.push_back(row(plugin, "refused: " + plugin.refusal));
  append_unused_rows(rows, config, catalog);
  return rows;
}

void append_unused_rows(std::vector<PluginStatus>& rows, const DaemonConfig& config, const Catalog& catalog) {
  for (const auto& entry : config.plugins) {
    if (entry.enabled) continue;
    auto providers = catalog.providers(entry.uri);
    rows.push_back({entry.type(), entry.id(), "disabled",
                    providers.empty() ? "-" : providers.front()->library.string()});
  }
  for (const auto& entry : catalog.entries()) {
    if (!entry.uri().empty() && config.find(entry.uri())) continue;
    std::string state = entry.problem.empty() ? "available" : "refused: " + entry.problem;
    if (entry.uri().empty())
      rows.push_back({"?", entry.library.stem().string(), std::move(state), entry.library.string()});
    else
      rows.push_back({entry.stamp.type, entry.stamp.id, std::move(state), entry.library.string()});
  }
}

std::string format_plugin_table(const std::vector<PluginStatus>& rows) {
  // STATE goes last: a refusal reason is long and would push every library path right.
  const std::array<std::string, 4> header = {"TYPE", "ID", "LIBRARY", "STATE"};
  auto cells = [](const PluginStatus& r) {
    return std::array<std::string, 4>{r.type, r.id, r.library, r.state};
  };
  std::array<std::size_t, 4> width{};
  for (std::size_t c = 0; c < 4; ++c) width[c] = header[c].size();
  for (const auto& r : rows) {
    auto row = cells(r);
    for (std::size_t c = 0; c < 4; ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  auto line = [&](const std::array<std::string, 4>& row) {
    for (std::size_t c = 0; c < 4; ++c) {
      out += row[c];
      if (c + 1 < 4) out += std::string(width[c] - row[c].size() + 2, ' ');
    }
    out += '\n';
  };
  line(header);
  for (const auto& r : rows) line(cells(r));
  return out;
}

}  // namespace ukube::host
