// ServiceAccount tokens end to end in a real kernel: TokenRequest through the pipeline's
// serviceaccounts/token subresource, then the authenticator in the kernel's chain.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "authn-serviceaccount/config.pb.h"
#include "authn-serviceaccount/jws.h"
#include "authn-serviceaccount/object_lookup.h"
#include "authn-serviceaccount/sa_authenticator.h"
#include "authn-serviceaccount/sa_plugin.h"
#include "authn_test_support.h"
#include "ukube/base64.h"
#include "ukube/machinery/time.h"

namespace ukube::authn::testing {
namespace {

using sa::ServiceAccountPlugin;
constexpr const char* kUri = "ukube.authenticator.v1.serviceaccount";

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

json::object payload_of(const std::string& token) {
  auto jws = sa::parse_jws(token);
  EXPECT_TRUE(jws);
  return jws ? jws->payload : json::object{};
}

class ServiceAccountTokens : public ::testing::Test {
 protected:
  void SetUp() override {
    plugin_ = &k_.start(std::make_unique<ServiceAccountPlugin>(), &config_, kUri);
    account_ = k_.create_service_account("robot");
  }
  // An authenticator over the same key and store, with the clock at `now`.
  sa::ServiceAccountAuthenticator authenticator_at(int64_t now) {
    return sa::ServiceAccountAuthenticator(
        std::make_shared<const sa::Es256Key>(std::move(*key())), plugin_->issuer().settings(),
        std::make_shared<sa::StoreLookup>(k_.kernel().store(), k_.kernel().types()), [now] { return now; });
  }
  std::unique_ptr<sa::Es256Key> key() {
    std::ifstream in(k_.dir() / "pki" / "sa.key");
    std::stringstream s;
    s << in.rdbuf();
    return std::make_unique<sa::Es256Key>(sa::Es256Key::from_private_pem(s.str(), "sa.key"));
  }
  static AuthnResult judge(sa::ServiceAccountAuthenticator& a, const std::string& token) {
    Credentials c;
    c.bearer_token = token;
    return a.authenticate(c);
  }

