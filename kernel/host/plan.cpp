#include "kernel/host/plan.h"

#include <algorithm>
#include <map>

#include "kernel/host/graph.h"
#include "kernel/host/library.h"
#include "kernel/host/text.h"
#include "kernel/host/typed_config.h"

namespace ukube::host {
namespace {

// Near URIs, then URIs whose id is near: the id is what users remember, the versioned
// type is what they get wrong ("ukube.runtime.v1.bridge" for ukube.cni.v1.bridge).
std::vector<std::string> suggestions(const std::string& uri, const Catalog& catalog) {
  constexpr std::size_t kLimit = 3;
  std::vector<std::string> out = near_names(uri, catalog.uris(), kLimit);
  const std::string id = uri.substr(uri.rfind('.') + 1);
  for (const auto& entry : catalog.entries()) {
    if (out.size() == kLimit) break;
    if (entry.uri().empty() || entry.uri() == uri) continue;
    if (edit_distance(id, entry.stamp.id) > 1) continue;
    if (std::find(out.begin(), out.end(), entry.uri()) == out.end()) out.push_back(entry.uri());
  }
  return out;
}

std::string unknown_plugin(const std::string& uri, const Catalog& catalog) {
  std::string message = "unknown plugin: no library in the plugin directories provides " + uri +
                        " (searched: " + catalog.searched() + ")";
  if (auto near = suggestions(uri, catalog); !near.empty())
    message += "; did you mean " + or_list(near) + "?";
  return message + "; install the plugin or add its directory to plugin_dirs";
}

// Finds the library, checks its stamp, opens it and parses the entry's config.
void load(ResolvedPlugin& plugin, const PluginConfig& entry, const Catalog& catalog) {
  auto providers = catalog.providers(plugin.uri);
  if (providers.empty()) {
    plugin.refusal = unknown_plugin(plugin.uri, catalog);
    return;
  }
  const CatalogEntry& found = *providers.front();
  plugin.library = found.library;
  // The stamp's problems (ABI, hash, duplicate providers) refuse the plugin before its
  // library is opened, so none of its code runs.
  if (!found.problem.empty()) {
    plugin.refusal = found.problem;
    return;
  }
  try {
    plugin.descriptor = &open_plugin_library(found.library, found.stamp);
  } catch (const std::exception& e) {
    plugin.refusal = e.what();
    return;
  }
  try {
    plugin.config = build_plugin_config(*plugin.descriptor, entry);
  } catch (const TypedConfigError& e) {
    plugin.line = e.line;
    plugin.refusal = e.what();
  }
}

bool provides(const ResolvedPlugin& p, const std::string& requirement) {
  return p.uri == requirement || p.type == requirement;
}

// Why nobody provides `requirement`, with a hint when a disabled entry or an available
// library would.
std::string missing_requirement(const std::string& requirement, const DaemonConfig& config,
                                const Catalog& catalog) {
  std::string message =
      "missing requirement: it requires " + requirement + ", which no enabled plugin provides";
  for (const auto& entry : config.plugins)
    if (!entry.enabled && (entry.uri == requirement || entry.type() == requirement))
      return message + "; " + entry.uri + " is disabled in the config: enable it";
  for (const auto& entry : catalog.entries())
    if (!entry.uri().empty() && (entry.uri() == requirement || entry.stamp.type == requirement))
      return message + "; " + entry.uri() + " is available in " + entry.library.parent_path().string() +
             ": add it to plugins";
  return message + "; add a plugin that provides it";
}

std::string cycle_text(const Plan& plan, const std::vector<std::size_t>& cycle) {
  std::string text;
  for (std::size_t i : cycle) text += plan.plugins[i].uri + " -> ";
  return text + plan.plugins[cycle.front()].uri;
}

void link_requirements(Plan& plan, const DaemonConfig& config, const Catalog& catalog) {
  for (std::size_t i = 0; i < plan.plugins.size(); ++i) {
    ResolvedPlugin& plugin = plan.plugins[i];
    if (!plugin.descriptor) continue;
    std::vector<std::string> missing;
    for (std::string requirement : plugin.descriptor->requires_) {
      // "?type": used when enabled (and then brought up first), not needed otherwise.
      const bool optional = requirement.starts_with('?');
      if (optional) requirement.erase(0, 1);
      bool found = false;
      for (std::size_t j = 0; j < plan.plugins.size(); ++j) {
        if (j == i || !provides(plan.plugins[j], requirement)) continue;
        plugin.deps.push_back(j);
        if (optional) plugin.optional_deps.push_back(j);
        found = true;
      }
      if (!found && !optional) missing.push_back(missing_requirement(requirement, config, catalog));
    }
    if (!missing.empty() && !plugin.refused()) plugin.refusal = join(missing, "; ");
  }
}

// A plugin cannot run without what it requires, so refusals flow to dependents.
void propagate_refusals(Plan& plan) {
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& plugin : plan.plugins) {
      if (plugin.refused()) continue;
      for (std::size_t d : plugin.deps) {
        if (!plan.plugins[d].refused() || std::ranges::count(plugin.optional_deps, d) > 0) continue;
        plugin.refusal = "it requires " + plan.plugins[d].uri + ", which is refused";
        changed = true;
        break;
      }
    }
  }
}

}  // namespace

bool Plan::ok() const {
  for (const auto& plugin : plugins)
    if (plugin.refused()) return false;
  return true;
}

std::string Plan::refusals() const {
  std::vector<std::string> lines;
  for (const auto& plugin : plugins)
    if (plugin.refused()) lines.push_back(located(source, plugin.line, plugin.uri, plugin.refusal));
  return join(lines, "\n");
}

std::string located(const std::string& source, int line, const std::string& uri, const std::string& reason) {
  return source + (line ? ":" + std::to_string(line) : std::string()) + ": plugin " + uri + ": " + reason;
}

Plan resolve_plan(const DaemonConfig& config, const Catalog& catalog) {
  Plan plan;
  plan.source = config.source;
  std::map<std::string, int> first_line;
  for (const auto& entry : config.plugins) {
    if (!entry.enabled) continue;
    ResolvedPlugin plugin;
    plugin.uri = entry.uri;
    plugin.type = entry.type();
    plugin.id = entry.id();
    plugin.line = entry.line;
    plugin.optional = entry.optional;
    // parse_config already rejects repeated URIs; a config built in code may not have.
    if (auto [it, inserted] = first_line.emplace(entry.uri, entry.line); !inserted)
      plugin.refusal = "duplicate id: " + entry.uri + " is enabled twice (first at line " +
                       std::to_string(it->second) + "); remove one entry";
    else
      load(plugin, entry, catalog);
    plan.plugins.push_back(std::move(plugin));
  }

  link_requirements(plan, config, catalog);
  std::vector<std::vector<std::size_t>> deps;
  for (const auto& plugin : plan.plugins) deps.push_back(plugin.deps);
  TopologicalOrder topo = topological_order(deps);
  for (const auto& cycle : topo.cycles) {
    std::string text = "dependency cycle: " + cycle_text(plan, cycle) + "; remove one of these requirements";
    for (std::size_t i : cycle)
      if (!plan.plugins[i].refused()) plan.plugins[i].refusal = text;
  }
  // Plugins behind a cycle (topo.blocked) are refused here, naming the plugin they need.
  propagate_refusals(plan);

  for (std::size_t i : topo.order)
    if (!plan.plugins[i].refused()) plan.order.push_back(i);
  return plan;
}

}  // namespace ukube::host
