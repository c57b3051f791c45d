#include "sa_plugin.h"

#include <fmt/ranges.h>
#include <spdlog/logger.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "authn-serviceaccount/config.pb.h"
#include "sa_authenticator.h"
#include "ukube/auth.h"
#include "ukube/pki.h"

namespace ukube::authn::sa {
namespace {

const GroupVersionResource kServiceAccounts{"", "v1", "serviceaccounts"};
const GroupVersionKind kTokenRequest{"authentication.k8s.io", "v1", "TokenRequest"};

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string() + ": it is missing or unreadable");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TokenSettings settings_from(const google::protobuf::Message& message) {
  TokenSettings s;
  const auto* config = dynamic_cast<const serviceaccount::ServiceAccountConfig*>(&message);
  if (!config) return s;
  if (!config->issuer().empty()) s.issuer = config->issuer();
  s.api_audiences.assign(config->api_audiences().begin(), config->api_audiences().end());
  if (s.api_audiences.empty()) s.api_audiences = {s.issuer};
  if (config->max_expiration_seconds() < 0)
    throw std::runtime_error("max_expiration_seconds must not be negative (0 means no limit)");
  s.max_expiration_seconds = config->max_expiration_seconds();
  return s;
}

void ServiceAccountPlugin::init(InitContext& ctx) {
  TokenSettings settings = settings_from(ctx.config());
  // The API server creates the cluster PKI too; whichever plugin starts first makes it.
  const auto pki_dir = ctx.data_dir() / "pki";
  if (!std::filesystem::exists(pki_dir / "sa.key") || !std::filesystem::exists(pki_dir / "sa.pub"))
    pki::ensure_cluster_pki(pki_dir);
  auto key = std::make_shared<const Es256Key>(
      Es256Key::from_private_pem(read_file(pki_dir / "sa.key"), (pki_dir / "sa.key").string()));
  auto public_key = Es256Key::from_public_pem(read_file(pki_dir / "sa.pub"), (pki_dir / "sa.pub").string());
  if (public_key.key_id() != key->key_id())
    throw std::runtime_error((pki_dir / "sa.pub").string() + " is not the public half of " +
                             (pki_dir / "sa.key").string() +
                             ": delete sa.pub and restart, and it is derived from sa.key again");

  auto lookup = std::make_shared<StoreLookup>(ctx.store(), ctx.types());
  issuer_ = std::make_shared<TokenIssuer>(key, settings, lookup);
  types_ = &ctx.types();
  std::shared_ptr<const TokenIssuer> issuer = issuer_;
  auto extended = types_->extend(kServiceAccounts, [&](TypeInfo& t) {
    auto& answer = t.subresource_answers["token"];
    previous_answer_ = answer.answer;
    if (answer.body_kind.kind.empty()) answer.body_kind = kTokenRequest;
    answer.answer = [issuer](EphemeralCall& call) { return issuer->answer(call); };
  });
  if (!extended)
    throw std::runtime_error(
        "ServiceAccounts are not registered, so there is nothing to issue tokens for: enable "
        "ukube.types.v1.builtin");
  extended_ = true;

  chains_ = &ctx.auth();
  name_ = ctx.uri();
  chains_->add_authenticator(name_, std::make_shared<ServiceAccountAuthenticator>(key, settings, lookup));
  if (auto log = ctx.logger())
    log->info("issuing and accepting ServiceAccount tokens as {} (key id {}, audiences {})", settings.issuer,
              key->key_id(), fmt::join(settings.api_audiences, ","));
}

void ServiceAccountPlugin::stop() {
  if (chains_) chains_->remove(name_);
  chains_ = nullptr;
  if (extended_ && types_) {
    types_->extend(kServiceAccounts, [&](TypeInfo& t) {
      if (previous_answer_)
        t.subresource_answers["token"].answer = previous_answer_;
      else
        t.subresource_answers.erase("token");
    });
  }
  extended_ = false;
}

}  // namespace ukube::authn::sa
