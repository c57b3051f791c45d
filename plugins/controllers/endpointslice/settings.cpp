#include "settings.h"

#include <stdexcept>
#include <string>

#include "controllers/endpointslice/config.pb.h"

namespace ukube::controllers::endpointslice {

Settings defaults(const EndpointSliceConfig& config) {
  Settings s;
  s.controller = controller::controller_settings(config, kDefaultWorkers);
  if (config.max_endpoints_per_slice() > kMostEndpointsPerSlice)
    throw std::invalid_argument(
        "max_endpoints_per_slice: " + std::to_string(config.max_endpoints_per_slice()) + " is above " +
        std::to_string(kMostEndpointsPerSlice) + ", the most an EndpointSlice may hold; use 1 to " +
        std::to_string(kMostEndpointsPerSlice));
  if (config.max_endpoints_per_slice() > 0) s.max_endpoints_per_slice = config.max_endpoints_per_slice();
  return s;
}

}  // namespace ukube::controllers::endpointslice
