// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/root-ca-cert-publisher/config.pb.h"
#include "root_ca_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "root-ca-cert-publisher", ukube::controllers::rootca::RootCAPlugin,
                    &ukube::controllers::rootca::RootCAPublisherConfig::default_instance(), "ukube.types.v1")
