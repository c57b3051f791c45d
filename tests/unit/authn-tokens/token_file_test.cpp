// The static token file: upstream's CSV format, errors that name file and line.
#include <fstream>

#include "authn-token-file/config.pb.h"
#include "authn-token-file/token_file.h"
#include "authn-token-file/token_file_plugin.h"
#include "authn_test_support.h"

namespace ukube::authn::tokenfile {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_token_csv(text, "/etc/tokens.csv");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TokenFile, ParsesUsersUidsAndQuotedGroups) {
  auto t = parse_token_csv(
      "t1,alice,100,\"dev,ops\"\n"
      "t2,bob,101\r\n"
      "\n"
      "t3,carol,102,solo,ignored-fifth\n",
      "f.csv");
  ASSERT_EQ(t.users.size(), 3u);
  EXPECT_EQ(t.users["t1"].name, "alice");
  EXPECT_EQ(t.users["t1"].uid, "100");
  EXPECT_EQ(t.users["t1"].groups, (std::vector<std::string>{"dev", "ops"}));
  EXPECT_TRUE(t.users["t2"].groups.empty());
  EXPECT_EQ(t.users["t3"].groups, std::vector<std::string>{"solo"});
  EXPECT_TRUE(t.warnings.empty());
}

TEST(TokenFile, QuotedFieldsFollowCsvRules) {
  auto t = parse_token_csv("\"to,ken\",\"say \"\"hi\"\"\",1\n", "f.csv");
  ASSERT_TRUE(t.users.count("to,ken"));
  EXPECT_EQ(t.users["to,ken"].name, "say \"hi\"");
}

TEST(TokenFile, ErrorsNameTheFileAndLine) {
  EXPECT_EQ(error_of("t1,alice,1\n\nt2,bob\n"),
            "token file '/etc/tokens.csv' line 3: must have at least 3 columns (token, user name, user uid), "
            "found 2");
  EXPECT_EQ(error_of("t1,alice,1,\"dev\n"),
            "token file '/etc/tokens.csv' line 2: a quoted field is not closed: add the closing \"");
  EXPECT_EQ(
      error_of("t1,al\"ice,1\n"),
      "token file '/etc/tokens.csv' line 1: bare \" in a field that is not quoted: quote the whole field");
  EXPECT_EQ(error_of("t1,,1\n"),
            "token file '/etc/tokens.csv' line 1: the user name (second column) is empty");
}

TEST(TokenFile, EmptyAndDuplicateTokensWarn) {
  auto t = parse_token_csv(",nobody,1\nt,a,1\nt,b,2\n", "f.csv");
  ASSERT_EQ(t.warnings.size(), 2u);
  EXPECT_NE(t.warnings[0].find("line 1: empty token"), std::string::npos);
  EXPECT_NE(t.warnings[1].find("line 3: duplicate token"), std::string::npos);
  EXPECT_EQ(t.users["t"].name, "b");  // the later record wins, as upstream
}

TEST(TokenFile, UnknownTokensGetNoOpinion) {
  TokenFileAuthenticator a(parse_token_csv("secret-1,alice,100,\"dev\"\n", "f.csv"));
  Credentials c;
  c.bearer_token = "secret-1";
  AuthnResult r = a.authenticate(c);
  EXPECT_EQ(r.outcome, AuthnResult::Outcome::Authenticated);
  EXPECT_EQ(r.user.name, "alice");
  EXPECT_EQ(r.user.groups, std::vector<std::string>{"dev"});
  c.bearer_token = "secret-2";
  EXPECT_EQ(a.authenticate(c).outcome, AuthnResult::Outcome::NoOpinion);
  c.bearer_token.clear();
  EXPECT_EQ(a.authenticate(c).outcome, AuthnResult::Outcome::NoOpinion);
}

TEST(TokenFilePlugin, ServesTheFileAndRefusesAMissingOne) {
  testing::AuthnKernel k;
  TokenFileConfig config;
  config.set_path((k.dir() / "missing.csv").string());
  try {
    k.start(std::make_unique<TokenFilePlugin>(), &config, "ukube.authenticator.v1.token-file");
    FAIL() << "started without its file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read the token file '" + config.path() + "'"),
              std::string::npos)
        << e.what();
  }
  std::ofstream(k.dir() / "tokens.csv") << "abc123,alice,100,\"dev,ops\"\n";
  config.set_path((k.dir() / "tokens.csv").string());
  k.start(std::make_unique<TokenFilePlugin>(), &config, "ukube.authenticator.v1.token-file");
  UserInfo user = k.authenticate("abc123");
  EXPECT_EQ(user.name, "alice");
  EXPECT_EQ(user.uid, "100");
  EXPECT_EQ(user.groups, (std::vector<std::string>{"dev", "ops", "system:authenticated"}));
  EXPECT_EQ(testing::expect_error([&] { k.authenticate("nope"); }).code(), 401);
}

}  // namespace
}  // namespace ukube::authn::tokenfile
