// Anonymous access: only requests with no credential at all.
#include "authn-anonymous/anonymous.h"
#include "authn_test_support.h"

namespace ukube::authn::anonymous {
namespace {

class KnowsNobody final : public Authenticator {
 public:
  AuthnResult authenticate(const Credentials&) override { return {}; }
};

TEST(Anonymous, OnlyRequestsWithoutCredentialsAreAnonymous) {
  AnonymousAuthenticator a;
  Credentials none;
  AuthnResult r = a.authenticate(none);
  EXPECT_EQ(r.outcome, AuthnResult::Outcome::Authenticated);
  EXPECT_EQ(r.user.name, "system:anonymous");
  EXPECT_EQ(r.user.groups, std::vector<std::string>{"system:unauthenticated"});

  Credentials token;
  token.bearer_token = "anything";
  EXPECT_EQ(a.authenticate(token).outcome, AuthnResult::Outcome::NoOpinion);
  Credentials cert;
  cert.client_cert_subject_cn = "alice";
  EXPECT_EQ(a.authenticate(cert).outcome, AuthnResult::Outcome::NoOpinion);
}

TEST(Anonymous, InTheChainAWrongTokenIsStill401AndAnonymousIsNotAuthenticated) {
  testing::AuthnKernel k;
  k.start(std::make_unique<AnonymousPlugin>(), nullptr, "ukube.authenticator.v1.anonymous");
  UserInfo user = k.kernel().auth().authenticate(Credentials{});
  EXPECT_EQ(user.name, "system:anonymous");
  // The chain adds system:authenticated to everyone else, never to the anonymous user.
  EXPECT_EQ(user.groups, std::vector<std::string>{"system:unauthenticated"});
  EXPECT_EQ(testing::expect_error([&] { k.authenticate("wrong"); }).code(), 401);
  // Once stopped it is gone from the chain: with only an authenticator that knows nobody
  // left, a request without credentials is 401 again.
  k.stop_all();
  k.kernel().auth().add_authenticator("knows-nobody", std::make_shared<KnowsNobody>());
  EXPECT_EQ(testing::expect_error([&] { k.kernel().auth().authenticate(Credentials{}); }).code(), 401);
}

}  // namespace
}  // namespace ukube::authn::anonymous
