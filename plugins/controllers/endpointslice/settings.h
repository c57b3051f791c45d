#pragma once

#include <cstddef>

#include "ukube/controller/controller_plugin.h"

namespace ukube::controllers::endpointslice {

class EndpointSliceConfig;

// Services synced at once unless the config says (upstream's
// --concurrent-service-endpoint-syncs), and endpoints per slice (--max-endpoints-per-slice).
inline constexpr unsigned kDefaultWorkers = 5;
inline constexpr size_t kDefaultMaxEndpointsPerSlice = 100;
inline constexpr size_t kMostEndpointsPerSlice = 1000;

// The config with every default applied, so the rest of the plugin never looks at the
// Protobuf message.
struct Settings {
  controller::ControllerSettings controller{kDefaultWorkers, false};
  size_t max_endpoints_per_slice = kDefaultMaxEndpointsPerSlice;
};

// The one place defaults live. Throws std::invalid_argument for a
// max_endpoints_per_slice above 1000, as upstream refuses it.
Settings defaults(const EndpointSliceConfig& config);

}  // namespace ukube::controllers::endpointslice
