#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "claims.h"
#include "es256.h"
#include "object_lookup.h"
#include "settings.h"
#include "ukube/auth.h"

// Upstream's ServiceAccount token authenticator. A token that is not a JWT of our issuer
// gets no opinion (another authenticator may know it); one of ours is rejected when its
// signature, lifetime or audience is wrong, or when the account or the object it is bound
// to is gone, being deleted, or was re-created with another uid.
namespace ukube::authn::sa {

class ServiceAccountAuthenticator final : public Authenticator {
 public:
  ServiceAccountAuthenticator(std::shared_ptr<const Es256Key> key, TokenSettings settings,
                              std::shared_ptr<ObjectLookup> lookup, Now now = system_now);
  AuthnResult authenticate(const Credentials& credentials) override;

 private:
  // The token's claims once its signature checked out; cached, as verifying costs far
  // more than the rest of a request's authentication.
  std::optional<TokenClaims> verified_claims(const std::string& token, AuthnResult& result);
  // Why the token is no longer good, or "" when it is.
  std::string check_lifetime(const TokenClaims& claims, int64_t now) const;
  std::string check_audience(const TokenClaims& claims) const;
  std::string check_objects(const TokenClaims& claims, int64_t now) const;

  std::shared_ptr<const Es256Key> key_;
  TokenSettings settings_;
  std::shared_ptr<ObjectLookup> lookup_;
  Now now_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, TokenClaims> verified_;
};

}  // namespace ukube::authn::sa
