#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ukube/auth.h"

// Upstream's static token file (--token-auth-file): CSV records `token,user,uid` with an
// optional fourth column of comma-separated groups, which must then be quoted. Fields are
// RFC 4180 CSV, as Go's encoding/csv reads them; blank lines are skipped.
namespace ukube::authn::tokenfile {

struct TokenTable {
  std::unordered_map<std::string, UserInfo> users;  // by token
  std::vector<std::string> warnings;                // duplicate or empty tokens, by line
};

// `source` names the file in messages. Throws std::runtime_error naming the source and
// line of the first malformed record.
TokenTable parse_token_csv(std::string_view text, const std::string& source);
TokenTable read_token_file(const std::filesystem::path& file);

class TokenFileAuthenticator final : public Authenticator {
 public:
  explicit TokenFileAuthenticator(TokenTable table) : table_(std::move(table)) {}
  // Unknown tokens get no opinion: another authenticator may know them.
  AuthnResult authenticate(const Credentials& credentials) override;

 private:
  TokenTable table_;
};

}  // namespace ukube::authn::tokenfile
