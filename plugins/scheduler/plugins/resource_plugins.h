#pragma once

#include "framework/registry.h"

namespace ukube::scheduler {

FrameworkPluginFactory node_resources_fit_factory();
FrameworkPluginFactory balanced_allocation_factory();

}  // namespace ukube::scheduler
