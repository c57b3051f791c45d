// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "admission/service-allocator/config.pb.h"
#include "service_allocator_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.admission.v1", "service-allocator",
                    ukube::admission::service_allocator::ServiceAllocatorPlugin,
                    &ukube::admission::service_allocator::ServiceAllocatorConfig::default_instance(),
                    "ukube.types.v1")
