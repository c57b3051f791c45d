#include "anonymous.h"

namespace ukube::authn::anonymous {

AuthnResult AnonymousAuthenticator::authenticate(const Credentials& credentials) {
  AuthnResult r;
  if (!credentials.bearer_token.empty() || credentials.client_cert_subject_cn) return r;
  r.outcome = AuthnResult::Outcome::Authenticated;
  r.user.name = "system:anonymous";
  r.user.groups = {"system:unauthenticated"};
  return r;
}

void AnonymousPlugin::init(InitContext& ctx) {
  chains_ = &ctx.auth();
  name_ = ctx.uri();
  chains_->add_authenticator(name_, std::make_shared<AnonymousAuthenticator>());
}

void AnonymousPlugin::stop() {
  if (chains_) chains_->remove(name_);
  chains_ = nullptr;
}

}  // namespace ukube::authn::anonymous
