// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "x509_authenticator.h"

namespace {

const ukube::PluginDescriptor& descriptor() {
  static const ukube::PluginDescriptor d = [] {
    ukube::PluginDescriptor d;
    d.abi_version = UKUBE_PLUGIN_ABI_VERSION;
    d.api_hash = UKUBE_PLUGIN_API_HASH;
    d.type = "ukube.authenticator.v1";
    d.id = "x509";
    d.create = [] { return std::unique_ptr<ukube::Plugin>(new ukube::authn::X509Plugin); };
    return d;
  }();
  return d;
}

}  // namespace

UKUBE_PLUGIN("ukube.authenticator.v1", "x509", descriptor)
