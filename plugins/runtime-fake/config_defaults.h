#pragma once

#include "runtime-fake/config.pb.h"

// The one place FakeRuntimeConfig's documented defaults are applied.
namespace ukube::runtime::fake {

inline constexpr const char* kDefaultPodCidr = "10.42.0.0/16";  // DESIGN.md §6's pod CIDR

// `config` with every unset field given its default. ImageBehaviour's defaults are its
// fields' zero values, so only the pod CIDR needs filling in.
FakeRuntimeConfig with_defaults(FakeRuntimeConfig config);

}  // namespace ukube::runtime::fake
