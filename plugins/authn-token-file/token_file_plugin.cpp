#include "token_file_plugin.h"

#include <spdlog/logger.h>

#include <stdexcept>

#include "authn-token-file/config.pb.h"
#include "token_file.h"
#include "ukube/auth.h"

namespace ukube::authn::tokenfile {

void TokenFilePlugin::init(InitContext& ctx) {
  const auto& config = ctx.config_as<TokenFileConfig>();
  if (config.path().empty())
    throw std::runtime_error("`path` is required: the CSV file of token,user,uid[,\"groups\"] records");
  std::filesystem::path file = config.path();
  TokenTable table = read_token_file(file);
  auto log = ctx.logger();
  if (log) {
    for (const auto& w : table.warnings) log->warn("{}", w);
    log->info("{} static token user(s) from {}", table.users.size(), file.string());
  }
  chains_ = &ctx.auth();
  name_ = ctx.uri();
  chains_->add_authenticator(name_, std::make_shared<TokenFileAuthenticator>(std::move(table)));
}

void TokenFilePlugin::stop() {
  if (chains_) chains_->remove(name_);
  chains_ = nullptr;
}

}  // namespace ukube::authn::tokenfile
