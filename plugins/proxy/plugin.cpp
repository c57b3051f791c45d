// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "proxy/config.pb.h"
#include "proxy_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.proxy.v1", "proxy", ukube::proxy::ProxyPlugin,
                    &ukube::proxy::ProxyConfig::default_instance(), "ukube.types.v1")
