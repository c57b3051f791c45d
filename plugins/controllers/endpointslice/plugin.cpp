// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/endpointslice/config.pb.h"
#include "endpointslice_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "endpointslice",
                    ukube::controllers::endpointslice::EndpointSlicePlugin,
                    &ukube::controllers::endpointslice::EndpointSliceConfig::default_instance(),
                    "ukube.types.v1")
