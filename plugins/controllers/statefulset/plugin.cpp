// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/statefulset/config.pb.h"
#include "statefulset_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "statefulset", ukube::controllers::statefulset::StatefulSetPlugin,
                    &ukube::controllers::statefulset::StatefulSetConfig::default_instance(), "ukube.types.v1")
