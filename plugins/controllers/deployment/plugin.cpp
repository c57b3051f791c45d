// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/deployment/config.pb.h"
#include "deployment_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "deployment", ukube::controllers::deployment::DeploymentPlugin,
                    &ukube::controllers::deployment::DeploymentConfig::default_instance(), "ukube.types.v1")
