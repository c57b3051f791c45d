// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/replicaset/config.pb.h"
#include "replicaset_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "replicaset", ukube::controllers::replicaset::ReplicaSetPlugin,
                    &ukube::controllers::replicaset::ReplicaSetConfig::default_instance(), "ukube.types.v1")
