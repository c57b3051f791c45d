#pragma once

#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "claims.h"
#include "es256.h"
#include "object_lookup.h"
#include "settings.h"
#include "ukube/types.h"

// The serviceaccounts/token subresource: turns an authentication.k8s.io/v1 TokenRequest
// into a signed token for the ServiceAccount, optionally bound to a pod, secret or node
// of its namespace, with upstream's defaults, validation and error wording.
namespace ukube::authn::sa {

class TokenIssuer {
 public:
  TokenIssuer(std::shared_ptr<const Es256Key> key, TokenSettings settings,
              std::shared_ptr<ObjectLookup> lookup, Now now = system_now);

  // The TokenRequest response for `call.parent` (the stored ServiceAccount). Throws
  // ApiError: 422 for a bad expiration, 404 for a missing bound object, 400 for one of
  // another kind or running as another account, 409 when its uid differs.
  boost::json::object answer(EphemeralCall& call) const;

  // Signs `claims` as they are (issuer included), for the answer and for tests.
  std::string sign(const TokenClaims& claims) const;
  const TokenSettings& settings() const { return settings_; }

 private:
  std::shared_ptr<const Es256Key> key_;
  TokenSettings settings_;
  std::shared_ptr<ObjectLookup> lookup_;
  Now now_;
};

}  // namespace ukube::authn::sa
