#include "x509_authenticator.h"

namespace ukube::authn {

AuthnResult X509Authenticator::authenticate(const Credentials& credentials) {
  AuthnResult r;
  if (!credentials.client_cert_subject_cn || credentials.client_cert_subject_cn->empty()) return r;
  r.outcome = AuthnResult::Outcome::Authenticated;
  r.user.name = *credentials.client_cert_subject_cn;
  r.user.groups = credentials.client_cert_organizations;
  return r;
}

void X509Plugin::init(InitContext& ctx) {
  chains_ = &ctx.auth();
  name_ = ctx.uri();
  chains_->add_authenticator(name_, std::make_shared<X509Authenticator>());
}

void X509Plugin::stop() {
  if (chains_) chains_->remove(name_);
  chains_ = nullptr;
}

}  // namespace ukube::authn
