#pragma once

#include "ukube/scheduler/object_lister.h"
#include "ukube/scheduler/pod_info.h"

namespace ukube::scheduler {

// The selector default spreading counts a pod's peers with, derived the way upstream's
// scheduler derives it: the selectors of the Services in the pod's namespace that select
// the pod, together with the selector of the ReplicationController, ReplicaSet or
// StatefulSet that controls it (found by its controller owner reference). Empty (no
// requirements) when nothing selects the pod or `listers` is null: then no default
// constraint applies.
LabelSelector default_selector(const PodInfo& pod, const ObjectLister* listers);

}  // namespace ukube::scheduler
