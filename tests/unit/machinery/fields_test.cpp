// Field selectors against upstream's own tables: the cases come from k8s.io/apimachinery
// pkg/fields/selector_test.go — TestSplitTerms, TestSplitTerm, TestEscapeValue (whose
// invalid rows are upstream's UnescapeValue checks), TestSelectorParse,
// TestDeterministicParse, TestEverything and TestSelectorMatches.
//
// splitTerms, splitTerm and UnescapeValue are internal upstream and here; their tables
// are read through parse_field_selector. Matching lives with the API server's field
// accessors (kernel/pipeline), so TestSelectorMatches evaluates the parsed requirements
// with upstream's term rule (a missing field reads as ""), which still checks that every
// term was split and unescaped right. TestSetMatches, TestRequiresExactMatch and
// TestTransform exercise Go-only API and are left out. Where upstream's table only says
// "an error", the expected message is upstream's text for that input.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ukube/machinery/fields.h"

namespace {

using ukube::machinery::escape_field_value;
using ukube::machinery::FieldRequirement;
using ukube::machinery::FieldSelectorError;
using ukube::machinery::parse_field_selector;
using ukube::machinery::to_string;

// parse_field_selector's result, or its message when it throws.
struct Parsed {
  std::vector<FieldRequirement> requirements;
  std::string error;
};

Parsed parse(std::string_view text) {
  try {
    return {parse_field_selector(text), ""};
  } catch (const FieldSelectorError& e) {
    return {{}, e.what()};
  }
}

// TestSplitTerms: where the selector is cut. Parsing the whole selector must give exactly
// what parsing each of upstream's terms gives, in upstream's (bytewise sorted) term order,
// and fail with the same message when a term is broken.
TEST(FieldSelectorUpstream, SplitTerms) {
  struct Case {
    std::string_view selector;
    std::vector<std::string_view> terms;
  };
  const Case kCases[] = {
      // Simple selectors
      {R"(a)", {R"(a)"}},
      {R"(a=avalue)", {R"(a=avalue)"}},
      {R"(a=avalue,b=bvalue)", {R"(a=avalue)", R"(b=bvalue)"}},
      {R"(a=avalue,b==bvalue,c!=cvalue)", {R"(a=avalue)", R"(b==bvalue)", R"(c!=cvalue)"}},
      // Empty terms
      {R"()", {}},
      {R"(a=a,)", {R"(a=a)", R"()"}},
      {R"(,a=a)", {R"()", R"(a=a)"}},
      // Escaped values
      {R"(k=\,,k2=v2)", {R"(k=\,)", R"(k2=v2)"}},      // escaped comma in value
      {R"(k=\\,k2=v2)", {R"(k=\\)", R"(k2=v2)"}},      // escaped backslash, unescaped comma
      {R"(k=\\\,,k2=v2)", {R"(k=\\\,)", R"(k2=v2)"}},  // escaped backslash and comma
      {R"(k=\a\b\)", {R"(k=\a\b\)"}},                  // non-escape sequences
      {R"(k=\)", {R"(k=\)"}},                          // orphan backslash
      // Multi-byte
      {"함=수,목=록", {"함=수", "목=록"}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.selector);
    std::vector<std::string_view> terms = c.terms;
    std::sort(terms.begin(), terms.end());
    Parsed want;
    for (auto term : terms) {
      Parsed one = parse(term);
      if (!one.error.empty()) {
        // A term that cannot be split is reported with the whole selector.
        std::string prefix = "invalid selector: '" + std::string(term) + "'";
        if (one.error.starts_with(prefix))
          one.error = "invalid selector: '" + std::string(c.selector) + "'" + one.error.substr(prefix.size());
        want = {{}, one.error};
        break;
      }
      want.requirements.insert(want.requirements.end(), one.requirements.begin(), one.requirements.end());
    }
    Parsed got = parse(c.selector);
    EXPECT_EQ(got.error, want.error);
    EXPECT_EQ(got.requirements, want.requirements);
  }
  // The multi-byte terms come out whole, sorted bytewise (목 U+BAA9 before 함 U+D568).
  std::vector<FieldRequirement> korean = {{"목", true, "록"}, {"함", true, "수"}};
  EXPECT_EQ(parse_field_selector("함=수,목=록"), korean);
}

// TestSplitTerm: the first "!=", "==" or "=" splits the term; the right-hand side is then
// unescaped (`value`, worked out here; empty when unescaping fails, with `error`).
TEST(FieldSelectorUpstream, SplitTerm) {
  struct Case {
    std::string_view term;
    std::string_view lhs, op, rhs;
    bool ok;
    std::string_view value, error;
  };
  static constexpr Case kCases[] = {
      // Simple terms
      {R"(a=value)", R"(a)", R"(=)", R"(value)", true, "value", ""},
      {R"(b==value)", R"(b)", R"(==)", R"(value)", true, "value", ""},
      {R"(c!=value)", R"(c)", R"(!=)", R"(value)", true, "value", ""},
      // Empty or invalid terms. An empty term is skipped, so "" selects everything.
      {R"()", R"()", R"()", R"()", false, "", ""},
      {R"(a)", R"()", R"()", R"()", false, "", "invalid selector: 'a'; can't understand 'a'"},
      // Escaped values
      {R"(k=\,)", R"(k)", R"(=)", R"(\,)", true, ",", ""},
      {R"(k=\=)", R"(k)", R"(=)", R"(\=)", true, "=", ""},
      {R"(k=\\\a\b\=\,\)", R"(k)", R"(=)", R"(\\\a\b\=\,\)", true, "",
       R"(invalid field selector: invalid escape sequence: \a)"},
      // Multi-byte
      {"함=수", "함", "=", "수", true, "수", ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.term);
    Parsed got = parse(c.term);
    EXPECT_EQ(got.error, c.error);
    if (!c.ok || !c.error.empty()) {
      EXPECT_TRUE(got.requirements.empty());
      continue;
    }
    ASSERT_EQ(got.requirements.size(), 1u);
    const FieldRequirement& r = got.requirements[0];
    EXPECT_EQ(r.field, c.lhs);
    EXPECT_EQ(r.equals, c.op != "!=");
    EXPECT_EQ(r.value, c.value);
    // Printing escapes the value again: the right-hand side comes back as written.
    EXPECT_EQ(to_string(got.requirements), std::string(c.lhs) + (r.equals ? "=" : "!=") + std::string(c.rhs));
  }
}

// TestEscapeValue: EscapeValue, and UnescapeValue (through a "k=" term) back again.
TEST(FieldSelectorUpstream, EscapeValue) {
  struct Case {
    std::string_view unescaped, escaped;
  };
  static constexpr Case kCases[] = {
      {R"()", R"()"},    {R"(a)", R"(a)"},  {R"(=)", R"(\=)"},
      {R"(,)", R"(\,)"}, {R"(\)", R"(\\)"}, {R"(\=\,\)", R"(\\\=\\\,\\)"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.unescaped);
    EXPECT_EQ(escape_field_value(c.unescaped), c.escaped);
    std::vector<FieldRequirement> want = {{"k", true, std::string(c.unescaped)}};
    EXPECT_EQ(parse("k=" + std::string(c.escaped)).requirements, want);
  }

  // Invalid escape sequences (upstream checks the error type, InvalidEscapeSequence).
  struct Invalid {
    std::string_view value, error;
  };
  static constexpr Invalid kInvalid[] = {
      {R"(\)", R"(invalid field selector: invalid escape sequence: \)"},    // orphan slash is invalid
      {R"(\\\)", R"(invalid field selector: invalid escape sequence: \)"},  // orphan slash is invalid
      {R"(\a)", R"(invalid field selector: invalid escape sequence: \a)"},  // unrecognized escape sequence
  };
  for (const auto& c : kInvalid) EXPECT_EQ(parse("k=" + std::string(c.value)).error, c.error) << c.value;
}

TEST(FieldSelectorUpstream, SelectorParse) {
  for (std::string_view good : {"x=a,y=b,z=c", "", "x!=a,y=b", R"(x=a||y\=b)", R"(x=a\=\=b)"}) {
    Parsed got = parse(good);
    EXPECT_EQ(got.error, "") << good;
    EXPECT_EQ(to_string(got.requirements), good);
  }
  struct Bad {
    std::string_view selector, error;
  };
  // 61 is '=': upstream prints the rune with %v.
  static constexpr Bad kBad[] = {
      {"x=a||y=b", "invalid field selector: unescaped character in value: 61"},
      {"x==a==b", "invalid field selector: unescaped character in value: 61"},
      {"x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'"},
      {"x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'"},
      {"x in (a,b,c)", "invalid selector: 'x in (a,b,c)'; can't understand 'b'"},
      {"x", "invalid selector: 'x'; can't understand 'x'"},
  };
  for (const auto& c : kBad) EXPECT_EQ(parse(c.selector).error, c.error) << c.selector;
}

TEST(FieldSelectorUpstream, DeterministicParse) {
  EXPECT_EQ(to_string(parse_field_selector("x=a,a=x")), to_string(parse_field_selector("a=x,x=a")));
  EXPECT_EQ(to_string(parse_field_selector("x=a,a=x")), "a=x,x=a");
}

TEST(FieldSelectorUpstream, Everything) {
  EXPECT_TRUE(parse_field_selector("").empty());
}

// Upstream's hasTerm / notHasTerm: a missing field reads as "".
bool selects(const std::vector<FieldRequirement>& selector,
             const std::map<std::string, std::string>& fields) {
  return std::all_of(selector.begin(), selector.end(), [&](const FieldRequirement& r) {
    auto it = fields.find(r.field);
    return ((it == fields.end() ? "" : it->second) == r.value) == r.equals;
  });
}

TEST(FieldSelectorUpstream, SelectorMatches) {
  using Set = std::map<std::string, std::string>;
  const Set fieldset = {{"foo", "bar"}, {"baz", "blah"}, {"complex", R"(=value\,\)"}};
  struct Case {
    std::string_view selector;
    Set fields;
    bool match;
  };
  const Case kCases[] = {
      {"", {{"x", "y"}}, true},
      {"x=y", {{"x", "y"}}, true},
      {"x=y,z=w", {{"x", "y"}, {"z", "w"}}, true},
      {"x!=y,z!=w", {{"x", "z"}, {"z", "a"}}, true},
      {"notin=in", {{"notin", "in"}}, true},  // in and notin in exactMatch
      {"x=y", {{"x", "z"}}, false},
      {"x=y,z=w", {{"x", "w"}, {"z", "w"}}, false},
      {"x!=y,z!=w", {{"x", "z"}, {"z", "w"}}, false},
      {"foo=bar", fieldset, true},
      {"baz=blah", fieldset, true},
      {"foo=bar,baz=blah", fieldset, true},
      {R"(foo=bar,baz=blah,complex=\=value\\\,\\)", fieldset, true},
      {"foo=blah", fieldset, false},
      {"baz=bar", fieldset, false},
      {"foo=bar,foobar=bar,baz=blah", fieldset, false},
  };
  for (const auto& c : kCases)
    EXPECT_EQ(selects(parse_field_selector(c.selector), c.fields), c.match) << c.selector;
}

// Not a table upstream, but its parseSelector semantics: every term passes through an
// identity Transform, which turns a term with neither field nor value into Everything and
// drops it; a term with only one of them stays.
TEST(FieldSelectorUpstream, EmptyTermsAfterTransform) {
  EXPECT_TRUE(parse_field_selector("=").empty());
  EXPECT_TRUE(parse_field_selector("!=").empty());
  std::vector<FieldRequirement> kept = {{"", true, "x"}, {"a", true, "b"}};
  EXPECT_EQ(parse_field_selector("!=,==x,a=b"), kept);
  std::vector<FieldRequirement> empty_value = {{"x", false, ""}};
  EXPECT_EQ(parse_field_selector("x!="), empty_value);
}

// splitTerm honours no escapes on the left-hand side: the first '=' splits `a\=b=c`, and
// what is left of the value then holds an unescaped '='.
TEST(FieldSelectorUpstream, LeftHandSideHasNoEscapes) {
  EXPECT_EQ(parse(R"(a\=b=c)").error, "invalid field selector: unescaped character in value: 61");
  std::vector<FieldRequirement> split = {{R"(a\)", true, "b"}};
  EXPECT_EQ(parse(R"(a\=b)").requirements, split);
}

// UnescapeValue walks runes: an escaped multi-byte character is reported whole, and once
// a value has something to unescape, bytes that are not UTF-8 come back as U+FFFD.
TEST(FieldSelectorUpstream, UnescapeRunes) {
  EXPECT_EQ(parse("k=\\é").error, "invalid field selector: invalid escape sequence: \\é");
  std::vector<FieldRequirement> replaced = {{"k", true, "\xEF\xBF\xBD,"}};
  EXPECT_EQ(parse("k=\xFF\\,").requirements, replaced);
  std::vector<FieldRequirement> untouched = {{"k", true, "\xFF"}};
  EXPECT_EQ(parse("k=\xFF").requirements, untouched);
}

}  // namespace
