#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "es256.h"

// JWS compact serialization (RFC 7515) of a JSON payload: header.payload.signature, each
// base64url without padding. Parsing does not verify: callers check `alg`, `kid` and the
// signature over `signing_input` themselves, after deciding whether the token is theirs.
namespace ukube::authn::sa {

std::string sign_jws(const Es256Key& key, const boost::json::object& payload);

struct Jws {
  boost::json::object header;
  boost::json::object payload;
  std::string signing_input;  // "header.payload", as signed
  std::string signature;      // decoded bytes
};

// nullopt when `token` is not three base64url parts whose first two are JSON objects.
std::optional<Jws> parse_jws(std::string_view token);

// Whether `jws` carries an ES256 signature that `key` made.
bool verify_jws(const Es256Key& key, const Jws& jws);

}  // namespace ukube::authn::sa
