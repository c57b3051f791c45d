// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/nodeipam/config.pb.h"
#include "nodeipam_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "nodeipam", ukube::controllers::nodeipam::NodeIpamPlugin,
                    &ukube::controllers::nodeipam::NodeIpamConfig::default_instance(), "ukube.types.v1")
