#pragma once

#include "framework/registry.h"

namespace ukube::scheduler {

FrameworkPluginFactory default_binder_factory();
FrameworkPluginFactory default_preemption_factory();

}  // namespace ukube::scheduler
