#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "ukube/cel/ast.h"

// CEL's grammar (cel-spec's langdef), with its macros (has, all, exists, exists_one, map,
// filter) expanded while parsing and the optional syntax (a.?b, a[?i], [?x], {?k: v}).
namespace ukube::cel {

// What is wrong, where, as cel-go words a syntax error:
//   ERROR: <input>:1:6: Syntax error: unexpected end of input
//    | self.
//    | .....^
class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ParseError. Expressions nest at most 250 levels (cel-go's default limit).
ExprPtr parse(std::string_view source);

}  // namespace ukube::cel
