#include "kernel/host/stamp.h"

#include <charconv>
#include <stdexcept>
#include <vector>

#include "ukube/abi.h"

namespace ukube::host {
namespace {

constexpr std::string_view kMagic = "ukube-plugin";

std::vector<std::string_view> split_fields(std::string_view section) {
  std::vector<std::string_view> fields;
  while (!section.empty()) {
    auto end = section.find('\0');
    std::string_view field = section.substr(0, end);
    // Trailing NULs (the literal's terminator, section alignment padding) are not fields.
    if (!field.empty()) fields.push_back(field);
    if (end == std::string_view::npos) break;
    section.remove_prefix(end + 1);
  }
  return fields;
}

}  // namespace

PluginStamp parse_stamp(std::string_view section) {
  auto fields = split_fields(section);
  if (fields.empty() || fields.front() != kMagic)
    throw std::invalid_argument("the ABI stamp does not start with \"ukube-plugin\"");
  PluginStamp stamp;
  bool has_abi = false;
  for (std::size_t i = 1; i < fields.size(); ++i) {
    std::string_view field = fields[i];
    if (field == kMagic)
      throw std::invalid_argument(
          "the library carries more than one ABI stamp; build one plugin per library");
    auto eq = field.find('=');
    if (eq == std::string_view::npos)
      throw std::invalid_argument("malformed ABI stamp field \"" + std::string(field) + "\"");
    std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == "abi") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), stamp.abi_version);
      if (ec != std::errc() || end != value.data() + value.size())
        throw std::invalid_argument("malformed ABI version \"" + std::string(value) + "\" in the ABI stamp");
      has_abi = true;
    } else if (key == "hash") {
      stamp.api_hash = value;
    } else if (key == "type") {
      stamp.type = value;
    } else if (key == "id") {
      stamp.id = value;
    }
    // Other keys are ignored so that a later ABI can add fields the host does not need.
  }
  if (!has_abi || stamp.api_hash.empty() || stamp.type.empty() || stamp.id.empty())
    throw std::invalid_argument("the ABI stamp lacks one of abi, hash, type or id");
  return stamp;
}

std::optional<std::string> abi_incompatibility(const PluginStamp& stamp) {
  const std::string host_side = "this host has ABI " + std::to_string(UKUBE_PLUGIN_ABI_VERSION) +
                                " with header hash " + UKUBE_PLUGIN_API_HASH;
  const std::string plugin_side = "built against plugin-api ABI " + std::to_string(stamp.abi_version) +
                                  " with header hash " + stamp.api_hash;
  if (stamp.abi_version != UKUBE_PLUGIN_ABI_VERSION)
    return "ABI version mismatch: the library was " + plugin_side + ", but " + host_side +
           "; rebuild the plugin against this host's plugin-api headers";
  if (stamp.api_hash != UKUBE_PLUGIN_API_HASH)
    return "plugin-api header hash mismatch: the library was " + plugin_side + ", but " + host_side +
           "; rebuild the plugin against this host's plugin-api headers";
  return std::nullopt;
}

}  // namespace ukube::host
