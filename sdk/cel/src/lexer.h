#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ukube/cel/ast.h"

// CEL's tokens: numbers (int, uint with a u suffix, double, hex), strings and bytes in all
// their quotings (', ", triple, raw r'', bytes b''), identifiers, reserved words and the
// punctuation of its operators. Comments (//) and whitespace are skipped.
namespace ukube::cel::detail {

// `what` located in `source` as cel-go locates its errors:
//   ERROR: <input>:1:6: <what>
//    | self.
//    | .....^
std::string located_message(std::string_view source, size_t offset, std::string_view what);

enum class Token : uint8_t {
  End,
  Literal,  // the value is in Lexer::literal()
  Ident,
  Punct,  // the text is in Lexer::text(): == != <= >= && || < > + - * / % ! ? : . , [ ] ( ) { }
  In,
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  // Reads the next token; throws ParseError (via fail) on a malformed one.
  Token next();
  Token token() const { return token_; }
  std::string_view text() const { return text_; }
  const Literal& literal() const { return literal_; }
  size_t offset() const { return start_; }
  size_t end() const { return at_; }  // just past the current token
  // The literal just read is 9223372036854775808 (held as INT64_MIN): valid only negated.
  bool min_int_magnitude() const { return min_int_magnitude_; }
  std::string_view source() const { return source_; }

  // The ParseError for `what` at `offset`, with cel-go's location and caret.
  [[noreturn]] void fail(size_t offset, const std::string& what) const;

 private:
  void skip_space();
  void number();
  void quoted(bool raw, bool bytes);
  uint32_t escape(std::string& out, bool bytes);

  std::string_view source_;
  size_t at_ = 0;
  size_t start_ = 0;
  Token token_ = Token::End;
  std::string_view text_;
  Literal literal_;
  bool min_int_magnitude_ = false;
};

}  // namespace ukube::cel::detail
