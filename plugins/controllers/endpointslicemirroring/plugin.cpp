// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/endpointslicemirroring/config.pb.h"
#include "mirroring_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "endpointslicemirroring",
                    ukube::controllers::mirroring::MirroringPlugin,
                    &ukube::controllers::mirroring::EndpointSliceMirroringConfig::default_instance(),
                    "ukube.types.v1")
