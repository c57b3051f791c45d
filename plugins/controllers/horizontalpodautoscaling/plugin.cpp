// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/horizontalpodautoscaling/config.pb.h"
#include "hpa_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "horizontalpodautoscaling",
                    ukube::controllers::hpa::HorizontalPodAutoscalingPlugin,
                    &ukube::controllers::hpa::HorizontalPodAutoscalingConfig::default_instance(),
                    "ukube.types.v1")
