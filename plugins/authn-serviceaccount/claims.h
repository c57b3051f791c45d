#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

// The claims of a ServiceAccount token, as upstream's issuer writes them: the registered
// JWT claims plus a private `kubernetes.io` claim naming the account and the object the
// token is bound to (a pod, a secret or a node), each with the uid it had at issue time.
namespace ukube::authn::sa {

struct ObjectClaim {
  std::string name;
  std::string uid;
  bool operator==(const ObjectClaim&) const = default;
};

struct TokenClaims {
  std::string issuer;
  std::string subject;  // system:serviceaccount:NS:NAME
  std::vector<std::string> audiences;
  int64_t issued_at = 0;  // seconds since the epoch
  int64_t not_before = 0;
  int64_t expiry = 0;
  std::string id;  // jti
  std::string namespace_;
  ObjectClaim service_account;
  std::optional<ObjectClaim> pod;
  std::optional<ObjectClaim> secret;
  std::optional<ObjectClaim> node;
};

std::string service_account_user(const std::string& ns, const std::string& name);

boost::json::object to_json(const TokenClaims& claims);
// nullopt when a claim the authenticator relies on is missing or of the wrong type.
std::optional<TokenClaims> claims_from_json(const boost::json::object& payload);

}  // namespace ukube::authn::sa
