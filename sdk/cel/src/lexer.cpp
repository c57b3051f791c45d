#include "lexer.h"
#include "utf8.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "ukube/cel/parser.h"

namespace ukube::cel::detail {
namespace {

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Words CEL keeps for itself: not usable as identifiers.
bool reserved(std::string_view word) {
  static constexpr std::array<std::string_view, 16> kWords = {
      "as",     "break", "const", "continue", "else",      "for",    "function", "if",
      "import", "let",   "loop",  "package",  "namespace", "return", "var",      "void"};
  for (auto w : kWords)
    if (w == word) return true;
  return word == "while";
}

}  // namespace

std::string located_message(std::string_view source, size_t offset, std::string_view what) {
  size_t line = 1, column = 1, line_start = 0;
  for (size_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      column = 1;
      line_start = i + 1;
    } else {
      ++column;
    }
  }
  const size_t line_end = source.find('\n', line_start);
  const std::string_view text = source.substr(
      line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
  return "ERROR: <input>:" + std::to_string(line) + ":" + std::to_string(column) + ": " + std::string(what) +
         "\n | " + std::string(text) + "\n | " + std::string(column - 1, '.') + "^";
}

void Lexer::fail(size_t offset, const std::string& what) const {
  throw ParseError(located_message(source_, offset, "Syntax error: " + what));
}

void Lexer::skip_space() {
  while (at_ < source_.size()) {
    const char c = source_[at_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++at_;
    } else if (c == '/' && at_ + 1 < source_.size() && source_[at_ + 1] == '/') {
      while (at_ < source_.size() && source_[at_] != '\n') ++at_;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  min_int_magnitude_ = false;
  skip_space();
  start_ = at_;
  if (at_ >= source_.size()) return token_ = Token::End;
  const char c = source_[at_];
  if (std::isdigit(static_cast<unsigned char>(c)) ||
      (c == '.' && at_ + 1 < source_.size() && std::isdigit(static_cast<unsigned char>(source_[at_ + 1])))) {
    number();
    return token_ = Token::Literal;
  }
  // String prefixes: r (raw), b (bytes), in either order and case.
  if (ident_start(c)) {
    size_t end = at_;
    while (end < source_.size() && ident_char(source_[end])) ++end;
    std::string_view word = source_.substr(at_, end - at_);
    const bool quote_follows = end < source_.size() && (source_[end] == '"' || source_[end] == '\'');
    if (quote_follows && word.size() <= 2) {
      bool raw = false, bytes = false, prefix = true;
      for (char p : word) {
        if ((p == 'r' || p == 'R') && !raw)
          raw = true;
        else if ((p == 'b' || p == 'B') && !bytes)
          bytes = true;
        else
          prefix = false;
      }
      if (prefix) {
        at_ = end;
        quoted(raw, bytes);
        return token_ = Token::Literal;
      }
    }
    at_ = end;
    text_ = word;
    if (word == "true" || word == "false") {
      literal_ = word == "true";
      return token_ = Token::Literal;
    }
    if (word == "null") {
      literal_ = Null{};
      return token_ = Token::Literal;
    }
    if (word == "in") return token_ = Token::In;
    if (reserved(word)) fail(start_, "reserved identifier: " + std::string(word));
    return token_ = Token::Ident;
  }
  if (c == '"' || c == '\'') {
    quoted(false, false);
    return token_ = Token::Literal;
  }
  static constexpr std::array<std::string_view, 6> kTwo = {"==", "!=", "<=", ">=", "&&", "||"};
  for (auto op : kTwo)
    if (source_.substr(at_, 2) == op) {
      text_ = source_.substr(at_, 2);
      at_ += 2;
      return token_ = Token::Punct;
    }
  if (std::string_view("<>+-*/%!?:.,[](){}").find(c) != std::string_view::npos) {
    text_ = source_.substr(at_, 1);
    ++at_;
    return token_ = Token::Punct;
  }
  fail(at_, std::string("token recognition error at: '") + c + "'");
}

void Lexer::number() {
  const size_t begin = at_;
  if (source_.substr(at_, 2) == "0x" || source_.substr(at_, 2) == "0X") {
    at_ += 2;
    const size_t digits = at_;
    while (at_ < source_.size() && std::isxdigit(static_cast<unsigned char>(source_[at_]))) ++at_;
    if (at_ == digits) fail(begin, "malformed hexadecimal literal");
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(source_.data() + digits, source_.data() + at_, v, 16);
    if (ec != std::errc()) fail(begin, "hexadecimal literal out of range");
    if (at_ < source_.size() && (source_[at_] == 'u' || source_[at_] == 'U')) {
      ++at_;
      literal_ = v;
    } else {
      if (v > static_cast<uint64_t>(INT64_MAX)) fail(begin, "integer literal out of range");
      literal_ = static_cast<int64_t>(v);
    }
    return;
  }
  while (at_ < source_.size() && std::isdigit(static_cast<unsigned char>(source_[at_]))) ++at_;
  bool is_double = false;
  if (at_ + 1 < source_.size() && source_[at_] == '.' &&
      std::isdigit(static_cast<unsigned char>(source_[at_ + 1]))) {
    is_double = true;
    ++at_;
    while (at_ < source_.size() && std::isdigit(static_cast<unsigned char>(source_[at_]))) ++at_;
  }
  if (at_ < source_.size() && (source_[at_] == 'e' || source_[at_] == 'E')) {
    size_t e = at_ + 1;
    if (e < source_.size() && (source_[e] == '+' || source_[e] == '-')) ++e;
    if (e < source_.size() && std::isdigit(static_cast<unsigned char>(source_[e]))) {
      is_double = true;
      at_ = e;
      while (at_ < source_.size() && std::isdigit(static_cast<unsigned char>(source_[at_]))) ++at_;
    }
  }
  const std::string text(source_.substr(begin, at_ - begin));
  if (is_double) {
    literal_ = std::strtod(text.c_str(), nullptr);
    return;
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc()) fail(begin, "integer literal out of range");
  if (at_ < source_.size() && (source_[at_] == 'u' || source_[at_] == 'U')) {
    ++at_;
    literal_ = v;
    return;
  }
  // 9223372036854775808 only as the operand of a minus; the parser folds the sign in.
  if (v > static_cast<uint64_t>(INT64_MAX) + 1) fail(begin, "integer literal out of range");
  min_int_magnitude_ = v == static_cast<uint64_t>(INT64_MAX) + 1;
  literal_ = min_int_magnitude_ ? Literal(INT64_MIN) : Literal(static_cast<int64_t>(v));
}

uint32_t Lexer::escape(std::string& out, bool bytes) {
  const size_t begin = at_;
  ++at_;  // the backslash
  if (at_ >= source_.size()) fail(begin, "unterminated escape sequence");
  const char c = source_[at_++];
  switch (c) {
    case 'a': out.push_back('\a'); return 0;
    case 'b': out.push_back('\b'); return 0;
    case 'f': out.push_back('\f'); return 0;
    case 'n': out.push_back('\n'); return 0;
    case 'r': out.push_back('\r'); return 0;
    case 't': out.push_back('\t'); return 0;
    case 'v': out.push_back('\v'); return 0;
    case '\\':
    case '\'':
    case '"':
    case '`':
    case '?': out.push_back(c); return 0;
    default: break;
  }
  auto hex = [&](size_t n) {
    if (at_ + n > source_.size()) fail(begin, "invalid escape sequence");
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(source_.data() + at_, source_.data() + at_ + n, v, 16);
    if (ec != std::errc() || end != source_.data() + at_ + n) fail(begin, "invalid escape sequence");
    at_ += n;
    return v;
  };
  uint32_t cp = 0;
  if (c == 'x' || c == 'X') {
    cp = hex(2);
  } else if (c == 'u' || c == 'U') {
    if (bytes) fail(begin, "unicode escapes are not allowed in bytes literals");
    cp = hex(c == 'u' ? 4 : 8);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail(begin, "invalid unicode code point");
    append_utf8(out, cp);
    return cp;
  } else if (c >= '0' && c <= '3') {
    if (at_ + 2 > source_.size()) fail(begin, "invalid escape sequence");
    cp = static_cast<uint32_t>(c - '0');
    for (int i = 0; i < 2; ++i) {
      const char d = source_[at_++];
      if (d < '0' || d > '7') fail(begin, "invalid escape sequence");
      cp = cp * 8 + static_cast<uint32_t>(d - '0');
    }
  } else {
    fail(begin, std::string("invalid escape sequence \\") + c);
  }
  // \x and octal escapes are bytes in bytes literals and code points in strings.
  if (bytes)
    out.push_back(static_cast<char>(cp));
  else
    append_utf8(out, cp);
  return cp;
}

void Lexer::quoted(bool raw, bool bytes) {
  const size_t begin = start_;
  const char q = source_[at_];
  const bool triple = source_.substr(at_, 3) == std::string(3, q);
  const std::string close = triple ? std::string(3, q) : std::string(1, q);
  at_ += close.size();
  std::string out;
  while (true) {
    if (at_ >= source_.size()) fail(begin, "unterminated string literal");
    if (source_.substr(at_, close.size()) == close) {
      at_ += close.size();
      break;
    }
    const char c = source_[at_];
    if (!triple && (c == '\n' || c == '\r')) fail(begin, "newline in a single-quoted string literal");
    if (c == '\\' && !raw) {
      escape(out, bytes);
      continue;
    }
    out.push_back(c);
    ++at_;
  }
  if (bytes)
    literal_ = Bytes{std::move(out)};
  else
    literal_ = std::move(out);
}

}  // namespace ukube::cel::detail
