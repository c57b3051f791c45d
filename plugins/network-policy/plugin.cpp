// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "network-policy/config.pb.h"
#include "network_policy_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.networkpolicy.v1", "nftables", ukube::network_policy::NetworkPolicyPlugin,
                    &ukube::network_policy::NetworkPolicyConfig::default_instance(), "ukube.types.v1")
