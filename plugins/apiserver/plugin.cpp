#include "ukube/plugin.h"
#include "apiserver/config.pb.h"
#include "apiserver_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.apiserver.v1", "apiserver", ukube::apiserver::ApiServerPlugin,
                    &ukube::apiserver::ApiServerConfig::default_instance())
