// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "dns/config.pb.h"
#include "dns_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.dns.v1", "dns", ukube::dns::DnsPlugin, &ukube::dns::DnsConfig::default_instance(),
                    "ukube.types.v1")
