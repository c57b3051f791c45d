// Bootstrap tokens: the token shape, the Secret's rules, and the authenticator over the store.
#include "authn-bootstrap-token/bootstrap_token.h"
#include "authn-bootstrap-token/bootstrap_plugin.h"
#include "authn_test_support.h"
#include "ukube/base64.h"

namespace ukube::authn::bootstrap {
namespace {

using testing::AuthnKernel;
using testing::json::object;

constexpr int64_t kNow = 1700000000;  // 2023-11-14T22:13:20Z
const BootstrapToken kToken{"abcdef", "0123456789abcdef"};

object secret(object string_data, const std::string& type = kSecretType) {
  return object{{"apiVersion", "v1"},
                {"kind", "Secret"},
                {"metadata", {{"name", "bootstrap-token-abcdef"}, {"namespace", "kube-system"}}},
                {"type", type},
                {"stringData", std::move(string_data)}};
}

object good_data() {
  return object{{"token-id", "abcdef"},
                {"token-secret", "0123456789abcdef"},
                {"usage-bootstrap-authentication", "true"},
                {"expiration", "2023-11-15T00:00:00Z"}};
}

// The Secret as stored: stringData folded into base64 data by the Secret defaulter.
object stored(object s) {
  object data;
  for (auto& kv : s.at("stringData").as_object())
    data[kv.key()] = base64_encode(std::string_view(kv.value().as_string()));
  s.erase("stringData");
  s["data"] = std::move(data);
  return s;
}

TEST(BootstrapToken, ShapeIsSixDotSixteenLowercaseAlphanumerics) {
  auto t = parse_bootstrap_token("abcdef.0123456789abcdef");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->id, "abcdef");
  EXPECT_EQ(t->secret, "0123456789abcdef");
  EXPECT_FALSE(parse_bootstrap_token("ABCDEF.0123456789abcdef"));
  EXPECT_FALSE(parse_bootstrap_token("abcdef.0123456789abcde"));
  EXPECT_FALSE(parse_bootstrap_token("abcdef-0123456789abcdef"));
  EXPECT_FALSE(parse_bootstrap_token("abcdef.0123456789abcdef0"));
}

TEST(BootstrapToken, Rfc3339WithOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z"), kNow);
  EXPECT_EQ(parse_rfc3339("2023-11-15T00:13:20+02:00"), kNow);
  EXPECT_EQ(parse_rfc3339("2023-11-14T21:13:20.5-01:00"), kNow);
  EXPECT_FALSE(parse_rfc3339("2023-11-14 22:13:20"));
  EXPECT_FALSE(parse_rfc3339("tomorrow"));
}

TEST(BootstrapToken, ValidSecretVouchesWithSortedGroups) {
  object data = good_data();
  data["auth-extra-groups"] = "system:bootstrappers:worker,system:bootstrappers:a";
  AuthnResult r = judge_secret(stored(secret(data)), kToken, kNow);
  ASSERT_EQ(r.outcome, AuthnResult::Outcome::Authenticated) << r.reason;
  EXPECT_EQ(r.user.name, "system:bootstrap:abcdef");
  EXPECT_EQ(r.user.groups, (std::vector<std::string>{"system:bootstrappers", "system:bootstrappers:a",
                                                     "system:bootstrappers:worker"}));
}

TEST(BootstrapToken, EveryBrokenRuleRejects) {
  auto rejects = [](object s, int64_t now = kNow) {
    AuthnResult r = judge_secret(stored(std::move(s)), kToken, now);
    EXPECT_EQ(r.outcome, AuthnResult::Outcome::Rejected);
    return r.reason;
  };
  EXPECT_NE(rejects(secret(good_data()), kNow + 86400).find("has expired"), std::string::npos);
  object wrong = good_data();
  wrong["token-secret"] = "0123456789abcdee";
  EXPECT_NE(rejects(secret(wrong)).find("another token-secret"), std::string::npos);
  object no_usage = good_data();
  no_usage.erase("usage-bootstrap-authentication");
  EXPECT_NE(rejects(secret(no_usage)).find("usage-bootstrap-authentication"), std::string::npos);
  EXPECT_NE(rejects(secret(good_data(), "Opaque")).find("wrong type"), std::string::npos);
  object bad_group = good_data();
  bad_group["auth-extra-groups"] = "system:masters";
  EXPECT_NE(rejects(secret(bad_group)).find("auth-extra-groups"), std::string::npos);
  object garbled = good_data();
  garbled["expiration"] = "soon";
  EXPECT_NE(rejects(secret(garbled)).find("has expired"), std::string::npos);
  object deleting = secret(good_data());
  deleting["metadata"].as_object()["deletionTimestamp"] = "2023-11-14T22:00:00Z";
  EXPECT_NE(rejects(deleting).find("deleted"), std::string::npos);
}

TEST(BootstrapToken, ExtraGroupNames) {
  EXPECT_TRUE(valid_extra_group("system:bootstrappers:kubeadm:default-node-token"));
  EXPECT_FALSE(valid_extra_group("system:bootstrappers:"));
  EXPECT_FALSE(valid_extra_group("system:bootstrappers:x-"));
  EXPECT_FALSE(valid_extra_group("system:bootstrappers:X"));
  EXPECT_FALSE(valid_extra_group("system:masters"));
}

TEST(BootstrapTokenPlugin, AuthenticatesFromTheStoredSecretUntilItIsDeleted) {
  AuthnKernel k;
  k.start(std::make_unique<BootstrapTokenPlugin>(), nullptr, "ukube.authenticator.v1.bootstrap-token");
  const std::string token = "abcdef.0123456789abcdef";
  // No Secret for the id: not ours to judge, and nobody else knows it either.
  EXPECT_EQ(testing::expect_error([&] { k.authenticate(token); }).code(), 401);

  object data = good_data();
  data["expiration"] = "2999-01-01T00:00:00Z";
  data["auth-extra-groups"] = "system:bootstrappers:worker";
  k.admin().create(testing::kSecrets, "kube-system", secret(data));
  UserInfo user = k.authenticate(token);
  EXPECT_EQ(user.name, "system:bootstrap:abcdef");
  EXPECT_EQ(user.groups, (std::vector<std::string>{"system:bootstrappers", "system:bootstrappers:worker",
                                                   "system:authenticated"}));
  EXPECT_EQ(testing::expect_error([&] { k.authenticate("abcdef.0123456789abcdeX"); }).code(), 401);
  EXPECT_EQ(testing::expect_error([&] { k.authenticate("abcdef.fedcba9876543210"); }).code(), 401);

  k.admin().remove(testing::kSecrets, "kube-system", "bootstrap-token-abcdef");
  EXPECT_EQ(testing::expect_error([&] { k.authenticate(token); }).code(), 401);
}

}  // namespace
}  // namespace ukube::authn::bootstrap
