// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "cni-bridge/config.pb.h"
#include "cni_bridge_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.network.v1", "cni-bridge", ukube::network::cni::CniBridgePlugin,
                    &ukube::cni_bridge::CniBridgeConfig::default_instance())
