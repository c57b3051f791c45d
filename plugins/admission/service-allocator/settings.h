#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "node_ports.h"
#include "ukube/machinery/ip.h"

namespace ukube::admission::service_allocator {

class ServiceAllocatorConfig;

// The config with every default applied (config.proto documents them), so the rest of
// the plugin never looks at the Protobuf message.
struct Settings {
  std::vector<machinery::IPPrefix> service_cidrs;  // primary first; one per family
  PortRange node_ports;
  std::optional<machinery::IPAddress> advertise_address;  // unset: from the API front end
  std::chrono::seconds ip_grace{60};
  std::chrono::seconds repair_interval{180};
  std::chrono::seconds kubernetes_service_interval{10};
};

// The one place defaults live. Throws std::invalid_argument naming the field and saying
// what it takes when a value is unusable.
Settings defaults(const ServiceAllocatorConfig& config);

}  // namespace ukube::admission::service_allocator
