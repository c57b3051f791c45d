#include "token_request.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/time.h"
#include "ukube/machinery/uuid.h"

#include <openssl/rand.h>

#include <boost/json.hpp>
#include <cstdio>

#include "jws.h"
#include "ukube/errors.h"

namespace ukube::authn::sa {
namespace json = boost::json;
namespace {

const GroupVersionKind kTokenRequest{"authentication.k8s.io", "v1", "TokenRequest"};
constexpr int64_t kDefaultExpirationSeconds = 3600;
constexpr int64_t kMinExpirationSeconds = 600;
constexpr int64_t kMaxExpirationSeconds = int64_t{1} << 32;

using machinery::object_at;

std::vector<std::string> audiences_of(const json::object& spec) {
  std::vector<std::string> out;
  const auto* v = spec.if_contains("audiences");
  if (!v || v->is_null()) return out;
  if (!v->is_array()) throw ApiError::bad_request("spec.audiences must be a list of strings");
  for (const auto& a : v->get_array()) {
    if (!a.is_string()) throw ApiError::bad_request("spec.audiences must be a list of strings");
    out.emplace_back(a.get_string());
  }
  return out;
}

int64_t expiration_of(const json::object& spec) {
  const auto* v = spec.if_contains("expirationSeconds");
  if (!v || v->is_null()) return kDefaultExpirationSeconds;
  auto seconds = machinery::as_int(*v);
  if (!seconds) throw ApiError::bad_request("spec.expirationSeconds must be a whole number of seconds");
  std::vector<FieldError> errors;
  if (*seconds < kMinExpirationSeconds)
    errors.push_back(
        {"FieldValueInvalid", "spec.expirationSeconds",
         "Invalid value: " + std::to_string(*seconds) + ": may not specify a duration less than 10 minutes"});
  if (*seconds > kMaxExpirationSeconds)
    errors.push_back({"FieldValueInvalid", "spec.expirationSeconds",
                      "Invalid value: " + std::to_string(*seconds) +
                          ": may not specify a duration larger than 2^32 seconds"});
  if (!errors.empty()) throw ApiError::invalid(kTokenRequest, "", errors);
  return *seconds;
}

// Puts the object `ref` names into `claims`, as upstream checks it.
void bind(const json::object& ref, const std::string& account, std::string_view ns, ObjectLookup& lookup,
          TokenClaims& claims) {
  const std::string kind = machinery::string_at(ref, {"kind"}),
                    api_version = machinery::string_at(ref, {"apiVersion"}),
                    name = machinery::string_at(ref, {"name"}), uid = machinery::string_at(ref, {"uid"});
  const auto slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  std::optional<LiveObject> found;
  if (group.empty() && kind == "Pod") {
    found = lookup.find(ObjectKind::Pod, ns, name);
    if (!found) throw ApiError::not_found("pods", name);
    if (found->service_account != account)
      throw ApiError::bad_request("cannot bind token for serviceaccount \"" + account +
                                  "\" to pod running with different serviceaccount name.");
    claims.pod = ObjectClaim{name, found->uid};
    // As upstream, a pod-bound token also names the pod's node, when it has one.
    if (!found->node_name.empty())
      if (auto node = lookup.find(ObjectKind::Node, "", found->node_name))
        claims.node = ObjectClaim{found->node_name, node->uid};
  } else if (group.empty() && kind == "Secret") {
    found = lookup.find(ObjectKind::Secret, ns, name);
    if (!found) throw ApiError::not_found("secrets", name);
    claims.secret = ObjectClaim{name, found->uid};
  } else if (group.empty() && kind == "Node") {
    found = lookup.find(ObjectKind::Node, "", name);
    if (!found) throw ApiError::not_found("nodes", name);
    claims.node = ObjectClaim{name, found->uid};
  } else {
    throw ApiError::bad_request("cannot bind token to object of type " + group + "/" + version +
                                ", Kind=" + kind);
  }
  if (!uid.empty() && uid != found->uid)
    throw ApiError::conflict(kind, name,
                             "the UID in the bound object reference (" + uid +
                                 ") does not match the UID in record. The object might have been deleted and "
                                 "then recreated");
}

}  // namespace

TokenIssuer::TokenIssuer(std::shared_ptr<const Es256Key> key, TokenSettings settings,
                         std::shared_ptr<ObjectLookup> lookup, Now now)
    : key_(std::move(key)),
      settings_(std::move(settings)),
      lookup_(std::move(lookup)),
      now_(std::move(now)) {}

std::string TokenIssuer::sign(const TokenClaims& claims) const {
  return sign_jws(*key_, to_json(claims));
}

json::object TokenIssuer::answer(EphemeralCall& call) const {
  if (!call.parent) throw ApiError::internal("serviceaccounts/token was called without its ServiceAccount");
  const auto* meta = object_at(*call.parent, {"metadata"});
  const std::string account = meta ? machinery::string_at(*meta, {"name"}) : "";
  const std::string account_uid = meta ? machinery::string_at(*meta, {"uid"}) : "";
  static const json::object kEmpty;
  const json::object* spec_in = object_at(call.body, {"spec"});
  const json::object& spec = spec_in ? *spec_in : kEmpty;

  int64_t expiration = expiration_of(spec);
  TokenClaims claims;
  claims.issuer = settings_.issuer;
  claims.namespace_ = std::string(call.namespace_);
  claims.subject = service_account_user(claims.namespace_, account);
  claims.service_account = ObjectClaim{account, account_uid};
  if (const auto* ref = object_at(spec, {"boundObjectRef"}))
    bind(*ref, account, call.namespace_, *lookup_, claims);
  claims.audiences = audiences_of(spec);
  if (claims.audiences.empty()) claims.audiences = settings_.api_audiences;
  if (settings_.max_expiration_seconds > 0 && expiration > settings_.max_expiration_seconds)
    expiration = settings_.max_expiration_seconds;
  const int64_t now = now_();
  claims.issued_at = claims.not_before = now;
  claims.expiry = now + expiration;
  claims.id = machinery::new_uuid();

  json::object out_spec = spec;
  out_spec["audiences"] = json::array(claims.audiences.begin(), claims.audiences.end());
  out_spec["expirationSeconds"] = expiration;
  json::object out_meta =
      meta ? json::object{{"name", account}, {"namespace", claims.namespace_}} : json::object{};
  out_meta["creationTimestamp"] = machinery::format_time(machinery::Clock::from_time_t(now));
  json::object status{
      {"expirationTimestamp", machinery::format_time(machinery::Clock::from_time_t(claims.expiry))}};
  // A dry run checks everything but hands out no credential.
  status["token"] = call.dry_run ? std::string() : sign(claims);
  return json::object{{"kind", "TokenRequest"},
                      {"apiVersion", "authentication.k8s.io/v1"},
                      {"metadata", std::move(out_meta)},
                      {"spec", std::move(out_spec)},
                      {"status", std::move(status)}};
}

}  // namespace ukube::authn::sa
