#include "config_defaults.h"

namespace ukube::runtime::fake {

FakeRuntimeConfig with_defaults(FakeRuntimeConfig config) {
  if (config.pod_cidr().empty()) config.set_pod_cidr(kDefaultPodCidr);
  return config;
}

}  // namespace ukube::runtime::fake
