// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/replicationcontroller/config.pb.h"
#include "replicationcontroller_plugin.h"

UKUBE_DEFINE_PLUGIN(
    "ukube.controller.v1", "replicationcontroller",
    ukube::controllers::replicationcontroller::ReplicationControllerPlugin,
    &ukube::controllers::replicationcontroller::ReplicationControllerConfig::default_instance(),
    "ukube.types.v1")
