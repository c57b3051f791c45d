// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/daemonset/config.pb.h"
#include "daemonset_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "daemonset", ukube::controllers::daemonset::DaemonSetPlugin,
                    &ukube::controllers::daemonset::DaemonSetConfig::default_instance(), "ukube.types.v1")
