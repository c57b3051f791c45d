#include "claims.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::authn::sa {
namespace json = boost::json;
namespace {

json::object object_claim(const ObjectClaim& c) {
  return json::object{{"name", c.name}, {"uid", c.uid}};
}

std::optional<int64_t> seconds(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());  // NumericDate may be fractional
  return std::nullopt;
}

std::optional<ObjectClaim> read_object(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_object()) return std::nullopt;
  return ObjectClaim{machinery::string_at(v->get_object(), {"name"}),
                     machinery::string_at(v->get_object(), {"uid"})};
}

}  // namespace

std::string service_account_user(const std::string& ns, const std::string& name) {
  return "system:serviceaccount:" + ns + ":" + name;
}

json::object to_json(const TokenClaims& c) {
  json::object k8s{{"namespace", c.namespace_}, {"serviceaccount", object_claim(c.service_account)}};
  if (c.pod) k8s["pod"] = object_claim(*c.pod);
  if (c.secret) k8s["secret"] = object_claim(*c.secret);
  if (c.node) k8s["node"] = object_claim(*c.node);
  return json::object{{"aud", json::array(c.audiences.begin(), c.audiences.end())},
                      {"exp", c.expiry},
                      {"iat", c.issued_at},
                      {"iss", c.issuer},
                      {"jti", c.id},
                      {"kubernetes.io", std::move(k8s)},
                      {"nbf", c.not_before},
                      {"sub", c.subject}};
}

std::optional<TokenClaims> claims_from_json(const json::object& p) {
  TokenClaims c;
  c.issuer = machinery::string_at(p, {"iss"});
  c.subject = machinery::string_at(p, {"sub"});
  c.id = machinery::string_at(p, {"jti"});
  // `aud` is a string or a list of strings (RFC 7519 §4.1.3).
  if (const auto* aud = p.if_contains("aud")) {
    if (aud->is_string()) {
      c.audiences.emplace_back(aud->get_string());
    } else if (aud->is_array()) {
      for (const auto& a : aud->get_array()) {
        if (!a.is_string()) return std::nullopt;
        c.audiences.emplace_back(a.get_string());
      }
    } else {
      return std::nullopt;
    }
  }
  auto exp = seconds(p, "exp");
  if (!exp) return std::nullopt;  // we never issue tokens that do not expire
  c.expiry = *exp;
  c.issued_at = seconds(p, "iat").value_or(0);
  c.not_before = seconds(p, "nbf").value_or(0);
  const auto* k8s = p.if_contains("kubernetes.io");
  if (!k8s || !k8s->is_object()) return std::nullopt;
  const auto& k = k8s->get_object();
  c.namespace_ = machinery::string_at(k, {"namespace"});
  auto account = read_object(k, "serviceaccount");
  if (c.namespace_.empty() || !account || account->name.empty()) return std::nullopt;
  c.service_account = *account;
  c.pod = read_object(k, "pod");
  c.secret = read_object(k, "secret");
  c.node = read_object(k, "node");
  return c;
}

}  // namespace ukube::authn::sa
