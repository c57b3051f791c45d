#include "kernel/host/catalog.h"

#include <algorithm>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "kernel/host/config.h"
#include "kernel/host/elf_section.h"
#include "ukube/plugin.h"

namespace ukube::host {
namespace {

std::vector<std::filesystem::path> libraries_in(const std::filesystem::path& dir, spdlog::logger* log) {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() != ".so") continue;
    std::error_code type_ec;
    if (!std::filesystem::is_regular_file(path, type_ec)) continue;  // follows symlinks
    found.push_back(path);
  }
  if (ec && log) log->warn("cannot list plugin directory {}: {}", dir.string(), ec.message());
  // Directory order is arbitrary; sorting keeps the catalog (and its messages) stable.
  std::sort(found.begin(), found.end());
  return found;
}

std::optional<CatalogEntry> read_entry(const std::filesystem::path& library, spdlog::logger* log) {
  CatalogEntry entry;
  entry.library = library;
  try {
    auto section = read_elf_section(library, UKUBE_PLUGIN_SECTION);
    if (!section) {
      if (log)
        log->debug("{} has no {} section; not a ukube plugin, ignored", library.string(),
                   UKUBE_PLUGIN_SECTION);
      return std::nullopt;
    }
    entry.stamp = parse_stamp(*section);
    if (auto problem = abi_incompatibility(entry.stamp)) entry.problem = *problem;
  } catch (const ElfError& e) {
    if (log) log->warn("{}; not a ukube plugin, ignored", e.what());
    return std::nullopt;
  } catch (const std::invalid_argument& e) {
    entry.stamp = {};
    entry.problem = e.what();
  }
  return entry;
}

}  // namespace

Catalog Catalog::scan(const std::vector<std::filesystem::path>& dirs, spdlog::logger* log) {
  Catalog catalog;
  std::set<std::filesystem::path> seen;
  for (const auto& dir : dirs) {
    std::error_code ec;
    bool exists = std::filesystem::is_directory(dir, ec);
    catalog.dirs_.push_back(dir);
    catalog.dir_exists_.push_back(exists);
    if (!exists) {
      if (log) log->debug("plugin directory {} does not exist", dir.string());
      continue;
    }
    for (const auto& path : libraries_in(dir, log)) {
      auto canonical = std::filesystem::weakly_canonical(path, ec);
      if (ec) canonical = path;
      if (!seen.insert(canonical).second) continue;
      if (auto entry = read_entry(canonical, log)) catalog.entries_.push_back(std::move(*entry));
    }
  }

  // Two libraries claiming one URI: neither can be chosen silently.
  std::map<std::string, std::vector<CatalogEntry*>> by_uri;
  for (auto& entry : catalog.entries_)
    if (!entry.uri().empty()) by_uri[entry.uri()].push_back(&entry);
  for (auto& [uri, entries] : by_uri) {
    if (entries.size() < 2) continue;
    for (CatalogEntry* entry : entries) {
      std::vector<std::string> others;
      for (const CatalogEntry* other : entries)
        if (other != entry) others.push_back(other->library.string());
      std::string conflict = "duplicate id: " + uri + " is also provided by ";
      for (std::size_t i = 0; i < others.size(); ++i) conflict += (i ? ", " : "") + others[i];
      conflict += "; remove all but one of these libraries";
      entry->problem = entry->problem.empty() ? conflict : entry->problem + "; " + conflict;
    }
  }
  return catalog;
}

std::vector<const CatalogEntry*> Catalog::providers(const std::string& uri) const {
  std::vector<const CatalogEntry*> out;
  for (const auto& entry : entries_)
    if (entry.uri() == uri) out.push_back(&entry);
  return out;
}

std::string Catalog::searched() const {
  std::string out;
  for (std::size_t i = 0; i < dirs_.size(); ++i) {
    if (i) out += ", ";
    out += dirs_[i].string();
    if (!dir_exists_[i]) out += " (does not exist)";
  }
  return out.empty() ? "no directories" : out;
}

std::vector<std::string> Catalog::uris() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_)
    if (!entry.uri().empty()) out.push_back(entry.uri());
  return out;
}

std::filesystem::path default_plugin_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::filesystem::path("lib/ukube/plugins");
  return (exe.parent_path().parent_path() / "lib" / "ukube" / "plugins").lexically_normal();
}

std::vector<std::filesystem::path> plugin_search_dirs(const DaemonConfig& config) {
  std::vector<std::filesystem::path> dirs{default_plugin_dir()};
  dirs.insert(dirs.end(), config.plugin_dirs.begin(), config.plugin_dirs.end());
  return dirs;
}

}  // namespace ukube::host
