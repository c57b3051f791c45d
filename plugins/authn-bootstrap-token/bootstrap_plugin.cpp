#include "bootstrap_plugin.h"

#include "bootstrap_token.h"
#include "ukube/auth.h"

namespace ukube::authn::bootstrap {

void BootstrapTokenPlugin::init(InitContext& ctx) {
  auto authenticator = std::make_shared<BootstrapTokenAuthenticator>(ctx.store(), ctx.types());
  chains_ = &ctx.auth();
  name_ = ctx.uri();
  chains_->add_authenticator(name_, std::move(authenticator));
}

void BootstrapTokenPlugin::stop() {
  if (chains_) chains_->remove(name_);
  chains_ = nullptr;
}

}  // namespace ukube::authn::bootstrap
