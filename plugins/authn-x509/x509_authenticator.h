#pragma once

#include "ukube/auth.h"
#include "ukube/plugin.h"

// Client certificates as identities, as upstream's x509 authenticator reads them: the
// subject's CN is the user name, each O a group. The TLS layer has already checked the
// chain against the cluster CA (and expiry); a request whose certificate did not verify
// arrives without a subject, so it is not vouched for here.
namespace ukube::authn {

class X509Authenticator final : public Authenticator {
 public:
  AuthnResult authenticate(const Credentials& credentials) override;
};

class X509Plugin final : public Plugin {
 public:
  void init(InitContext& ctx) override;
  void stop() override;

 private:
  AuthChains* chains_ = nullptr;
  std::string name_;
};

}  // namespace ukube::authn
