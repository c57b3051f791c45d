#pragma once

#include <memory>
#include <stdexcept>

#include "kernel/host/config.h"
#include "ukube/plugin.h"

namespace ukube::host {

// A plugin's `config:` section does not fit its message; `line` points at the offending
// key when the config came from a file (0 otherwise).
class TypedConfigError : public std::runtime_error {
 public:
  TypedConfigError(int line, const std::string& message) : std::runtime_error(message), line(line) {}
  int line;
};

// Parses an entry's `config:` JSON into a fresh instance of the plugin's config message.
// Unknown fields are rejected: the message descriptor is walked first so the error names
// the full field path and the known fields, then Protobuf's JSON parser fills the message.
// A plugin without a config message gets google.protobuf.Empty and must have no config.
std::shared_ptr<const google::protobuf::Message> build_plugin_config(const PluginDescriptor& descriptor,
                                                                     const PluginConfig& entry);

}  // namespace ukube::host
