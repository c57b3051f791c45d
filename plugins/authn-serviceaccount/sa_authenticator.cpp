#include "sa_authenticator.h"

#include <algorithm>
#include <chrono>

#include "jws.h"

namespace ukube::authn::sa {
namespace {

// Upstream's allowance for clock skew, both for the token's times and for objects whose
// deletion has only just begun.
constexpr int64_t kLeewaySeconds = 60;
// Verified tokens remembered; past this the cache starts over.
constexpr size_t kMaxVerified = 4096;

AuthnResult rejected(std::string reason) {
  AuthnResult r;
  r.outcome = AuthnResult::Outcome::Rejected;
  r.reason = std::move(reason);
  return r;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? " \"" : "\"") + items[i] + "\"";
  return out + "]";
}

// Whether the payload names our issuer, read before anything is verified: only then is
// the token ours to judge.
bool names_issuer(const Jws& jws, const std::string& issuer) {
  const auto* iss = jws.payload.if_contains("iss");
  return iss && iss->is_string() && iss->get_string() == issuer;
}

}  // namespace

int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ServiceAccountAuthenticator::ServiceAccountAuthenticator(std::shared_ptr<const Es256Key> key,
                                                         TokenSettings settings,
                                                         std::shared_ptr<ObjectLookup> lookup, Now now)
    : key_(std::move(key)),
      settings_(std::move(settings)),
      lookup_(std::move(lookup)),
      now_(std::move(now)) {}

std::optional<TokenClaims> ServiceAccountAuthenticator::verified_claims(const std::string& token,
                                                                        AuthnResult& result) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = verified_.find(token); it != verified_.end()) return it->second;
  }
  auto jws = parse_jws(token);
  if (!jws || !names_issuer(*jws, settings_.issuer)) return std::nullopt;  // not ours: no opinion
  if (!verify_jws(*key_, *jws)) {
    result = rejected("invalid signature: the token was not signed with this cluster's ServiceAccount key");
    return std::nullopt;
  }
  auto claims = claims_from_json(jws->payload);
  if (!claims) {
    result = rejected("Token could not be validated.");
    return std::nullopt;
  }
  std::unique_lock lock(mutex_);
  if (verified_.size() >= kMaxVerified) verified_.clear();
  verified_.emplace(token, *claims);
  return claims;
}

std::string ServiceAccountAuthenticator::check_lifetime(const TokenClaims& c, int64_t now) const {
  if (now - kLeewaySeconds > c.expiry) return "Token has expired.";
  if (now + kLeewaySeconds < c.not_before || now + kLeewaySeconds < c.issued_at)
    return "Token could not be validated.";
  return {};
}

std::string ServiceAccountAuthenticator::check_audience(const TokenClaims& c) const {
  // A token without audiences is a legacy one, meant for this API server.
  if (c.audiences.empty() || settings_.api_audiences.empty()) return {};
  for (const auto& a : c.audiences)
    if (std::find(settings_.api_audiences.begin(), settings_.api_audiences.end(), a) !=
        settings_.api_audiences.end())
      return {};
  return "token audiences " + quoted_list(c.audiences) + " is invalid for the target audiences " +
         quoted_list(settings_.api_audiences);
}

std::string ServiceAccountAuthenticator::check_objects(const TokenClaims& c, int64_t now) const {
  const int64_t deleted_before = now - kLeewaySeconds;
  auto gone = [&](const std::optional<LiveObject>& o) {
    return o->deletion && *o->deletion < deleted_before;
  };
  const std::string& ns = c.namespace_;
  auto account = lookup_->find(ObjectKind::ServiceAccount, ns, c.service_account.name);
  if (!account) return "serviceaccounts \"" + c.service_account.name + "\" not found";
  if (gone(account)) return "ServiceAccount " + ns + "/" + c.service_account.name + " has been deleted";
  if (account->uid != c.service_account.uid)
    return "ServiceAccount UID (" + account->uid + ") does not match claim (" + c.service_account.uid + ")";
  if (c.secret) {
    auto secret = lookup_->find(ObjectKind::Secret, ns, c.secret->name);
    if (!secret || gone(secret)) return "Token has been invalidated";
    if (secret->uid != c.secret->uid)
      return "Secret UID (" + secret->uid + ") does not match claim (" + c.secret->uid + ")";
  }
  if (c.pod) {
    auto pod = lookup_->find(ObjectKind::Pod, ns, c.pod->name);
    if (!pod || gone(pod)) return "Token has been invalidated";
    if (pod->uid != c.pod->uid) return "Pod UID (" + pod->uid + ") does not match claim (" + c.pod->uid + ")";
  }
  // A token bound to a node lives as long as the node; a pod-bound token only names the
  // pod's node, which is checked through the pod.
  if (c.node && !c.pod) {
    auto node = lookup_->find(ObjectKind::Node, "", c.node->name);
    if (!node || gone(node)) return "Token has been invalidated";
    if (node->uid != c.node->uid)
      return "Node UID (" + node->uid + ") does not match claim (" + c.node->uid + ")";
  }
  return {};
}

AuthnResult ServiceAccountAuthenticator::authenticate(const Credentials& credentials) {
  AuthnResult result;
  if (credentials.bearer_token.empty()) return result;
  auto claims = verified_claims(credentials.bearer_token, result);
  if (!claims) return result;
  const int64_t now = now_();
  for (const std::string& why : {check_lifetime(*claims, now), check_audience(*claims)})
    if (!why.empty()) return rejected(why);
  if (std::string why = check_objects(*claims, now); !why.empty()) return rejected(why);

  const TokenClaims& c = *claims;
  result.outcome = AuthnResult::Outcome::Authenticated;
  result.user.name = service_account_user(c.namespace_, c.service_account.name);
  result.user.uid = c.service_account.uid;
  result.user.groups = {"system:serviceaccounts", "system:serviceaccounts:" + c.namespace_};
  auto& extra = result.user.extra;
  if (c.pod && !c.pod->name.empty() && !c.pod->uid.empty()) {
    extra["authentication.kubernetes.io/pod-name"] = {c.pod->name};
    extra["authentication.kubernetes.io/pod-uid"] = {c.pod->uid};
  }
  if (c.node && !c.node->name.empty()) {
    extra["authentication.kubernetes.io/node-name"] = {c.node->name};
    if (!c.node->uid.empty()) extra["authentication.kubernetes.io/node-uid"] = {c.node->uid};
  }
  if (!c.id.empty()) extra["authentication.kubernetes.io/credential-id"] = {"JTI=" + c.id};
  return result;
}

}  // namespace ukube::authn::sa
