// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/nodelifecycle/config.pb.h"
#include "nodelifecycle_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "nodelifecycle",
                    ukube::controllers::nodelifecycle::NodeLifecyclePlugin,
                    &ukube::controllers::nodelifecycle::NodeLifecycleConfig::default_instance(),
                    "ukube.types.v1")
