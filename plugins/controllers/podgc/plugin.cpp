// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/podgc/config.pb.h"
#include "podgc_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "podgc", ukube::controllers::podgc::PodGCPlugin,
                    &ukube::controllers::podgc::PodGCConfig::default_instance(), "ukube.types.v1")
