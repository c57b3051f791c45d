#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "ukube/auth.h"
#include "ukube/store.h"
#include "ukube/types.h"

// Upstream's bootstrap token authenticator: a bearer token `<id>.<secret>` ([a-z0-9]{6} and
// [a-z0-9]{16}) is the Secret kube-system/bootstrap-token-<id> of type
// bootstrap.kubernetes.io/token whose data says token-id, token-secret and
// usage-bootstrap-authentication "true", until its optional RFC 3339 `expiration`. The
// user is system:bootstrap:<id> in system:bootstrappers and the secret's auth-extra-groups.
namespace ukube::authn::bootstrap {

inline constexpr const char* kSecretType = "bootstrap.kubernetes.io/token";
inline constexpr const char* kSecretNamespace = "kube-system";
inline constexpr const char* kSecretPrefix = "bootstrap-token-";

struct BootstrapToken {
  std::string id;
  std::string secret;
};

// nullopt unless `text` has the bootstrap token shape.
std::optional<BootstrapToken> parse_bootstrap_token(std::string_view text);
// RFC 3339 ("2025-01-02T03:04:05Z", "...+02:00", fractions allowed) to seconds since the epoch.
std::optional<int64_t> parse_rfc3339(std::string_view text);
// Whether `group` may be an extra group: system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9].
bool valid_extra_group(std::string_view group);

// Judges the stored Secret (as JSON, data base64) for `token` at `now` (seconds since the
// epoch): Authenticated, or Rejected with the reason.
AuthnResult judge_secret(const boost::json::object& secret, const BootstrapToken& token, int64_t now);

class BootstrapTokenAuthenticator final : public Authenticator {
 public:
  using Now = std::function<int64_t()>;
  // Throws std::runtime_error when `types` has no Secrets.
  BootstrapTokenAuthenticator(store::Store& store, const TypeRegistry& types, Now now = {});
  // No opinion for other tokens and for ids without a Secret (the token may be someone
  // else's); Rejected when the Secret exists but does not vouch for the token.
  AuthnResult authenticate(const Credentials& credentials) override;

 private:
  store::Store& store_;
  std::string secrets_prefix_;
  Now now_;
};

}  // namespace ukube::authn::bootstrap
