#pragma once

#include <memory>
#include <string>

#include "settings.h"
#include "token_request.h"
#include "ukube/plugin.h"

namespace ukube {
class AuthChains;
class TypeRegistry;
}  // namespace ukube

// ukube.authenticator.v1.serviceaccount: authenticates ServiceAccount JWTs and answers
// POST serviceaccounts/NAME/token. The token subresource is declared by the built-in
// types plugin with an answer that says no issuer is enabled; init swaps in ours and stop
// puts back what was there.
namespace ukube::authn::sa {

class ServiceAccountPlugin final : public Plugin {
 public:
  void init(InitContext& ctx) override;
  void stop() override;

  const TokenIssuer& issuer() const { return *issuer_; }

 private:
  AuthChains* chains_ = nullptr;
  TypeRegistry* types_ = nullptr;
  std::string name_;
  std::shared_ptr<TokenIssuer> issuer_;
  EphemeralHandler previous_answer_;
  bool extended_ = false;
};

// The settings a config asks for, with the defaults filled in.
TokenSettings settings_from(const google::protobuf::Message& config);

}  // namespace ukube::authn::sa
