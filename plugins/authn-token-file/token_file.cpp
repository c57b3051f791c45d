#include "token_file.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ukube::authn::tokenfile {
namespace {

std::vector<std::string> split_groups(const std::string& field) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = field.find(',', start);
    out.push_back(field.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Reads CSV records one at a time, tracking the line each starts on (a quoted field
// may span lines).
class CsvReader {
 public:
  CsvReader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  // False at the end. Blank lines are skipped.
  bool next(std::vector<std::string>& record, size_t& line) {
    record.clear();
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ >= text_.size()) return false;
    line = line_;
    while (true) {
      record.push_back(field());
      if (pos_ >= text_.size()) return true;
      char c = text_[pos_++];
      if (c == ',') continue;
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      return true;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("token file '" + source_ + "' line " + std::to_string(line_) + ": " + what);
  }

  std::string field() {
    std::string out;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) fail("a quoted field is not closed: add the closing \"");
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            out.push_back('"');
            ++pos_;
            continue;
          }
          if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r')
            fail("extraneous \" in a quoted field: write a quote inside quotes as \"\"");
          return out;
        }
        if (c == '\n') ++line_;
        out.push_back(c);
      }
    }
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
      if (text_[pos_] == '"') fail("bare \" in a field that is not quoted: quote the whole field");
      out.push_back(text_[pos_++]);
    }
    return out;
  }

  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

}  // namespace

TokenTable parse_token_csv(std::string_view text, const std::string& source) {
  TokenTable table;
  CsvReader reader(text, source);
  std::vector<std::string> record;
  size_t line = 0;
  while (reader.next(record, line)) {
    const std::string where = "token file '" + source + "' line " + std::to_string(line);
    if (record.size() < 3)
      throw std::runtime_error(where + ": must have at least 3 columns (token, user name, user uid), found " +
                               std::to_string(record.size()));
    if (record[0].empty()) {
      table.warnings.push_back(where + ": empty token, record skipped");
      continue;
    }
    if (record[1].empty()) throw std::runtime_error(where + ": the user name (second column) is empty");
    if (table.users.count(record[0]))
      table.warnings.push_back(where + ": duplicate token, this record replaces the earlier one");
    UserInfo user{record[1], record[2], {}, {}};
    if (record.size() >= 4) user.groups = split_groups(record[3]);
    table.users[record[0]] = std::move(user);
  }
  return table;
}

TokenTable read_token_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read the token file '" + file.string() +
                             "': it is missing or unreadable; fix `path` in the config");
  std::stringstream text;
  text << in.rdbuf();
  return parse_token_csv(text.str(), file.string());
}

AuthnResult TokenFileAuthenticator::authenticate(const Credentials& credentials) {
  AuthnResult r;
  if (credentials.bearer_token.empty()) return r;
  auto it = table_.users.find(credentials.bearer_token);
  if (it == table_.users.end()) return r;
  r.outcome = AuthnResult::Outcome::Authenticated;
  r.user = it->second;
  return r;
}

}  // namespace ukube::authn::tokenfile