  AuthnKernel k_;
  serviceaccount::ServiceAccountConfig config_;
  ServiceAccountPlugin* plugin_ = nullptr;
  ObjectPtr account_;
};

TEST_F(ServiceAccountTokens, RequestedTokenAuthenticatesAsTheAccount) {
  auto answer = k_.request_token("robot");
  EXPECT_EQ(answer->at("kind").as_string(), "TokenRequest");
  EXPECT_EQ(answer->at("apiVersion").as_string(), "authentication.k8s.io/v1");
  EXPECT_EQ(answer->at("spec").at("expirationSeconds").as_int64(), 3600);
  const std::string token = AuthnKernel::token_of(answer);

  auto p = payload_of(token);
  EXPECT_EQ(p.at("iss").as_string(), sa::kDefaultIssuer);
  EXPECT_EQ(p.at("sub").as_string(), "system:serviceaccount:default:robot");
  EXPECT_EQ(p.at("aud").as_array(), json::array{sa::kDefaultIssuer});
  EXPECT_EQ(p.at("exp").as_int64() - p.at("iat").as_int64(), 3600);
  EXPECT_EQ(p.at("nbf").as_int64(), p.at("iat").as_int64());
  EXPECT_EQ(p.at("kubernetes.io").at("serviceaccount").at("uid").as_string(), uid_of(account_));
  EXPECT_EQ(answer->at("status").at("expirationTimestamp").as_string(),
            machinery::format_time(machinery::Clock::from_time_t(p.at("exp").as_int64())));

  UserInfo user = k_.authenticate(token);
  EXPECT_EQ(user.name, "system:serviceaccount:default:robot");
  EXPECT_EQ(user.uid, uid_of(account_));
  EXPECT_TRUE(has(user.groups, "system:serviceaccounts"));
  EXPECT_TRUE(has(user.groups, "system:serviceaccounts:default"));
  EXPECT_TRUE(has(user.groups, "system:authenticated"));
  ASSERT_TRUE(user.extra.count("authentication.kubernetes.io/credential-id"));
  EXPECT_EQ(user.extra["authentication.kubernetes.io/credential-id"][0],
            "JTI=" + std::string(p.at("jti").as_string()));
  EXPECT_FALSE(user.extra.count("authentication.kubernetes.io/pod-name"));
}

TEST_F(ServiceAccountTokens, ForgedTokensAreRejected) {
  const std::string token = AuthnKernel::token_of(k_.request_token("robot"));
  // Signature changed.
  std::string bad = token;
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(expect_error([&] { k_.authenticate(bad); }).code(), 401);
  // Payload changed to another account, signature kept.
  auto p = payload_of(token);
  p["sub"] = "system:serviceaccount:kube-system:admin";
  auto dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string swapped =
      token.substr(0, dot1 + 1) + base64_encode(json::serialize(p), Base64::Url) + token.substr(dot2);
  EXPECT_EQ(expect_error([&] { k_.authenticate(swapped); }).code(), 401);
  // The genuine one still works (nothing about the forgeries was cached).
  EXPECT_EQ(k_.authenticate(token).name, "system:serviceaccount:default:robot");
}

TEST_F(ServiceAccountTokens, TokensOfOtherIssuersOrNotJwtGetNoOpinion) {
  auto a = authenticator_at(sa::system_now());
  EXPECT_EQ(judge(a, "abcdef.0123456789abcdef").outcome, AuthnResult::Outcome::NoOpinion);
  EXPECT_EQ(judge(a, "").outcome, AuthnResult::Outcome::NoOpinion);
  sa::TokenClaims c;
  c.issuer = "https://someone.else";
  c.expiry = sa::system_now() + 600;
  c.namespace_ = "default";
  c.service_account = {"robot", uid_of(account_)};
  EXPECT_EQ(judge(a, plugin_->issuer().sign(c)).outcome, AuthnResult::Outcome::NoOpinion);
}

TEST_F(ServiceAccountTokens, ExpiredTokenIsRejectedAfterTheLeeway) {
  const std::string token = AuthnKernel::token_of(k_.request_token("robot", {{"expirationSeconds", 600}}));
  const int64_t exp = payload_of(token).at("exp").as_int64();
  // Within upstream's one-minute leeway the token still works; past it, it is expired.
  auto just_after = authenticator_at(exp + 30);
  EXPECT_EQ(judge(just_after, token).outcome, AuthnResult::Outcome::Authenticated);
  auto later = authenticator_at(exp + 3600);
  AuthnResult r = judge(later, token);
  EXPECT_EQ(r.outcome, AuthnResult::Outcome::Rejected);
  EXPECT_EQ(r.reason, "Token has expired.");
  // An already-expired token signed with the real key fails in the real chain too.
  sa::TokenClaims c = *sa::claims_from_json(payload_of(token));
  c.issued_at = c.not_before = sa::system_now() - 7200;
  c.expiry = sa::system_now() - 3600;
  EXPECT_EQ(expect_error([&] { k_.authenticate(plugin_->issuer().sign(c)); }).code(), 401);
  // Not yet valid.
  c.issued_at = c.not_before = sa::system_now() + 3600;
  c.expiry = sa::system_now() + 7200;
  EXPECT_EQ(expect_error([&] { k_.authenticate(plugin_->issuer().sign(c)); }).code(), 401);
}

TEST_F(ServiceAccountTokens, TokenForAnotherAudienceIsRejected) {
  const std::string token =
      AuthnKernel::token_of(k_.request_token("robot", {{"audiences", json::array{"vault"}}}));
  EXPECT_EQ(payload_of(token).at("aud").as_array(), json::array{"vault"});
  auto a = authenticator_at(sa::system_now());
  AuthnResult r = judge(a, token);
  EXPECT_EQ(r.outcome, AuthnResult::Outcome::Rejected);
  EXPECT_EQ(r.reason, std::string("token audiences [\"vault\"] is invalid for the target audiences [\"") +
                          sa::kDefaultIssuer + "\"]");
  EXPECT_EQ(expect_error([&] { k_.authenticate(token); }).code(), 401);
  // One matching audience among several is enough.
  const std::string both = AuthnKernel::token_of(
      k_.request_token("robot", {{"audiences", json::array{"vault", sa::kDefaultIssuer}}}));
  EXPECT_EQ(k_.authenticate(both).name, "system:serviceaccount:default:robot");
}

TEST_F(ServiceAccountTokens, DeletedOrRecreatedAccountInvalidatesItsTokens) {
  const std::string token = AuthnKernel::token_of(k_.request_token("robot"));
  k_.admin().remove(kServiceAccounts, "default", "robot");
  EXPECT_EQ(expect_error([&] { k_.authenticate(token); }).code(), 401);
  k_.create_service_account("robot");  // same name, new uid
  EXPECT_EQ(expect_error([&] { k_.authenticate(token); }).code(), 401);
  EXPECT_EQ(k_.authenticate(AuthnKernel::token_of(k_.request_token("robot"))).name,
            "system:serviceaccount:default:robot");
}

TEST_F(ServiceAccountTokens, PodBoundTokenLivesAsLongAsThePod) {
  auto pod = k_.create_pod("p", "robot");
  auto answer = k_.request_token(
      "robot",
      {{"boundObjectRef", {{"kind", "Pod"}, {"apiVersion", "v1"}, {"name", "p"}, {"uid", uid_of(pod)}}}});
  const std::string token = AuthnKernel::token_of(answer);
  EXPECT_EQ(payload_of(token).at("kubernetes.io").at("pod").at("uid").as_string(), uid_of(pod));
  UserInfo user = k_.authenticate(token);
  EXPECT_EQ(user.extra["authentication.kubernetes.io/pod-name"], std::vector<std::string>{"p"});
  EXPECT_EQ(user.extra["authentication.kubernetes.io/pod-uid"], std::vector<std::string>{uid_of(pod)});

  k_.admin().remove(kPods, "default", "p");
  EXPECT_EQ(expect_error([&] { k_.authenticate(token); }).code(), 401);
  k_.create_pod("p", "robot");  // re-created: another uid
  EXPECT_EQ(expect_error([&] { k_.authenticate(token); }).code(), 401);
}

TEST_F(ServiceAccountTokens, SecretBoundTokenDiesWithTheSecret) {
  auto secret = k_.admin().create(
      kSecrets, "default",
      json::object{{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}});
  const std::string token = AuthnKernel::token_of(k_.request_token(
      "robot", {{"boundObjectRef", {{"kind", "Secret"}, {"apiVersion", "v1"}, {"name", "s"}}}}));
  EXPECT_EQ(payload_of(token).at("kubernetes.io").at("secret").at("uid").as_string(), uid_of(secret));
  EXPECT_EQ(k_.authenticate(token).name, "system:serviceaccount:default:robot");
  k_.admin().remove(kSecrets, "default", "s");
  EXPECT_EQ(expect_error([&] { k_.authenticate(token); }).code(), 401);
}

TEST_F(ServiceAccountTokens, BindingErrorsMatchUpstream) {
  k_.create_service_account("other");
  auto pod = k_.create_pod("p", "other");
  auto ref = [](const char* kind, const char* name, const std::string& uid = "") {
    json::object r{{"kind", kind}, {"apiVersion", "v1"}, {"name", name}};
    if (!uid.empty()) r["uid"] = uid;
    return json::object{{"boundObjectRef", r}};
  };
  ApiError missing = expect_error([&] { k_.request_token("robot", ref("Pod", "nope")); });
  EXPECT_EQ(missing.code(), 404);
  EXPECT_EQ(std::string(missing.what()), "pods \"nope\" not found");
  ApiError other = expect_error([&] { k_.request_token("robot", ref("Pod", "p")); });
  EXPECT_EQ(other.code(), 400);
  EXPECT_EQ(
      std::string(other.what()),
      "cannot bind token for serviceaccount \"robot\" to pod running with different serviceaccount name.");
  ApiError stale = expect_error([&] { k_.request_token("other", ref("Pod", "p", "not-the-uid")); });
  EXPECT_EQ(stale.code(), 409);
  EXPECT_EQ(
      std::string(stale.what()),
      "Operation cannot be fulfilled on Pod \"p\": the UID in the bound object reference (not-the-uid) does "
      "not match the UID in record. The object might have been deleted and then recreated");
  ApiError kind = expect_error([&] { k_.request_token("robot", ref("ConfigMap", "c")); });
  EXPECT_EQ(kind.code(), 400);
  EXPECT_EQ(std::string(kind.what()), "cannot bind token to object of type /v1, Kind=ConfigMap");
  EXPECT_EQ(expect_error([&] { k_.request_token("ghost"); }).code(), 404);
}

TEST_F(ServiceAccountTokens, ExpirationIsDefaultedAndValidatedAsUpstream) {
  ApiError short_lived = expect_error([&] { k_.request_token("robot", {{"expirationSeconds", 599}}); });
  EXPECT_EQ(short_lived.code(), 422);
  EXPECT_EQ(
      std::string(short_lived.what()),
      "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 599: may "
      "not specify a duration less than 10 minutes");
  ApiError huge = expect_error([&] {
    k_.request_token("robot", {{"expirationSeconds", (int64_t{1} << 32) + 1}});
  });
  EXPECT_EQ(huge.code(), 422);
  auto ok = k_.request_token("robot", {{"expirationSeconds", 600}});
  EXPECT_EQ(ok->at("spec").at("expirationSeconds").as_int64(), 600);
}

TEST_F(ServiceAccountTokens, StopPutsBackTheNoIssuerAnswer) {
  k_.stop_all();
  ApiError e = expect_error([&] { k_.request_token("robot"); });
  EXPECT_EQ(e.code(), 503);
  EXPECT_EQ(
      std::string(e.what()),
      "no ServiceAccount token issuer is enabled: add ukube.authenticator.v1.serviceaccount to the config");
}

TEST(ServiceAccountConfig, IssuerAudiencesAndMaximumComeFromTheConfig) {
  AuthnKernel k;
  serviceaccount::ServiceAccountConfig config;
  config.set_issuer("https://ukube.example");
  config.add_api_audiences("api");
  config.set_max_expiration_seconds(900);
  auto& plugin = k.start(std::make_unique<ServiceAccountPlugin>(), &config, kUri);
  EXPECT_EQ(plugin.issuer().settings().api_audiences, std::vector<std::string>{"api"});
  k.create_service_account("robot");
  auto answer = k.request_token("robot", {{"expirationSeconds", 7200}});
  EXPECT_EQ(answer->at("spec").at("expirationSeconds").as_int64(), 900);
  auto p = payload_of(AuthnKernel::token_of(answer));
  EXPECT_EQ(p.at("iss").as_string(), "https://ukube.example");
  EXPECT_EQ(p.at("aud").as_array(), json::array{"api"});
  EXPECT_EQ(k.authenticate(AuthnKernel::token_of(answer)).name, "system:serviceaccount:default:robot");
}

TEST(ObjectLookup, ReadsUidDeletionAndPodFields) {
  auto o = sa::live_object_of(
      R"({"metadata":{"uid":"u","deletionTimestamp":"2024-01-02T03:04:05Z"},"spec":{"serviceAccountName":"a","nodeName":"n"}})");
  EXPECT_EQ(o.uid, "u");
  EXPECT_EQ(o.deletion, sa::parse_utc_timestamp("2024-01-02T03:04:05Z"));
  EXPECT_EQ(*o.deletion, 1704164645);
  EXPECT_EQ(o.service_account, "a");
  EXPECT_EQ(o.node_name, "n");
  EXPECT_EQ(machinery::format_time(machinery::Clock::from_time_t(1704164645)), "2024-01-02T03:04:05Z");
  EXPECT_FALSE(sa::parse_utc_timestamp("2024-01-02 03:04:05"));
}

}  // namespace
}  // namespace ukube::authn::testing

