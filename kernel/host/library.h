#pragma once

#include <filesystem>

#include "kernel/host/stamp.h"
#include "ukube/plugin.h"

namespace ukube::host {

// Opens a plugin library (once per process; later calls reuse the mapping), calls its
// registrar and checks that the descriptor agrees with the stamp the catalog read.
// Throws std::runtime_error with the reason: the file is missing, dlopen failed, the
// registrar is absent or returns null, or type/id/ABI/hash disagree with the stamp.
const PluginDescriptor& open_plugin_library(const std::filesystem::path& library, const PluginStamp& stamp);

}  // namespace ukube::host
