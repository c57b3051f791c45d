#include "bootstrap_token.h"

#include <openssl/crypto.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <set>
#include <stdexcept>

#include "ukube/base64.h"

namespace ukube::authn::bootstrap {
namespace json = boost::json;
namespace {

bool lower_alnum(std::string_view s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

AuthnResult rejected(const BootstrapToken& token, const std::string& why) {
  AuthnResult r;
  r.outcome = AuthnResult::Outcome::Rejected;
  r.reason = "bootstrap token " + token.id + ".<redacted>: the Secret " + std::string(kSecretNamespace) +
             "/" + kSecretPrefix + token.id + " " + why;
  return r;
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A key of the Secret's data, decoded; "" when absent or not base64.
std::string data_of(const json::object& secret, std::string_view key) {
  const auto* data = secret.if_contains("data");
  if (!data || !data->is_object()) return {};
  const auto* v = data->get_object().if_contains(key);
  if (!v || !v->is_string()) return {};
  return base64_decode(std::string_view(v->get_string())).value_or("");
}

bool same_secret(const std::string& stored, const std::string& presented) {
  // Lengths are fixed by the token format, so only contents could leak through timing.
  return stored.size() == presented.size() &&
         CRYPTO_memcmp(stored.data(), presented.data(), stored.size()) == 0;
}

}  // namespace

std::optional<BootstrapToken> parse_bootstrap_token(std::string_view text) {
  if (text.size() != 23 || text[6] != '.') return std::nullopt;
  std::string_view id = text.substr(0, 6), secret = text.substr(7);
  if (!lower_alnum(id) || !lower_alnum(secret)) return std::nullopt;
  return BootstrapToken{std::string(id), std::string(secret)};
}

std::optional<int64_t> parse_rfc3339(std::string_view t) {
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
      t[16] != ':')
    return std::nullopt;
  for (size_t at : {0, 5, 8, 11, 14, 17})
    if (!digits(t.substr(at, at == 0 ? 4 : 2))) return std::nullopt;
  auto num = [&](size_t at, size_t len) { return std::stoi(std::string(t.substr(at, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 1) return std::nullopt;
    rest.remove_prefix(n);
  }
  int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             digits(rest.substr(1, 2)) && digits(rest.substr(4, 2))) {
    offset =
        (std::stoi(std::string(rest.substr(1, 2))) * 60 + std::stoi(std::string(rest.substr(4, 2)))) * 60;
    if (rest[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

bool valid_extra_group(std::string_view g) {
  constexpr std::string_view kPrefix = "system:bootstrappers:";
  if (!g.starts_with(kPrefix)) return false;
  std::string_view rest = g.substr(kPrefix.size());
  if (rest.empty() || rest.size() > 256) return false;
  for (char c : rest)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '-')) return false;
  char last = rest.back();
  return (last >= 'a' && last <= 'z') || (last >= '0' && last <= '9');
}

AuthnResult judge_secret(const json::object& secret, const BootstrapToken& token, int64_t now) {
  const auto* meta = secret.if_contains("metadata");
  if (meta && meta->is_object() && meta->get_object().contains("deletionTimestamp"))
    return rejected(token, "is deleted and awaiting removal");
  if (text_of(secret, "type") != kSecretType)
    return rejected(token, "has the wrong type: it must be " + std::string(kSecretType));
  if (!same_secret(data_of(secret, "token-secret"), token.secret))
    return rejected(token, "holds another token-secret");
  if (data_of(secret, "token-id") != token.id) return rejected(token, "holds another token-id");
  if (std::string expiration = data_of(secret, "expiration"); !expiration.empty()) {
    auto when = parse_rfc3339(expiration);
    // As upstream: an unreadable expiration counts as expired.
    if (!when || *when <= now) return rejected(token, "has expired (expiration " + expiration + ")");
  }
  if (data_of(secret, "usage-bootstrap-authentication") != "true")
    return rejected(token, "does not allow authentication: usage-bootstrap-authentication is not \"true\"");
  std::set<std::string> groups{"system:bootstrappers"};
  if (std::string extra = data_of(secret, "auth-extra-groups"); !extra.empty()) {
    size_t start = 0;
    while (true) {
      size_t comma = extra.find(',', start);
      std::string group = extra.substr(start, comma - start);
      if (!valid_extra_group(group))
        return rejected(token, "has an invalid auth-extra-groups entry \"" + group +
                                   "\": groups must match system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]");
      groups.insert(group);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  AuthnResult r;
  r.outcome = AuthnResult::Outcome::Authenticated;
  r.user.name = "system:bootstrap:" + token.id;
  r.user.groups.assign(groups.begin(), groups.end());
  return r;
}

BootstrapTokenAuthenticator::BootstrapTokenAuthenticator(store::Store& store, const TypeRegistry& types,
                                                         Now now)
    : store_(store), now_(std::move(now)) {
  auto secrets = types.find({"", "v1", "secrets"});
  if (!secrets)
    throw std::runtime_error(
        "the type registry has no secrets.v1: enable ukube.types.v1.builtin before this plugin");
  secrets_prefix_ = secrets->key_prefix() + kSecretNamespace + "/" + kSecretPrefix;
  if (!now_)
    now_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
}

AuthnResult BootstrapTokenAuthenticator::authenticate(const Credentials& credentials) {
  auto token = parse_bootstrap_token(credentials.bearer_token);
  if (!token) return {};
  auto kv = store_.get(secrets_prefix_ + token->id);
  if (!kv) return {};
  boost::system::error_code ec;
  json::value secret = json::parse(*kv->value, ec);
  if (ec || !secret.is_object()) return rejected(*token, "cannot be read");
  return judge_secret(secret.get_object(), *token, now_());
}

}  // namespace ukube::authn::bootstrap
