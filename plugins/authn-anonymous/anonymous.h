#pragma once

#include <string>

#include "ukube/auth.h"
#include "ukube/plugin.h"

// ukube.authenticator.v1.anonymous: upstream's --anonymous-auth, opt-in here (enabled by
// listing the plugin). A request that brings no credential at all — no bearer token, no
// verified client certificate — is system:anonymous in system:unauthenticated; anything
// else is left to the other authenticators, so a wrong credential still gets 401.
// RBAC then grants it only what bindings give those names (by default /version, /healthz,
// /livez and /readyz).
namespace ukube::authn::anonymous {

class AnonymousAuthenticator final : public Authenticator {
 public:
  AuthnResult authenticate(const Credentials& credentials) override;
};

class AnonymousPlugin final : public Plugin {
 public:
  void init(InitContext& ctx) override;
  void stop() override;

 private:
  AuthChains* chains_ = nullptr;
  std::string name_;
};

}  // namespace ukube::authn::anonymous
