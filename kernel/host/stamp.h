#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ukube::host {

// What a plugin library's `.ukube_plugin` section says about it (see UKUBE_PLUGIN in
// ukube/plugin.h): enough to match it to a config entry and to check its ABI without
// opening it.
struct PluginStamp {
  uint32_t abi_version = 0;
  std::string api_hash;
  std::string type;
  std::string id;

  std::string uri() const { return type + "." + id; }
};

// Parses the section's bytes; throws std::invalid_argument naming what is malformed.
PluginStamp parse_stamp(std::string_view section);

// Why this host cannot load a library with `stamp`, or nullopt when it can. The message
// shows both sides so a user can tell which build is stale.
std::optional<std::string> abi_incompatibility(const PluginStamp& stamp);

}  // namespace ukube::host
