// ES256 signing and JWS parsing, with keys from the cluster PKI as the daemon makes them.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "authn-serviceaccount/claims.h"
#include "authn-serviceaccount/es256.h"
#include "authn-serviceaccount/jws.h"
#include "tests/support/test_kernel.h"
#include "ukube/base64.h"
#include "ukube/pki.h"

namespace ukube::authn::sa {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = pki::ensure_cluster_pki(dir_.path() / "pki");
    signer_ = std::make_unique<Es256Key>(
        Es256Key::from_private_pem(slurp(pki.service_account_key), pki.service_account_key.string()));
    verifier_ = std::make_unique<Es256Key>(Es256Key::from_public_pem(
        slurp(pki.service_account_public_key), pki.service_account_public_key.string()));
  }

  ukube::testing::TempDir dir_{"jwt"};
  std::unique_ptr<Es256Key> signer_, verifier_;
};

TEST_F(JwtTest, KeyIdIsBase64UrlOfSha256AndSameForBothHalves) {
  EXPECT_EQ(signer_->key_id(), verifier_->key_id());
  EXPECT_EQ(signer_->key_id().size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(signer_->key_id().find_first_of("+/="), std::string::npos);
  EXPECT_TRUE(signer_->can_sign());
  EXPECT_FALSE(verifier_->can_sign());
}

TEST_F(JwtTest, SignatureIsRaw64BytesAndVerifiesWithThePublicKey) {
  std::string sig = signer_->sign("hello");
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(verifier_->verify("hello", sig));
  EXPECT_FALSE(verifier_->verify("hellp", sig));
  std::string flipped = sig;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(verifier_->verify("hello", flipped));
  EXPECT_FALSE(verifier_->verify("hello", sig.substr(0, 63)));
}

TEST_F(JwtTest, CompactJwsRoundTripsAndCarriesAlgAndKid) {
  std::string token = sign_jws(*signer_, boost::json::object{{"iss", "me"}, {"n", 1}});
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find('='), std::string::npos);
  auto jws = parse_jws(token);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->header.at("alg").as_string(), "ES256");
  EXPECT_EQ(jws->header.at("kid").as_string(), signer_->key_id());
  EXPECT_EQ(jws->payload.at("iss").as_string(), "me");
  EXPECT_TRUE(verify_jws(*verifier_, *jws));
}

TEST_F(JwtTest, TamperedPayloadOrSignatureFailsVerification) {
  std::string token = sign_jws(*signer_, boost::json::object{{"sub", "alice"}});
  auto dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string forged_payload =
      token.substr(0, dot1 + 1) + base64_encode(R"({"sub":"admin"})", Base64::Url) + token.substr(dot2);
  auto forged = parse_jws(forged_payload);
  ASSERT_TRUE(forged);
  EXPECT_FALSE(verify_jws(*verifier_, *forged));

  std::string sig = *base64_decode(token.substr(dot2 + 1));
  sig[0] = static_cast<char>(sig[0] ^ 0x80);
  auto bad_sig = parse_jws(token.substr(0, dot2 + 1) + base64_encode(sig, Base64::Url));
  ASSERT_TRUE(bad_sig);
  EXPECT_FALSE(verify_jws(*verifier_, *bad_sig));
}

TEST_F(JwtTest, OtherAlgorithmsAndKeyIdsAreRefused) {
  std::string token = sign_jws(*signer_, boost::json::object{{"sub", "alice"}});
  auto jws = parse_jws(token);
  ASSERT_TRUE(jws);
  jws->header["alg"] = "none";
  EXPECT_FALSE(verify_jws(*verifier_, *jws));
  jws->header["alg"] = "ES256";
  jws->header["kid"] = "someone-else";
  EXPECT_FALSE(verify_jws(*verifier_, *jws));
}

TEST_F(JwtTest, NonJwtTextIsNotParsed) {
  EXPECT_FALSE(parse_jws(""));
  EXPECT_FALSE(parse_jws("abcdef.0123456789abcdef"));
  EXPECT_FALSE(parse_jws("a.b.c.d"));
  EXPECT_FALSE(parse_jws("e30.e30"));
  EXPECT_FALSE(parse_jws("not json.e30.AAAA"));
  EXPECT_FALSE(parse_jws("W10.e30.AAAA"));  // header is an array
  EXPECT_TRUE(parse_jws("e30.e30.AAAA"));   // {} . {} . bytes
}

TEST_F(JwtTest, ClaimsRoundTripWithUpstreamNames) {
  TokenClaims c;
  c.issuer = "https://issuer";
  c.subject = service_account_user("ns", "robot");
  c.audiences = {"a", "b"};
  c.issued_at = c.not_before = 1000;
  c.expiry = 4600;
  c.id = "jti-1";
  c.namespace_ = "ns";
  c.service_account = {"robot", "u1"};
  c.pod = ObjectClaim{"p", "u2"};
  auto j = to_json(c);
  EXPECT_EQ(j.at("sub").as_string(), "system:serviceaccount:ns:robot");
  EXPECT_EQ(j.at("kubernetes.io").at("serviceaccount").at("uid").as_string(), "u1");
  EXPECT_EQ(j.at("kubernetes.io").at("pod").at("name").as_string(), "p");
  EXPECT_FALSE(j.at("kubernetes.io").as_object().contains("secret"));
  auto back = claims_from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->audiences, c.audiences);
  EXPECT_EQ(back->expiry, 4600);
  EXPECT_EQ(back->pod, c.pod);
  // A single-string aud is a list of one; a token without exp or the private claim is not ours.
  j["aud"] = "solo";
  EXPECT_EQ(claims_from_json(j)->audiences, std::vector<std::string>{"solo"});
  j.erase("exp");
  EXPECT_FALSE(claims_from_json(j));
}

TEST_F(JwtTest, NonP256KeysAreRefusedWithTheFileName) {
  // An Ed25519 key in PKCS#8 PEM.
  const std::string ed25519 =
      "-----BEGIN PRIVATE "
      "KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE "
      "KEY-----\n";
  try {
    Es256Key::from_private_pem(ed25519, "/x/sa.key");
    FAIL() << "accepted an Ed25519 key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/x/sa.key is not an ECDSA P-256 key"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Es256Key::from_public_pem("garbage", "sa.pub"), std::runtime_error);
}

}  // namespace
}  // namespace ukube::authn::sa
