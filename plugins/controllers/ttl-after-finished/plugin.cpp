// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/ttl-after-finished/config.pb.h"
#include "ttl_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "ttl-after-finished",
                    ukube::controllers::ttl::TtlAfterFinishedPlugin,
                    &ukube::controllers::ttl::TtlAfterFinishedConfig::default_instance(), "ukube.types.v1")
