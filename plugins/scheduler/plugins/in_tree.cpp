// Every in-tree plugin, registered by name exactly as a third-party one is.
#include "framework/registry.h"
#include "plugins/affinity_plugins.h"
#include "plugins/binder_plugins.h"
#include "plugins/resource_plugins.h"
#include "plugins/simple_plugins.h"

namespace ukube::scheduler {

void register_in_tree(Registry& registry) {
  for (auto make :
       {priority_sort_factory, node_unschedulable_factory, node_name_factory, taint_toleration_factory,
        node_affinity_factory, node_ports_factory, node_resources_fit_factory, balanced_allocation_factory,
        pod_topology_spread_factory, inter_pod_affinity_factory, image_locality_factory,
        default_preemption_factory, default_binder_factory})
    registry.add(make());
}

}  // namespace ukube::scheduler
