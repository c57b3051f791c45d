#include "jws.h"

#include <boost/json.hpp>

#include "ukube/base64.h"

namespace ukube::authn::sa {
namespace {

std::optional<boost::json::object> decode_object(std::string_view part) {
  auto bytes = base64_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

bool is_base64url(std::string_view s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return !s.empty();
}

}  // namespace

std::string sign_jws(const Es256Key& key, const boost::json::object& payload) {
  boost::json::object header{{"alg", "ES256"}, {"kid", key.key_id()}};
  std::string input = base64_encode(boost::json::serialize(header), Base64::Url) + "." +
                      base64_encode(boost::json::serialize(payload), Base64::Url);
  std::string signature = key.sign(input);
  return input + "." + base64_encode(signature, Base64::Url);
}

std::optional<Jws> parse_jws(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  std::string_view h = token.substr(0, first), p = token.substr(first + 1, second - first - 1),
                   s = token.substr(second + 1);
  // Only the URL alphabet: a standard-alphabet or padded part is not a JWS we made.
  if (!is_base64url(h) || !is_base64url(p) || !is_base64url(s)) return std::nullopt;
  auto header = decode_object(h);
  auto payload = header ? decode_object(p) : std::nullopt;
  auto signature = payload ? base64_decode(s) : std::nullopt;
  if (!signature) return std::nullopt;
  return Jws{std::move(*header), std::move(*payload), std::string(token.substr(0, second)),
             std::move(*signature)};
}

bool verify_jws(const Es256Key& key, const Jws& jws) {
  const auto* alg = jws.header.if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "ES256") return false;
  // A kid naming another key cannot have been signed by ours; no kid: try ours anyway.
  if (const auto* kid = jws.header.if_contains("kid");
      kid && (!kid->is_string() || kid->get_string() != key.key_id()))
    return false;
  return key.verify(jws.signing_input, jws.signature);
}

}  // namespace ukube::authn::sa
