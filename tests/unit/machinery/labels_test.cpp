// Label selectors against upstream's own tables: the cases come from k8s.io/apimachinery
// pkg/labels/selector_test.go — TestSelectorParse, TestDeterministicParse, TestEverything,
// TestSelectorMatches, TestSetMatches, TestNilMapIsValid, TestSetIsEmpty, TestLexer,
// TestLexerSequence, TestParserLookahead, TestParseOperator, TestRequirementConstructor,
// TestToString, TestRequirementSelectorMatching, TestSetSelectorParser,
// TestSetSelectorString and TestMatchesNothing — and from pkg/apis/meta/v1/helpers_test.go
// (TestLabelSelectorAsSelector).
//
// The lexer and the parser's lookahead are not part of our API, so their tables are read
// through parse_selector: each input's tokens decide whether and how it parses. Upstream
// builds requirements with NewRequirement, which we do not offer either; those rows go
// through the two routes that build requirements here, selector text and
// metav1.LabelSelector JSON. Where upstream's table only says "an error", the expected
// message is upstream's text for that input, worked out from its parser.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "ukube/labels.h"
#include "ukube/machinery/labels.h"

namespace {

using ukube::Labels;
using ukube::LabelSelector;
using ukube::Requirement;
using ukube::SelectorOp;
using ukube::machinery::matches;
using ukube::machinery::parse_selector;
using ukube::machinery::selector_from_json;
using ukube::machinery::selector_from_json_or_nothing;
using ukube::machinery::selector_from_map;
using ukube::machinery::SelectorError;
using ukube::machinery::to_string;

Labels set(std::initializer_list<std::pair<const char*, const char*>> entries) {
  std::vector<Labels::Entry> out;
  for (const auto& [k, v] : entries) out.emplace_back(k, v);
  return Labels(std::move(out));
}

// What parse_selector says about `text`: "" when it parses, else its message.
std::string parse_error(std::string_view text) {
  try {
    parse_selector(text);
    return "";
  } catch (const SelectorError& e) {
    return e.what();
  }
}

// An expected message. Some end in validation explanations (the label key and value
// rules), which upstream's own tables ignore too (cmpopts.IgnoreFields(..., "Detail")):
// for those only the field and bad value, up to the explanation, are compared.
struct Message {
  std::string text;
  bool detail_follows = false;
};

void expect_message(const std::string& got, const Message& want) {
  if (want.detail_follows)
    EXPECT_TRUE(got.starts_with(want.text)) << got << "\nshould start with\n" << want.text;
  else
    EXPECT_EQ(got, want.text);
}

boost::json::object object(std::string_view json) {
  return boost::json::parse(json).as_object();
}

TEST(LabelSelectorUpstream, SelectorParse) {
  static constexpr std::string_view kGood[] = {
      "x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5",
  };
  for (auto text : kGood) {
    SCOPED_TRACE(text);
    std::string without_spaces(text);
    std::erase(without_spaces, ' ');
    EXPECT_EQ(to_string(parse_selector(text)), without_spaces);
  }
  struct Bad {
    std::string_view text;
    Message error;
  };
  const Bad kBad[] = {
      {"x=a||y=b", {"unable to parse requirement: values[0][x]: Invalid value: \"a||y\": ", true}},
      {"x==a==b", {"found '==', expected: ',' or 'end of string'"}},
      {"!x=a", {"found '=', expected: ',' or 'end of string'"}},
      {"x<a",
       {"unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value "
        "must "
        "be an integer"}},
  };
  for (const auto& c : kBad) {
    SCOPED_TRACE(c.text);
    expect_message(parse_error(c.text), c.error);
  }
}

TEST(LabelSelectorUpstream, DeterministicParse) {
  EXPECT_EQ(to_string(parse_selector("x=a,a=x")), to_string(parse_selector("a=x,x=a")));
}

TEST(LabelSelectorUpstream, Everything) {
  LabelSelector everything = parse_selector("");
  EXPECT_TRUE(matches(everything, set({{"x", "y"}})));
  EXPECT_TRUE(everything.empty());
}

TEST(LabelSelectorUpstream, SelectorMatches) {
  struct Case {
    std::string_view selector;
    Labels labels;
    bool match;
  };
  const Labels labelset = set({{"foo", "bar"}, {"baz", "blah"}});
  const Case kCases[] = {
      {"", set({{"x", "y"}}), true},
      {"x=y", set({{"x", "y"}}), true},
      {"x=y,z=w", set({{"x", "y"}, {"z", "w"}}), true},
      {"x!=y,z!=w", set({{"x", "z"}, {"z", "a"}}), true},
      {"notin=in", set({{"notin", "in"}}), true},  // in and notin in exactMatch
      {"x", set({{"x", "z"}}), true},
      {"!x", set({{"y", "z"}}), true},
      {"x>1", set({{"x", "2"}}), true},
      {"x<1", set({{"x", "0"}}), true},
      {"x=z", set({}), false},
      {"x=y", set({{"x", "z"}}), false},
      {"x=y,z=w", set({{"x", "w"}, {"z", "w"}}), false},
      {"x!=y,z!=w", set({{"x", "z"}, {"z", "w"}}), false},
      {"x", set({{"y", "z"}}), false},
      {"!x", set({{"x", "z"}}), false},
      {"x>1", set({{"x", "0"}}), false},
      {"x<1", set({{"x", "2"}}), false},
      {"foo=bar", labelset, true},
      {"baz=blah", labelset, true},
      {"foo=bar,baz=blah", labelset, true},
      {"foo=blah", labelset, false},
      {"baz=bar", labelset, false},
      {"foo=bar,foobar=bar,baz=blah", labelset, false},
  };
  for (const auto& c : kCases)
    EXPECT_EQ(matches(parse_selector(c.selector), c.labels), c.match) << c.selector;
}

// SelectorFromSet is selector_from_map here.
TEST(LabelSelectorUpstream, SetMatches) {
  const Labels labelset = set({{"foo", "bar"}, {"baz", "blah"}});
  for (std::string_view selector :
       {"{}", R"({"foo":"bar"})", R"({"baz":"blah"})", R"({"foo":"bar","baz":"blah"})"})
    EXPECT_TRUE(matches(selector_from_map(object(selector)), labelset)) << selector;
}

TEST(LabelSelectorUpstream, NilMapIsValidAndEmpty) {
  EXPECT_TRUE(selector_from_map(object("{}")).empty());  // TestNilMapIsValid, TestSetIsEmpty
  EXPECT_TRUE(LabelSelector().empty());                  // NewSelector().Empty()
}

TEST(LabelSelectorUpstream, SetSelectorString) {
  struct Case {
    std::string_view set, out;
  };
  static constexpr Case kCases[] = {
      {"{}", ""},
      {R"({"app":"foo"})", "app=foo"},
      {R"({"app":"foo","a":"b"})", "a=b,app=foo"},
  };
  for (const auto& c : kCases) EXPECT_EQ(to_string(selector_from_map(object(c.set))), c.out) << c.set;
}

// TestLexer: one token per input. Tokens that cannot start a requirement show up whole
// (the longest token, as the lexer reads them) in the parser's complaint; "in" and
// "notin" are keys where a key is expected; "~" and "||" are identifiers, refused only
// as label keys.
TEST(LabelSelectorUpstream, Lexer) {
  struct Case {
    std::string_view input;
    std::string_view upstream_token;
    Message error;  // "" : parses
  };
  const Case kCases[] = {
      {"", "EndOfString", {""}},
      {",", "Comma", {"found ',', expected: !, identifier, or 'end of string'"}},
      {"notin", "NotIn", {""}},
      {"in", "In", {""}},
      {"=", "Equals", {"found '=', expected: !, identifier, or 'end of string'"}},
      {"==", "DoubleEquals", {"found '==', expected: !, identifier, or 'end of string'"}},
      {">", "GreaterThan", {"found '>', expected: !, identifier, or 'end of string'"}},
      {"<", "LessThan", {"found '<', expected: !, identifier, or 'end of string'"}},
      {"!", "DoesNotExist", {"unable to parse requirement: found '', expected: identifier"}},
      {"!=", "NotEquals", {"found '!=', expected: !, identifier, or 'end of string'"}},
      {"(", "OpenPar", {"found '(', expected: !, identifier, or 'end of string'"}},
      {")", "ClosedPar", {"found ')', expected: !, identifier, or 'end of string'"}},
      {"~", "Identifier", {"unable to parse requirement: <nil>: Invalid value: \"~\": ", true}},
      {"||", "Identifier", {"unable to parse requirement: <nil>: Invalid value: \"||\": ", true}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(c.input) + " (" + std::string(c.upstream_token) + ")");
    expect_message(parse_error(c.input), c.error);
  }
  // Keywords are keys at the start of a requirement.
  EXPECT_EQ(to_string(parse_selector("notin")), "notin");
  EXPECT_EQ(to_string(parse_selector("in")), "in");
}

// TestLexerSequence and TestParserLookahead (the same inputs, the latter with "" too).
TEST(LabelSelectorUpstream, ParserLookahead) {
  struct Case {
    std::string_view input;
    std::string_view printed;  // to_string of the result when it parses
    std::string_view error;
  };
  static constexpr Case kCases[] = {
      // Identifier In OpenPar Identifier ClosedPar
      {"key in ( value )", "key in (value)", ""},
      // Identifier NotIn OpenPar Identifier ClosedPar
      {"key notin ( value )", "key notin (value)", ""},
      // Identifier In OpenPar Identifier Comma Identifier ClosedPar
      {"key in ( value1, value2 )", "key in (value1,value2)", ""},
      {"key", "key", ""},    // Identifier
      {"!key", "!key", ""},  // DoesNotExist Identifier
      // OpenPar ClosedPar
      {"()", "", "found '(', expected: !, identifier, or 'end of string'"},
      {"", "", ""},  // EndOfString
      // Identifier In OpenPar ClosedPar Comma Identifier
      {"x in (),y", "x in (),y", ""},
      // DoubleEquals NotEquals OpenPar ClosedPar Comma Equals NotIn
      {"== != (), = notin", "", "found '==', expected: !, identifier, or 'end of string'"},
      {"key>2", "key>2", ""},  // Identifier GreaterThan Identifier
      {"key<1", "key<1", ""},  // Identifier LessThan Identifier
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(parse_error(c.input), c.error);
    if (c.error.empty()) {
      EXPECT_EQ(to_string(parse_selector(c.input)), c.printed);
    }
  }
}

// TestParseOperator: each token in operator position, after the key "x".
TEST(LabelSelectorUpstream, ParseOperator) {
  struct Case {
    std::string_view token, operand;
    std::string_view error;
  };
  static constexpr Case kCases[] = {
      {"in", "(y)", ""},
      {"=", "y", ""},
      {"==", "y", ""},
      {">", "1", ""},
      {"<", "1", ""},
      {"notin", "(y)", ""},
      {"!=", "y", ""},
      {"!", "y", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"},
      {"exists", "y", "unable to parse requirement: found 'exists', expected: in, notin, =, ==, !=, gt, lt"},
      {"(", "y", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"},
  };
  for (const auto& c : kCases) {
    std::string input = "x " + std::string(c.token) + " " + std::string(c.operand);
    EXPECT_EQ(parse_error(input), c.error) << input;
  }
}

// TestRequirementConstructor. Each row goes through the route that can build it:
// matchExpressions (In, NotIn, Exists, DoesNotExist), matchLabels (one Equals value) or
// selector text (Gt, Lt). Two rows have no route and are left out: Equals with two values
// (x5) and Gt with no value (x13). Routes change two details of upstream's errors:
// LabelSelectorAsSelector passes "no values" on as a nil list, so the bad value prints as
// null where NewRequirement's table has [], and it refuses an unknown operator itself
// (x18) before NewRequirement could.
TEST(LabelSelectorUpstream, RequirementConstructor) {
  enum Route { kExpression, kExpressionNoValues, kMatchLabel, kText };
  struct Case {
    Route route;
    std::string key;
    std::string op;  // the JSON operator, or the text operator
    std::vector<std::string> values;
    Message error;  // "": valid
  };
  const std::string long_value(254, 'a');  // breaks the 253/63-character limits
  const Case kCases[] = {
      {kExpressionNoValues,
       "x1",
       "In",
       {},
       {"values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"}},
      {kExpression,
       "x2",
       "NotIn",
       {},
       {"values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"}},
      {kExpression, "x3", "In", {"foo"}, {""}},
      {kExpression, "x4", "NotIn", {"foo"}, {""}},
      {kExpressionNoValues, "x6", "Exists", {}, {""}},
      {kExpressionNoValues, "x7", "DoesNotExist", {}, {""}},
      {kExpression,
       "x8",
       "Exists",
       {"foo"},
       {R"(values: Invalid value: ["foo"]: values set must be empty for exists and does not exist)"}},
      {kExpression, "x9", "In", {"bar"}, {""}},
      {kExpression, "x10", "In", {"bar"}, {""}},
      {kText, "x11", ">", {"1"}, {""}},
      {kText, "x12", "<", {"6"}, {""}},
      {kText,
       "x14",
       ">",
       {"bar"},
       {"unable to parse requirement: values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value "
        "must be an integer"}},
      {kText,
       "x15",
       "<",
       {"bar"},
       {"unable to parse requirement: values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value "
        "must be an integer"}},
      {kExpressionNoValues, long_value, "Exists", {}, {"key: Invalid value: \"" + long_value + "\": ", true}},
      {kMatchLabel,
       "x16",
       "",
       {long_value},
       {"values[0][x16]: Invalid value: \"" + long_value + "\": ", true}},
      {kMatchLabel, "x17", "", {"a b"}, {"values[0][x17]: Invalid value: \"a b\": ", true}},
      {kExpressionNoValues,
       "x18",
       "unsupportedOp",
       {},
       {"\"unsupportedOp\" is not a valid label selector operator"}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.key);
    if (c.route == kText) {
      expect_message(parse_error(c.key + c.op + c.values.at(0)), c.error);
      continue;
    }
    boost::json::object selector;
    if (c.route == kMatchLabel) {
      selector["matchLabels"] = boost::json::object{{c.key, c.values.at(0)}};
    } else {
      boost::json::object expression{{"key", c.key}, {"operator", c.op}};
      if (c.route == kExpression) {
        boost::json::array values;
        for (const auto& v : c.values) values.emplace_back(v);
        expression["values"] = std::move(values);
      }
      selector["matchExpressions"] = boost::json::array{expression};
    }
    std::string error;
    auto converted = selector_from_json(selector, &error);
    EXPECT_EQ(converted.has_value(), c.error.text.empty());
    if (!c.error.text.empty()) expect_message(error, c.error);
  }
}

TEST(LabelSelectorUpstream, ToString) {
  struct Case {
    std::vector<Requirement> requirements;
    std::string_view out;
  };
  // The row ending in a zero Requirement ("x in (abc,def),") is left out: our
  // requirements always carry an operator.
  const Case kCases[] = {
      {{{"x", SelectorOp::In, {"abc", "def"}},
        {"y", SelectorOp::NotIn, {"jkl"}},
        {"z", SelectorOp::Exists, {}}},
       "x in (abc,def),y notin (jkl),z"},
      {{{"x", SelectorOp::NotIn, {"abc", "def"}},
        {"y", SelectorOp::NotEquals, {"jkl"}},
        {"z", SelectorOp::DoesNotExist, {}}},
       "x notin (abc,def),y!=jkl,!z"},
      {{{"x", SelectorOp::NotIn, {"abc"}},
        {"y", SelectorOp::In, {"jkl", "mno"}},
        {"z", SelectorOp::NotIn, {""}}},
       "x notin (abc),y in (jkl,mno),z notin ()"},
      {{{"x", SelectorOp::Equals, {"abc"}},
        {"y", SelectorOp::DoubleEquals, {"jkl"}},
        {"z", SelectorOp::NotEquals, {"a"}},
        {"z", SelectorOp::Exists, {}}},
       "x=abc,y==jkl,z!=a,z"},
      {{{"x", SelectorOp::Gt, {"2"}}, {"y", SelectorOp::Lt, {"8"}}, {"z", SelectorOp::Exists, {}}},
       "x>2,y<8,z"},
  };
  for (const auto& c : kCases) EXPECT_EQ(to_string(LabelSelector{c.requirements}), c.out);
}

// The row with a zero Requirement is left out, as in ToString.
TEST(LabelSelectorUpstream, RequirementSelectorMatching) {
  struct Case {
    Labels labels;
    std::vector<Requirement> requirements;
    bool match;
  };
  const Case kCases[] = {
      {set({{"x", "foo"}, {"y", "baz"}}),
       {{"x", SelectorOp::In, {"foo"}}, {"y", SelectorOp::NotIn, {"alpha"}}},
       true},
      {set({{"x", "foo"}, {"y", "baz"}}),
       {{"x", SelectorOp::In, {"foo"}}, {"y", SelectorOp::In, {"alpha"}}},
       false},
      {set({{"y", ""}}), {{"x", SelectorOp::NotIn, {""}}, {"y", SelectorOp::Exists, {}}}, true},
      {set({{"y", ""}}), {{"x", SelectorOp::DoesNotExist, {}}, {"y", SelectorOp::Exists, {}}}, true},
      {set({{"y", ""}}), {{"x", SelectorOp::NotIn, {""}}, {"y", SelectorOp::DoesNotExist, {}}}, false},
      {set({{"y", "baz"}}), {{"x", SelectorOp::In, {""}}}, false},
      {set({{"z", "2"}}), {{"z", SelectorOp::Gt, {"1"}}}, true},
      {set({{"z", "v2"}}), {{"z", SelectorOp::Gt, {"1"}}}, false},
  };
  for (const auto& c : kCases) {
    LabelSelector selector{c.requirements};
    EXPECT_EQ(matches(selector, c.labels), c.match) << to_string(selector);
  }
}

// TestSetSelectorParser. `out` is compared when upstream compares it (Match); values
// are sorted and unique, as upstream's sets.String gives them.
TEST(LabelSelectorUpstream, SetSelectorParser) {
  struct Case {
    std::string_view in;
    std::vector<Requirement> out;
    bool match;
    bool valid;
  };
  const Case kCases[] = {
      {"", {}, true, true},
      {"\rx", {{"x", SelectorOp::Exists, {}}}, true, true},
      {"this-is-a-dns.domain.com/key-with-dash",
       {{"this-is-a-dns.domain.com/key-with-dash", SelectorOp::Exists, {}}},
       true,
       true},
      {"this-is-another-dns.domain.com/key-with-dash in (so,what)",
       {{"this-is-another-dns.domain.com/key-with-dash", SelectorOp::In, {"so", "what"}}},
       true,
       true},
      {"0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
       {{"0.1.2.domain/99", SelectorOp::NotIn, {"10.10.100.1", "tick.tack.clock"}}},
       true,
       true},
      {"foo  in\t (abc)", {{"foo", SelectorOp::In, {"abc"}}}, true, true},
      {"x notin\n (abc)", {{"x", SelectorOp::NotIn, {"abc"}}}, true, true},
      {"x  notin\t\t\t(abc,def)", {{"x", SelectorOp::NotIn, {"abc", "def"}}}, true, true},
      {"x in (abc,def)", {{"x", SelectorOp::In, {"abc", "def"}}}, true, true},
      {"x in (abc,)", {{"x", SelectorOp::In, {"", "abc"}}}, true, true},
      {"x in (abc,abc)", {{"x", SelectorOp::In, {"abc"}}}, true, true},
      {"x in ()", {{"x", SelectorOp::In, {""}}}, true, true},
      {"x in (a,,)", {{"x", SelectorOp::In, {"", "a"}}}, true, true},
      {"x in (a,,,)", {{"x", SelectorOp::In, {"", "a"}}}, true, true},
      {"x in (a,,,,,,)", {{"x", SelectorOp::In, {"", "a"}}}, true, true},
      {"x in (a,,a,,a,,a,,)", {{"x", SelectorOp::In, {"", "a"}}}, true, true},
      {"x notin (abc,,def),bar,z in (),w",
       {{"bar", SelectorOp::Exists, {}},
        {"w", SelectorOp::Exists, {}},
        {"x", SelectorOp::NotIn, {"", "abc", "def"}},
        {"z", SelectorOp::In, {""}}},
       true,
       true},
      {"x,y in (a)", {{"y", SelectorOp::In, {"a"}}, {"x", SelectorOp::Exists, {}}}, false, true},
      {"x=a", {{"x", SelectorOp::Equals, {"a"}}}, true, true},
      {"x>1", {{"x", SelectorOp::Gt, {"1"}}}, true, true},
      {"x<7", {{"x", SelectorOp::Lt, {"7"}}}, true, true},
      {"x=a,y!=b", {{"x", SelectorOp::Equals, {"a"}}, {"y", SelectorOp::NotEquals, {"b"}}}, true, true},
      {"x=a,y!=b,z in (h,i,j)",
       {{"x", SelectorOp::Equals, {"a"}},
        {"y", SelectorOp::NotEquals, {"b"}},
        {"z", SelectorOp::In, {"h", "i", "j"}}},
       true,
       true},
      {"x=a||y=b", {}, false, false},
      {"x,,y", {}, true, false},
      {",x,y", {}, true, false},
      {"x nott in (y)", {}, true, false},
      {"x notin ( )", {{"x", SelectorOp::NotIn, {""}}}, true, true},
      {"x notin (, a)", {{"x", SelectorOp::NotIn, {"", "a"}}}, true, true},
      {"a in (xyz),", {}, true, false},
      {"a in (xyz)b notin ()", {}, true, false},
      {"a ", {{"a", SelectorOp::Exists, {}}}, true, true},
      // operator 'in' inside list of identifiers
      {"a in (x,y,notin, z,in)", {{"a", SelectorOp::In, {"in", "notin", "x", "y", "z"}}}, true, true},
      {"a in (xyz abc)", {}, false, false},  // no comma
      {"a notin(", {}, true, false},         // bad formed
      {"a (", {}, false, false},             // cpar
      {"(", {}, false, false},               // opar
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.in);
    std::string error = parse_error(c.in);
    EXPECT_EQ(error.empty(), c.valid) << error;
    if (c.valid && c.match) {
      LabelSelector parsed = parse_selector(c.in);
      EXPECT_EQ(parsed.requirements, c.out) << to_string(parsed);
      EXPECT_FALSE(parsed.nothing);
    }
  }
}

// TestMatchesNothing: only the Nothing selector (a null metav1.LabelSelector here) is
// known to match nothing. Upstream's two rows for its shared singletons repeat the
// Nothing() and Everything() rows and are left out.
TEST(LabelSelectorUpstream, MatchesNothing) {
  EXPECT_TRUE(selector_from_json_or_nothing(nullptr).nothing);  // Nothing()
  EXPECT_FALSE(LabelSelector().nothing);                        // Everything()
  EXPECT_FALSE(selector_from_map(object("{}")).nothing);
  EXPECT_FALSE(selector_from_map(object(R"({"key":"value"})")).nothing);
  for (std::string_view selector :
       {"", "a", "!a", "a=b", "a!=b", "a in (b)", "a notin (b)", "a,!a", "a=b,a!=b", "a in (b),a notin (b)"})
    EXPECT_FALSE(parse_selector(selector).nothing) << selector;
}

// helpers_test.go TestLabelSelectorAsSelector, compared as upstream compares them: by
// their printed form.
TEST(LabelSelectorUpstream, LabelSelectorAsSelector) {
  // nil → Nothing: prints as "" and matches nothing, not even an unlabelled object.
  LabelSelector nothing = selector_from_json_or_nothing(nullptr);
  EXPECT_TRUE(nothing.nothing);
  EXPECT_EQ(to_string(nothing), "");
  EXPECT_FALSE(matches(nothing, Labels()));

  struct Case {
    std::string_view in;
    std::string_view out;  // selector text, parsed as upstream's mustParse does
  };
  static constexpr Case kCases[] = {
      {"{}", ""},
      {R"({"matchLabels":{"foo":"bar"}})", "foo=bar"},
      {R"({"matchExpressions":[{"key":"baz","operator":"In","values":["qux","norf"]}]})",
       "baz in (norf,qux)"},
      {R"({"matchLabels":{"foo":"bar"},"matchExpressions":[{"key":"baz","operator":"In","values":["qux","norf"]}]})",
       "baz in (norf,qux),foo=bar"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.in);
    auto converted = selector_from_json(object(c.in));
    ASSERT_TRUE(converted);
    EXPECT_EQ(to_string(*converted), to_string(parse_selector(c.out)));
    EXPECT_FALSE(converted->nothing);
  }
  EXPECT_TRUE(selector_from_json(object("{}"))->empty());  // Everything

  // expectErr: Exists with values.
  auto broken = object(R"({"matchExpressions":[{"key":"baz","operator":"Exists","values":["qux","norf"]}]})");
  std::string error;
  EXPECT_FALSE(selector_from_json(broken, &error));
  EXPECT_EQ(
      error,
      R"(values: Invalid value: ["qux","norf"]: values set must be empty for exists and does not exist)");
  // and the selector that stands in for it matches nothing
  EXPECT_TRUE(selector_from_json_or_nothing(&broken).nothing);
}

// metav1.LabelSelector as `kubectl get -o wide` and the scale subresource print it.
TEST(SelectorString, RendersLikeUpstream) {
  struct Case {
    const char* selector;
    const char* text;
  } cases[] = {
      {R"({"matchLabels":{"app":"web"}})", "app=web"},
      {R"({"matchLabels":{"tier":"front","app":"web"}})", "app=web,tier=front"},
      {R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]},
          {"key":"legacy","operator":"DoesNotExist"},{"key":"canary","operator":"Exists"},
          {"key":"zone","operator":"NotIn","values":["b","a"]}],"matchLabels":{"app":"web"}})",
       "app=web,canary,env in (dev,prod),!legacy,zone notin (a,b)"},
      {R"({})", ""},
  };
  for (const auto& c : cases) {
    auto selector = boost::json::parse(c.selector).as_object();
    EXPECT_EQ(ukube::machinery::selector_string(&selector), c.text) << c.selector;
  }
  EXPECT_EQ(ukube::machinery::selector_string(nullptr), "<none>");
}

// A requirement against a field's single value, as node selector matchFields use it.
TEST(Requirement, MatchesOneValue) {
  using ukube::Requirement;
  using ukube::SelectorOp;
  EXPECT_TRUE(
      ukube::machinery::matches_value(Requirement{"metadata.name", SelectorOp::In, {"n1", "n2"}}, "n2"));
  EXPECT_FALSE(ukube::machinery::matches_value(Requirement{"metadata.name", SelectorOp::In, {"n1"}}, "n2"));
  EXPECT_TRUE(ukube::machinery::matches_value(Requirement{"metadata.name", SelectorOp::NotIn, {"n1"}}, "n2"));
  EXPECT_FALSE(
      ukube::machinery::matches_value(Requirement{"metadata.name", SelectorOp::DoesNotExist, {}}, "n2"));
}

}  // namespace
