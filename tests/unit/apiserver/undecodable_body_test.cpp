#include "undecodable_body.h"

#include <gtest/gtest.h>

namespace ukube::apiserver {
namespace {

// Each expectation is what Go's json.Unmarshal returns for the same text.
TEST(GoJsonSyntaxError, WordsTheFirstErrorAsGosScannerDoes) {
  const std::pair<std::string, std::string> cases[] = {
      {"{\"a\":[1,{\"b\":null}],\"c\":-1.5e+3}", ""},
      {"  [] ", ""},
      {"apiVersion: v1", "invalid character 'a' looking for beginning of value"},
      {"", "unexpected end of JSON input"},
      {"{\"a\":\"b", "unexpected end of JSON input"},
      {"{not json", "invalid character 'n' looking for beginning of object key string"},
      {"{\"a\" 1}", "invalid character '1' after object key"},
      {"{\"a\":1 \"b\"}", "invalid character '\"' after object key:value pair"},
      {"[1 2]", "invalid character '2' after array element"},
      {"[01]", "invalid character '1' after array element"},
      {"{} x", "invalid character 'x' after top-level value"},
      {"{\"a\":tru}", "invalid character '}' in literal true (expecting 'e')"},
      {"nul", "unexpected end of JSON input"},
      {"{\"a\":\"\\q\"}", "invalid character 'q' in string escape code"},
      {"\"\\u12g4\"", "invalid character 'g' in \\u hexadecimal character escape"},
      {"\"a\tb\"", "invalid character '\\t' in string literal"},
      {"{\"a\":-x}", "invalid character 'x' in numeric literal"},
      {"[1.]", "invalid character ']' after decimal point in numeric literal"},
      {"1e+", "unexpected end of JSON input"},
      {"[1e+x]", "invalid character 'x' in exponent of numeric literal"},
      {"'x'", "invalid character '\\'' looking for beginning of value"},
      {"\x01", "invalid character '\\x01' looking for beginning of value"},
      {"\xff", "invalid character '\xc3\xbf' looking for beginning of value"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(go_json_syntax_error(text), expected) << text;
}

TEST(GoJsonSyntaxError, NestsAsDeepAsGoAllowsWithoutRecursion) {
  const std::string deepest = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(go_json_syntax_error(deepest), "");
  EXPECT_EQ(go_json_syntax_error("[" + deepest + "]"), "exceeded max depth");
  EXPECT_EQ(go_json_syntax_error(std::string(1000000, '[')), "exceeded max depth");
  EXPECT_EQ(go_json_syntax_error("{{"), "invalid character '{' looking for beginning of object key string");
}

TEST(UnrecognizedBody, NamesTheKindTheCauseAndTheBodysFirstBytes) {
  const std::string yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\n";
  EXPECT_EQ(
      unrecognized_body_message(yaml, yaml, "Namespace"),
      "the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json "
      "parse error: invalid character 'a' looking for beginning of value "
      "(61706956657273696f6e3a2076310a6b696e643a20506f640a6d65746164 ...)");
  EXPECT_EQ(
      unrecognized_body_message("[]", "[]", "ConfigMap"),
      "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json "
      "parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "
      "\"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" } (5b5d)");
  const std::string cut = "{\"metadata\":{\"name\":\"abcdefghij\"}";
  EXPECT_EQ(
      unrecognized_body_message(cut, cut, "ConfigMap"),
      "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json "
      "parse error: unexpected end of JSON input ({\"metadata\":{\"name\":\"abcdefghi ...)");
  EXPECT_EQ(
      unrecognized_body_message("", "", "Pod"),
      "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse "
      "error: unexpected end of JSON input (<empty>)");
  EXPECT_EQ(unrecognized_body_message("{\"a\":1}", "a: 1", "Pod"), "");
  EXPECT_EQ(unrecognized_body_message("null", "null", "Pod"), "");
}

}  // namespace
}  // namespace ukube::apiserver
