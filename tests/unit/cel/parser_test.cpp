// CEL's syntax: precedence and associativity, literals in every quoting, macros, the
// optional syntax, and syntax errors located as cel-go locates them.
#include <gtest/gtest.h>

#include "ukube/cel/parser.h"

namespace ukube::cel {
namespace {

std::string parsed(std::string_view source) {
  return to_string(*parse(source));
}

std::string error_of(std::string_view source) {
  try {
    parse(source);
  } catch (const ParseError& e) {
    return e.what();
  }
  return "no error";
}

TEST(CelParser, PrecedenceAndAssociativity) {
  EXPECT_EQ(parsed("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(parsed("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(parsed("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(parsed("a || b && c"), "(a || (b && c))");
  EXPECT_EQ(parsed("a && b || c && d"), "((a && b) || (c && d))");
  EXPECT_EQ(parsed("x < 1 == y > 2"), "(((x < 1) == y) > 2)");
  EXPECT_EQ(parsed("a + b < c * d"), "((a + b) < (c * d))");
  EXPECT_EQ(parsed("'a' in ['a', 'b']"), R"(("a" in ["a", "b"]))");
  EXPECT_EQ(parsed("a ? b : c ? d : e"), "(a ? b : (c ? d : e))");
  EXPECT_EQ(parsed("a || b ? 1 : 2"), "((a || b) ? 1 : 2)");
  EXPECT_EQ(parsed("!!a"), "!!a");
  EXPECT_EQ(parsed("-a.b"), "-a.b");
  EXPECT_EQ(parsed("x % 2 == 0"), "((x % 2) == 0)");
}

TEST(CelParser, MembersCallsAndIndexes) {
  EXPECT_EQ(parsed("self.spec.replicas"), "self.spec.replicas");
  EXPECT_EQ(parsed("self.name.startsWith('a')"), R"(self.name.startsWith("a"))");
  EXPECT_EQ(parsed("size(self.items) <= 3"), "(size(self.items) <= 3)");
  EXPECT_EQ(parsed("self.m['key'].x[0]"), R"(self.m["key"].x[0])");
  EXPECT_EQ(parsed("f(1, 2,)"), "f(1, 2)");
  EXPECT_EQ(parsed(".root.x"), ".root.x");
}

TEST(CelParser, Literals) {
  EXPECT_EQ(parsed("42"), "42");
  EXPECT_EQ(parsed("-42"), "-42");
  EXPECT_EQ(parsed("--42"), "--42");
  EXPECT_EQ(parsed("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(parsed("0x1F"), "31");
  EXPECT_EQ(parsed("42u"), "42u");
  EXPECT_EQ(parsed("18446744073709551615u"), "18446744073709551615u");
  EXPECT_EQ(parsed("3.5"), "3.5");
  EXPECT_EQ(parsed("1e3"), "1000.0");
  EXPECT_EQ(parsed("-2.5e-1"), "-0.25");
  EXPECT_EQ(parsed("true && !false"), "(true && !false)");
  EXPECT_EQ(parsed("null"), "null");
  EXPECT_EQ(parsed(R"("a\tb\"c")"), R"("a\tb\"c")");
  EXPECT_EQ(parsed(R"('it\'s')"), R"("it's")");
  EXPECT_EQ(parsed(R"(r'\d+\.')"), R"("\\d+\\.")");
  EXPECT_EQ(parsed(R"("\u00e9\x41\101")"),
            "\"\xC3\xA9"
            "AA\"");
  EXPECT_EQ(parsed(R"(b'\xff\x00')"), R"(b"\xff\x00")");
  EXPECT_EQ(parsed("'''one\ntwo'''"), R"("one\ntwo")");
  EXPECT_EQ(parsed("1 // a comment\n + 2"), "(1 + 2)");
}

TEST(CelParser, Macros) {
  EXPECT_EQ(parsed("has(self.spec)"), "has(self.spec)");
  EXPECT_EQ(parsed("self.items.all(i, i.size() < 10)"), "self.items.all(i, (i.size() < 10))");
  EXPECT_EQ(parsed("self.l.exists(x, x == 1)"), "self.l.exists(x, (x == 1))");
  EXPECT_EQ(parsed("self.l.exists_one(x, x == 1)"), "self.l.exists_one(x, (x == 1))");
  EXPECT_EQ(parsed("self.l.map(x, x * 2)"), "self.l.map(x, (x * 2))");
  EXPECT_EQ(parsed("self.l.map(x, x > 0, x * 2)"), "self.l.map(x, (x > 0), (x * 2))");
  EXPECT_EQ(parsed("self.l.filter(x, x > 0).size()"), "self.l.filter(x, (x > 0)).size()");
  // Same names, other shapes: plain calls.
  EXPECT_EQ(parsed("self.l.all(x)"), "self.l.all(x)");
  EXPECT_EQ(parse("has(self.spec)")->kind, Expr::Kind::Select);
  EXPECT_TRUE(parse("has(self.spec)")->test_only);
}

TEST(CelParser, OptionalSyntax) {
  EXPECT_EQ(parsed("self.?spec.?x.orValue(1)"), "self.?spec.?x.orValue(1)");
  EXPECT_EQ(parsed("self.m[?'k']"), R"(self.m[?"k"])");
  EXPECT_EQ(parsed("[1, ?x]"), "[1, ?x]");
  EXPECT_EQ(parsed("{'a': 1, ?'b': y}"), R"({"a": 1, ?"b": y})");
}

TEST(CelParser, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(
      error_of("self."),
      "ERROR: <input>:1:6: Syntax error: mismatched input <EOF> expecting IDENTIFIER\n | self.\n | .....^");
  EXPECT_EQ(error_of("1 +"), "ERROR: <input>:1:4: Syntax error: unexpected end of input\n | 1 +\n | ...^");
  EXPECT_EQ(error_of("(1"),
            "ERROR: <input>:1:3: Syntax error: mismatched input <EOF> expecting ')'\n | (1\n | ..^");
  EXPECT_EQ(error_of("a b"),
            "ERROR: <input>:1:3: Syntax error: mismatched input 'b' expecting <EOF>\n | a b\n | ..^");
  EXPECT_EQ(error_of("has(x)").find("invalid argument to has() macro"), error_of("has(x)").find("invalid"));
  EXPECT_NE(error_of("has(x)").find("invalid argument to has() macro"), std::string::npos);
  EXPECT_NE(error_of("l.all(1, true)").find("argument must be a simple name"), std::string::npos);
  EXPECT_NE(error_of("'abc").find("unterminated string literal"), std::string::npos);
  EXPECT_NE(error_of("9223372036854775808").find("integer literal out of range"), std::string::npos);
  EXPECT_NE(error_of("if").find("reserved identifier: if"), std::string::npos);
  EXPECT_NE(error_of("a # b").find("token recognition error at: '#'"), std::string::npos);
  EXPECT_NE(error_of("'\\q'").find("invalid escape sequence"), std::string::npos);
  EXPECT_NE(error_of("x\n  && )").find("<input>:2:6:"), std::string::npos) << error_of("x\n  && )");
  std::string deep(300, '(');
  EXPECT_NE(error_of(deep + "1" + std::string(300, ')')).find("recursion limit"), std::string::npos);
}

}  // namespace
}  // namespace ukube::cel
