// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/disruption/config.pb.h"
#include "disruption_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "disruption", ukube::controllers::disruption::DisruptionPlugin,
                    &ukube::controllers::disruption::DisruptionConfig::default_instance(), "ukube.types.v1")
