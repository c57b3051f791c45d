// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/namespace/config.pb.h"
#include "namespace_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "namespace", ukube::controllers::namespace_::NamespacePlugin,
                    &ukube::controllers::namespace_::NamespaceConfig::default_instance(), "ukube.types.v1")
