#pragma once

#include <string>

#include "ukube/plugin.h"

namespace ukube {
class AuthChains;
}

// ukube.authenticator.v1.bootstrap-token: bootstrap tokens (see bootstrap_token.h), as
// `ukube token create` makes them, for joining nodes.
namespace ukube::authn::bootstrap {

class BootstrapTokenPlugin final : public Plugin {
 public:
  void init(InitContext& ctx) override;
  void stop() override;

 private:
  AuthChains* chains_ = nullptr;
  std::string name_;
};

}  // namespace ukube::authn::bootstrap
