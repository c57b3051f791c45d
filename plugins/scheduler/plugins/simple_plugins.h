#pragma once

#include "framework/registry.h"

// The in-tree plugins whose every decision depends on one node alone.
namespace ukube::scheduler {

FrameworkPluginFactory priority_sort_factory();
FrameworkPluginFactory node_unschedulable_factory();
FrameworkPluginFactory node_name_factory();
FrameworkPluginFactory taint_toleration_factory();
FrameworkPluginFactory node_affinity_factory();
FrameworkPluginFactory node_ports_factory();
FrameworkPluginFactory image_locality_factory();

}  // namespace ukube::scheduler
