// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/endpoints/config.pb.h"
#include "endpoints_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "endpoints", ukube::controllers::endpoints::EndpointsPlugin,
                    &ukube::controllers::endpoints::EndpointsConfig::default_instance(), "ukube.types.v1")
