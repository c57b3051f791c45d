#pragma once

#include <string>

#include "ukube/plugin.h"

namespace ukube {
class AuthChains;
}

// ukube.authenticator.v1.token-file: the users of a static token file (config `path`).
namespace ukube::authn::tokenfile {

class TokenFilePlugin final : public Plugin {
 public:
  void init(InitContext& ctx) override;
  void stop() override;

 private:
  AuthChains* chains_ = nullptr;
  std::string name_;
};

}  // namespace ukube::authn::tokenfile