namespace ukube::authn::testing {
namespace {

// The TokenRequest body schema carries upstream's authentication/v1 generated.proto numbers,
// which is what lets protobuf bodies from kubectl 1.32+ be decoded.
TEST(TokenRequestSchema, FieldNumbersMatchUpstream) {
  AuthnKernel k;
  auto type = k.kernel().types().find(kServiceAccounts);
  ASSERT_TRUE(type);
  const auto& answer = type->subresource_answers.at("token");
  EXPECT_EQ(answer.body_kind, (GroupVersionKind{"authentication.k8s.io", "v1", "TokenRequest"}));
  ASSERT_TRUE(answer.body_schema);
  auto prop = [](const json::object& s, const char* name) -> const json::object& {
    return s.at("properties").at(name).as_object();
  };
  auto tag = [](const json::object& s) { return s.at("x-ukube-proto-tag").as_int64(); };
  const auto& root = *answer.body_schema;
  EXPECT_EQ(tag(prop(root, "metadata")), 1);
  EXPECT_EQ(tag(prop(root, "spec")), 2);
  EXPECT_EQ(tag(prop(root, "status")), 3);
  const auto& spec = prop(root, "spec");
  EXPECT_EQ(tag(prop(spec, "audiences")), 1);
  EXPECT_EQ(tag(prop(spec, "expirationSeconds")), 4);
  EXPECT_TRUE(prop(spec, "expirationSeconds").at("x-ukube-proto-pointer").as_bool());
  EXPECT_EQ(tag(prop(spec, "boundObjectRef")), 3);
  const auto& ref = prop(spec, "boundObjectRef");
  EXPECT_EQ(tag(prop(ref, "kind")), 1);
  EXPECT_EQ(tag(prop(ref, "apiVersion")), 2);
  EXPECT_EQ(tag(prop(ref, "name")), 3);
  EXPECT_EQ(tag(prop(ref, "uid")), 4);
  const auto& status = prop(root, "status");
  EXPECT_EQ(tag(prop(status, "token")), 1);
  EXPECT_EQ(tag(prop(status, "expirationTimestamp")), 2);
}

}  // namespace
}  // namespace ukube::authn::testing
