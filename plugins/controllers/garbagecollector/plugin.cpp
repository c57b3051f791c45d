// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/garbagecollector/config.pb.h"
#include "gc_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "garbagecollector", ukube::controllers::gc::GarbageCollectorPlugin,
                    &ukube::controllers::gc::GarbageCollectorConfig::default_instance(), "ukube.types.v1")
