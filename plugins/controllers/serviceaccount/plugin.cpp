// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/serviceaccount/config.pb.h"
#include "serviceaccount_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "serviceaccount",
                    ukube::controllers::serviceaccount::ServiceAccountPlugin,
                    &ukube::controllers::serviceaccount::ServiceAccountConfig::default_instance(),
                    "ukube.types.v1")
