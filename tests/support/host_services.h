#pragma once

#include "kernel/host/services.h"
#include "tests/support/test_kernel.h"

// The services the host hands plugins, taken from a test kernel, so a test can load the
// real plugin libraries from a config as the daemon does.
namespace ukube::testing {

inline host::KernelServices kernel_services(TestKernel& kernel) {
  host::KernelServices services;
  services.store = &kernel.store();
  services.watch_bus = &kernel.bus();
  services.types = &kernel.types();
  services.auth = &kernel.auth();
  services.pipeline = &kernel.pipeline();
  services.client_factory = [&kernel](const UserInfo& user) { return kernel.client(user); };
  return services;
}

}  // namespace ukube::testing
