// Kubernetes' CEL extension functions called directly, overload by overload, with the
// results and error messages cel-go and the API server give for the same arguments.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "ukube/cel/library.h"

namespace ukube::cel {
namespace {

const Overload* overload(std::string_view function, std::string_view id) {
  const std::vector<Overload>* overloads = kubernetes_library().find(function);
  if (overloads == nullptr) return nullptr;
  for (const Overload& o : *overloads) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

Value call(std::string_view function, std::string_view id, std::vector<Value> args) {
  const Overload* o = overload(function, id);
  if (o == nullptr) return Value::error("test: no overload " + std::string(id));
  return o->impl(args);
}

std::string str(const Value& v) {
  if (v.kind() == Value::Kind::Error) return "error: " + v.as_string();
  if (v.kind() != Value::Kind::String) return "not a string";
  return v.as_string();
}

int64_t integer(const Value& v) {
  EXPECT_EQ(v.kind(), Value::Kind::Int) << (v.is_error() ? v.as_string() : "");
  return v.kind() == Value::Kind::Int ? v.as_int() : -999;
}

bool boolean(const Value& v) {
  EXPECT_EQ(v.kind(), Value::Kind::Bool) << (v.is_error() ? v.as_string() : "");
  return v.kind() == Value::Kind::Bool && v.as_bool();
}

std::string error(const Value& v) {
  return v.is_error() ? v.as_string() : "no error";
}

std::vector<std::string> strings(const Value& v) {
  std::vector<std::string> out;
  if (v.kind() != Value::Kind::List) {
    out.push_back(v.is_error() ? "error: " + v.as_string() : "not a list");
    return out;
  }
  for (const Value& e : v.as_list()) out.push_back(str(e));
  return out;
}

Value list_of(std::vector<std::string> items) {
  std::vector<Value> values;
  for (std::string& s : items) values.emplace_back(std::move(s));
  return Value(std::move(values));
}

Value ints(std::vector<int64_t> items) {
  std::vector<Value> values;
  for (const int64_t i : items) values.emplace_back(i);
  return Value(std::move(values));
}

using Strings = std::vector<std::string>;

TEST(CelLibraryFunctions, OverloadsAreRegisteredAsMembersOrGlobals) {
  ASSERT_NE(overload("charAt", "string_char_at_int"), nullptr);
  EXPECT_TRUE(overload("charAt", "string_char_at_int")->member);
  EXPECT_EQ(overload("charAt", "string_char_at_int")->params.size(), 2u);
  ASSERT_NE(overload("strings.quote", "strings_quote"), nullptr);
  EXPECT_FALSE(overload("strings.quote", "strings_quote")->member);
  ASSERT_NE(overload("matches", "matches"), nullptr);
  EXPECT_FALSE(overload("matches", "matches")->member);
  ASSERT_NE(overload("matches", "matches_string"), nullptr);
  EXPECT_TRUE(overload("matches", "matches_string")->member);
  ASSERT_NE(overload("sets.contains", "list_sets_contains_list"), nullptr);
  EXPECT_FALSE(overload("sets.contains", "list_sets_contains_list")->member);
  EXPECT_NE(overload("min", "list_timestamp_min_timestamp"), nullptr);
  EXPECT_NE(overload("sum", "list_duration_sum_duration"), nullptr);
  EXPECT_EQ(overload("sum", "list_string_sum_string"), nullptr);
  EXPECT_NE(overload("url", "string_to_url"), nullptr);
  EXPECT_NE(overload("quantity", "string_to_quantity"), nullptr);
  ASSERT_NE(overload("sign", "quantity_sign"), nullptr);
  EXPECT_FALSE(overload("sign", "quantity_sign")->member);  // sign(q), as upstream declares it
  EXPECT_EQ(overload("url", "string_to_url")->result->name, "kubernetes.URL");
  EXPECT_EQ(overload("quantity", "string_to_quantity")->result->name, "kubernetes.Quantity");
}

TEST(CelLibraryFunctions, ContainsStartsWithEndsWith) {
  EXPECT_TRUE(boolean(call("contains", "contains_string", {"hello", "ell"})));
  EXPECT_FALSE(boolean(call("contains", "contains_string", {"hello", "elo"})));
  EXPECT_TRUE(boolean(call("contains", "contains_string", {"hello", ""})));
  EXPECT_TRUE(boolean(call("startsWith", "starts_with_string", {"hello", "he"})));
  EXPECT_FALSE(boolean(call("startsWith", "starts_with_string", {"he", "hello"})));
  EXPECT_TRUE(boolean(call("endsWith", "ends_with_string", {"hello", "llo"})));
  EXPECT_FALSE(boolean(call("endsWith", "ends_with_string", {"hello", "ll"})));
}

TEST(CelLibraryFunctions, CharAtCountsCodePoints) {
  EXPECT_EQ(str(call("charAt", "string_char_at_int", {"tacocat", 3})), "o");
  EXPECT_EQ(str(call("charAt", "string_char_at_int", {"tacocat", 7})), "");
  EXPECT_EQ(str(call("charAt", "string_char_at_int", {"żółw", 1})), "ó");
  EXPECT_EQ(error(call("charAt", "string_char_at_int", {"tacocat", 8})), "index out of range: 8");
  EXPECT_EQ(error(call("charAt", "string_char_at_int", {"tacocat", -1})), "index out of range: -1");
}

TEST(CelLibraryFunctions, IndexOfAndLastIndexOf) {
  EXPECT_EQ(integer(call("indexOf", "string_index_of_string", {"hello mellow", ""})), 0);
  EXPECT_EQ(integer(call("indexOf", "string_index_of_string", {"hello mellow", "ello"})), 1);
  EXPECT_EQ(integer(call("indexOf", "string_index_of_string", {"hello mellow", "jello"})), -1);
  // As cel-go: an offset at or past the end is out of range, even the 0 of an empty string.
  EXPECT_EQ(error(call("indexOf", "string_index_of_string", {"", "a"})), "index out of range: 0");
  EXPECT_EQ(integer(call("indexOf", "string_index_of_string_int", {"hello mellow", "ello", 2})), 7);
  EXPECT_EQ(integer(call("indexOf", "string_index_of_string_int", {"hello mellow", "", 20})), 12);
  EXPECT_EQ(error(call("indexOf", "string_index_of_string_int", {"hello mellow", "ello", 20})),
            "index out of range: 20");
  EXPECT_EQ(integer(call("indexOf", "string_index_of_string", {"ta©o©αT", "©αT"})), 4);
  EXPECT_EQ(error(call("indexOf", "string_index_of_string_int", {"hello", "l", -1})),
            "index out of range: -1");

  EXPECT_EQ(integer(call("lastIndexOf", "string_last_index_of_string", {"hello mellow", ""})), 12);
  EXPECT_EQ(integer(call("lastIndexOf", "string_last_index_of_string", {"hello mellow", "ello"})), 7);
  EXPECT_EQ(integer(call("lastIndexOf", "string_last_index_of_string", {"hello mellow", "jello"})), -1);
  EXPECT_EQ(integer(call("lastIndexOf", "string_last_index_of_string", {"ab", "abc"})), -1);
  EXPECT_EQ(integer(call("lastIndexOf", "string_last_index_of_string_int", {"hello mellow", "ello", 6})), 1);
  EXPECT_EQ(integer(call("lastIndexOf", "string_last_index_of_string_int", {"hello mellow", "ello", 11})), 7);
  EXPECT_EQ(integer(call("lastIndexOf", "string_last_index_of_string", {"ta©o©αT", "©α"})), 4);
  EXPECT_EQ(error(call("lastIndexOf", "string_last_index_of_string_int", {"hello", "l", -1})),
            "index out of range: -1");
}

TEST(CelLibraryFunctions, CaseTrimAndReverse) {
  EXPECT_EQ(str(call("lowerAscii", "string_lower_ascii", {"TacoCÆt Xii"})), "tacocÆt xii");
  EXPECT_EQ(str(call("upperAscii", "string_upper_ascii", {"tacoCαt"})), "TACOCαT");
  EXPECT_EQ(str(call("trim", "string_trim", {" \ttrim\n\u00a0"})), "trim");
  EXPECT_EQ(str(call("trim", "string_trim", {"\u2000 x y \u3000"})), "x y");
  EXPECT_EQ(str(call("reverse", "string_reverse", {"gums"})), "smug");
  EXPECT_EQ(str(call("reverse", "string_reverse", {"żółw"})), "włóż");
  EXPECT_EQ(str(call("reverse", "string_reverse", {""})), "");
}

TEST(CelLibraryFunctions, Replace) {
  EXPECT_EQ(str(call("replace", "string_replace_string_string", {"12 days 12 hours", "{0}", "2"})),
            "12 days 12 hours");
  EXPECT_EQ(str(call("replace", "string_replace_string_string", {"{0} days {0} hours", "{0}", "2"})),
            "2 days 2 hours");
  EXPECT_EQ(str(call("replace", "string_replace_string_string_int", {"{0} days {0} hours", "{0}", "2", 1})),
            "2 days {0} hours");
  EXPECT_EQ(str(call("replace", "string_replace_string_string_int", {"{0} days {0}", "{0}", "2", 0})),
            "{0} days {0}");
  EXPECT_EQ(str(call("replace", "string_replace_string_string_int", {"{0} days {0}", "{0}", "2", -1})),
            "2 days 2");
  EXPECT_EQ(str(call("replace", "string_replace_string_string", {"ab", "", "-"})), "-a-b-");
  EXPECT_EQ(str(call("replace", "string_replace_string_string_int", {"ab", "", "-", 2})), "-a-b");
  EXPECT_EQ(str(call("replace", "string_replace_string_string", {"ó", "", "-"})), "-ó-");
}

TEST(CelLibraryFunctions, Split) {
  EXPECT_EQ(strings(call("split", "string_split_string", {"hello world", " "})), (Strings{"hello", "world"}));
  EXPECT_EQ(strings(call("split", "string_split_string", {"a,b,", ","})), (Strings{"a", "b", ""}));
  EXPECT_EQ(strings(call("split", "string_split_string", {"", ","})), (Strings{""}));
  EXPECT_EQ(strings(call("split", "string_split_string", {"", ""})), (Strings{}));
  EXPECT_EQ(strings(call("split", "string_split_string", {"żó", ""})), (Strings{"ż", "ó"}));
  EXPECT_EQ(strings(call("split", "string_split_string_int", {"a b c", " ", 0})), (Strings{}));
  EXPECT_EQ(strings(call("split", "string_split_string_int", {"a b c", " ", 1})), (Strings{"a b c"}));
  EXPECT_EQ(strings(call("split", "string_split_string_int", {"a b c", " ", 2})), (Strings{"a", "b c"}));
  EXPECT_EQ(strings(call("split", "string_split_string_int", {"a b c", " ", -1})), (Strings{"a", "b", "c"}));
  EXPECT_EQ(strings(call("split", "string_split_string_int", {"abc", "", 2})), (Strings{"a", "bc"}));
}

TEST(CelLibraryFunctions, Substring) {
  EXPECT_EQ(str(call("substring", "string_substring_int", {"tacocat", 4})), "cat");
  EXPECT_EQ(str(call("substring", "string_substring_int", {"tacocat", 7})), "");
  EXPECT_EQ(str(call("substring", "string_substring_int_int", {"tacocat", 0, 4})), "taco");
  EXPECT_EQ(str(call("substring", "string_substring_int_int", {"ta©o©αT", 2, 6})), "©o©α");
  EXPECT_EQ(str(call("substring", "string_substring_int_int", {"tacocat", 4, 4})), "");
  EXPECT_EQ(error(call("substring", "string_substring_int", {"tacocat", 40})), "index out of range: 40");
  EXPECT_EQ(error(call("substring", "string_substring_int", {"tacocat", -1})), "index out of range: -1");
  EXPECT_EQ(error(call("substring", "string_substring_int_int", {"tacocat", 1, 40})),
            "index out of range: 40");
  EXPECT_EQ(error(call("substring", "string_substring_int_int", {"tacocat", -1, 2})),
            "index out of range: -1");
  EXPECT_EQ(error(call("substring", "string_substring_int_int", {"tacocat", 3, 1})),
            "invalid substring range. start: 3, end: 1");
}

TEST(CelLibraryFunctions, JoinAndQuote) {
  EXPECT_EQ(str(call("join", "list_join", {list_of({"x", "y"})})), "xy");
  EXPECT_EQ(str(call("join", "list_join_string", {list_of({"x", "y"}), "-"})), "x-y");
  EXPECT_EQ(str(call("join", "list_join_string", {list_of({}), "-"})), "");
  EXPECT_EQ(str(call("join", "list_join_string", {list_of({"a"}), "-"})), "a");
  EXPECT_TRUE(call("join", "list_join", {ints({1})}).is_error());

  EXPECT_EQ(str(call("strings.quote", "strings_quote", {"first\nsecond"})), "\"first\\nsecond\"");
  EXPECT_EQ(str(call("strings.quote", "strings_quote", {"bell\a tab\t \"q\" back\\"})),
            "\"bell\\a tab\\t \\\"q\\\" back\\\\\"");
  EXPECT_EQ(str(call("strings.quote", "strings_quote", {"ta©o"})), "\"ta©o\"");
  EXPECT_EQ(str(call("strings.quote", "strings_quote", {std::string("bad \xff")})), "\"bad \uFFFD\"");
}

TEST(CelLibraryFunctions, ListsOrderAndSums) {
  EXPECT_TRUE(boolean(call("isSorted", "list_int_is_sorted_bool", {ints({1, 2, 2, 3})})));
  EXPECT_FALSE(boolean(call("isSorted", "list_int_is_sorted_bool", {ints({1, 3, 2})})));
  EXPECT_TRUE(boolean(call("isSorted", "list_int_is_sorted_bool", {ints({})})));
  EXPECT_TRUE(boolean(call("isSorted", "list_string_is_sorted_bool", {list_of({"a", "b", "b"})})));

  EXPECT_EQ(integer(call("sum", "list_int_sum_int", {ints({1, 2, 3})})), 6);
  EXPECT_EQ(integer(call("sum", "list_int_sum_int", {ints({})})), 0);
  EXPECT_EQ(error(call("sum", "list_int_sum_int", {ints({INT64_MAX, 1})})), "integer overflow");
  const Value doubles(std::vector<Value>{Value(1.5), Value(2.25)});
  EXPECT_DOUBLE_EQ(call("sum", "list_double_sum_double", {doubles}).as_double(), 3.75);
  const Value uints(std::vector<Value>{Value(uint64_t{UINT64_MAX}), Value(uint64_t{1})});
  EXPECT_EQ(error(call("sum", "list_uint_sum_uint", {uints})), "unsigned integer overflow");
  const Value durations(std::vector<Value>{Value(Duration{1, 600'000'000}), Value(Duration{2, 500'000'000})});
  const Value total = call("sum", "list_duration_sum_duration", {durations});
  ASSERT_EQ(total.kind(), Value::Kind::Duration);
  EXPECT_EQ(total.as_duration().seconds, 4);
  EXPECT_EQ(total.as_duration().nanos, 100'000'000);

  EXPECT_EQ(integer(call("min", "list_int_min_int", {ints({3, 1, 2})})), 1);
  EXPECT_EQ(integer(call("max", "list_int_max_int", {ints({3, 1, 4})})), 4);
  EXPECT_EQ(str(call("max", "list_string_max_string", {list_of({"b", "c", "a"})})), "c");
  EXPECT_EQ(error(call("min", "list_int_min_int", {ints({})})), "min called on empty list");
  EXPECT_EQ(error(call("max", "list_int_max_int", {ints({})})), "max called on empty list");
}

TEST(CelLibraryFunctions, ListsIndexOf) {
  EXPECT_EQ(integer(call("indexOf", "list_a_index_of_int", {ints({1, 2, 2, 3}), 2})), 1);
  EXPECT_EQ(integer(call("lastIndexOf", "list_a_last_index_of_int", {ints({1, 2, 2, 3}), 2})), 2);
  EXPECT_EQ(integer(call("indexOf", "list_a_index_of_int", {ints({1, 2}), 5})), -1);
  EXPECT_EQ(integer(call("lastIndexOf", "list_a_last_index_of_int", {ints({}), 5})), -1);
  EXPECT_EQ(integer(call("indexOf", "list_a_index_of_int", {list_of({"a", "b"}), "b"})), 1);
  // Numbers compare by value across int, uint and double.
  EXPECT_EQ(integer(call("indexOf", "list_a_index_of_int", {ints({1, 2}), 2.0})), 1);
}

TEST(CelLibraryFunctions, Sets) {
  EXPECT_TRUE(boolean(call("sets.contains", "list_sets_contains_list", {ints({1, 2, 3}), ints({3, 1})})));
  EXPECT_TRUE(boolean(call("sets.contains", "list_sets_contains_list", {ints({1}), ints({})})));
  EXPECT_FALSE(boolean(call("sets.contains", "list_sets_contains_list", {ints({1, 2}), ints({2, 4})})));
  EXPECT_TRUE(boolean(call("sets.equivalent", "list_sets_equivalent_list", {ints({1, 2, 2}), ints({2, 1})})));
  EXPECT_FALSE(boolean(call("sets.equivalent", "list_sets_equivalent_list", {ints({1, 2}), ints({1})})));
  EXPECT_TRUE(boolean(call("sets.intersects", "list_sets_intersects_list", {ints({1, 2}), ints({5, 2})})));
  EXPECT_FALSE(boolean(call("sets.intersects", "list_sets_intersects_list", {ints({1, 2}), ints({})})));
}

TEST(CelLibraryFunctions, Matches) {
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"hello", "^h.*o$"})));
  EXPECT_TRUE(boolean(call("matches", "matches", {"hello", "ll"})));
  EXPECT_FALSE(boolean(call("matches", "matches_string", {"hello", "^ll"})));
  // Dots and counts see code points, not bytes.
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"żółw", "^.{4}$"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"HeLLo", "(?i)^hello$"})));
  EXPECT_FALSE(boolean(call("matches", "matches_string", {"a\nb", "a.b"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"a\nb", "(?s)a.b"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"x{y}", "^x{y}$"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"a.b", "\\Qa.b\\E"})));
  EXPECT_FALSE(boolean(call("matches", "matches_string", {"axb", "^\\Qa.b\\E$"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"abc", "\\Aabc\\z"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"key-1", "^(?P<name>[a-z]+)-[[:digit:]]$"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"]", "^[]a]$"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"a\nb", "(?m)^b$"})));
  EXPECT_FALSE(boolean(call("matches", "matches_string", {"a\nb", "^b$"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"\x07", "^\\a$"})));
  EXPECT_TRUE(boolean(call("matches", "matches_string", {"é", "^\\x{e9}$"})));

  EXPECT_EQ(error(call("matches", "matches_string", {"a", "(a"})),
            "error parsing regexp: missing closing ): `(a`");
  EXPECT_EQ(error(call("matches", "matches_string", {"a", "a(?=b)"})),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
  EXPECT_EQ(error(call("matches", "matches_string", {"aa", "(a)\\1"})),
            "error parsing regexp: invalid escape sequence: `\\1`");
  EXPECT_EQ(error(call("matches", "matches_string", {"a", "a{1001}"})),
            "error parsing regexp: invalid repeat count: `{1001}`");
  EXPECT_TRUE(call("matches", "matches_string", {"a", "[a"}).is_error());
  // The same pattern again comes from the cache with the same verdict.
  EXPECT_EQ(error(call("matches", "matches_string", {"b", "(a"})),
            "error parsing regexp: missing closing ): `(a`");
}

TEST(CelLibraryFunctions, LongStringsNeitherCrashNorHang) {
  // Far longer than a recursive matcher's stack allows; a match too costly to finish is an
  // error value, never a crash.
  const std::string long_text(300'000, 'a');
  EXPECT_TRUE(boolean(call("matches", "matches_string", {long_text, "^[a-z]+$"})));
  EXPECT_FALSE(boolean(call("matches", "matches_string", {long_text, "b"})));
  const Value costly = call("matches", "matches_string", {long_text, "^(a|b)*$"});
  EXPECT_TRUE(costly.kind() == Value::Kind::Bool || costly.is_error());
}

TEST(CelLibraryFunctions, FindAndFindAll) {
  EXPECT_EQ(str(call("find", "string_find_string", {"abc 123", "[0-9]+"})), "123");
  EXPECT_EQ(str(call("find", "string_find_string", {"abc", "[0-9]+"})), "");
  EXPECT_EQ(str(call("find", "string_find_string", {"żółw 1", "[^ ]+"})), "żółw");
  EXPECT_EQ(strings(call("findAll", "string_find_all_string", {"123 abc 456", "[0-9]+"})),
            (Strings{"123", "456"}));
  EXPECT_EQ(strings(call("findAll", "string_find_all_string_int", {"123 abc 456 789", "[0-9]+", 2})),
            (Strings{"123", "456"}));
  EXPECT_EQ(strings(call("findAll", "string_find_all_string_int", {"123 abc 456", "[0-9]+", 0})),
            (Strings{}));
  EXPECT_EQ(strings(call("findAll", "string_find_all_string", {"abc", "[0-9]+"})), (Strings{}));
  // Go skips an empty match right after a match.
  EXPECT_EQ(strings(call("findAll", "string_find_all_string", {"abc", "a*"})), (Strings{"a", "", ""}));
  EXPECT_EQ(strings(call("findAll", "string_find_all_string", {"ab ab", "^ab"})), (Strings{"ab"}));
  EXPECT_EQ(error(call("find", "string_find_string", {"abc", "[a"}))
                .rfind("Illegal regex: error parsing regexp: ", 0),
            0u);
  EXPECT_EQ(error(call("find", "string_find_string", {"abc", ")"})),
            "Illegal regex: error parsing regexp: unexpected ): `)`");
  EXPECT_EQ(error(call("findAll", "string_find_all_string", {"abc", "(a"})),
            "Illegal regex: error parsing regexp: missing closing ): `(a`");
}

std::string url_part(std::string_view raw, std::string_view function, std::string_view id) {
  const Value url = call("url", "string_to_url", {std::string(raw)});
  if (url.is_error()) return "error: " + url.as_string();
  return str(call(function, id, {url}));
}

TEST(CelLibraryFunctions, UrlParts) {
  EXPECT_EQ(url_part("https://example.com/path", "getScheme", "url_get_scheme"), "https");
  EXPECT_EQ(url_part("HTTPS://example.com/path", "getScheme", "url_get_scheme"), "https");
  EXPECT_EQ(url_part("/path", "getScheme", "url_get_scheme"), "");
  EXPECT_EQ(url_part("https://example.com:80/", "getHost", "url_get_host"), "example.com:80");
  EXPECT_EQ(url_part("https://user:pw@example.com/", "getHost", "url_get_host"), "example.com");
  EXPECT_EQ(url_part("https://[::1]:80/", "getHost", "url_get_host"), "[::1]:80");
  EXPECT_EQ(url_part("https://[::1]:80/", "getHostname", "url_get_hostname"), "::1");
  EXPECT_EQ(url_part("https://[::1]/", "getHostname", "url_get_hostname"), "::1");
  EXPECT_EQ(url_part("https://example.com:80/", "getHostname", "url_get_hostname"), "example.com");
  EXPECT_EQ(url_part("https://example.com:80/", "getPort", "url_get_port"), "80");
  EXPECT_EQ(url_part("https://example.com/", "getPort", "url_get_port"), "");
  EXPECT_EQ(url_part("/path", "getHost", "url_get_host"), "");
  EXPECT_EQ(url_part("https://example.com/path", "getEscapedPath", "url_get_escaped_path"), "/path");
  EXPECT_EQ(url_part("https://example.com/path with spaces/", "getEscapedPath", "url_get_escaped_path"),
            "/path%20with%20spaces/");
  EXPECT_EQ(url_part("https://example.com/a%2Fb", "getEscapedPath", "url_get_escaped_path"), "/a%2Fb");
  EXPECT_EQ(url_part("https://example.com", "getEscapedPath", "url_get_escaped_path"), "");
  // Without a scheme "//host/path" is a path to ParseRequestURI but a host to url.Parse,
  // which is what Kubernetes reads the parts with.
  EXPECT_EQ(url_part("//example.com/x", "getHost", "url_get_host"), "example.com");
  EXPECT_EQ(url_part("mailto:someone@example.com", "getHost", "url_get_host"), "");
  // A fragment is not part of the path once url.Parse has read it.
  EXPECT_EQ(url_part("https://example.com/p#frag", "getEscapedPath", "url_get_escaped_path"), "/p");
}

Value entry(const MapData& map, std::string_view key) {
  for (const auto& [k, v] : map.entries) {
    if (k.kind() == Value::Kind::String && k.as_string() == key) return v;
  }
  return Value::error("no key " + std::string(key));
}

TEST(CelLibraryFunctions, UrlQuery) {
  const Value url = call("url", "string_to_url", {"https://example.com/path?k1=a&k2=b&k2=c&k%203=x+y&;x=1"});
  const Value query = call("getQuery", "url_get_query", {url});
  ASSERT_EQ(query.kind(), Value::Kind::Map) << error(query);
  const MapData& map = query.as_map();
  ASSERT_EQ(map.entries.size(), 3u);
  EXPECT_EQ(strings(entry(map, "k1")), (Strings{"a"}));
  EXPECT_EQ(strings(entry(map, "k2")), (Strings{"b", "c"}));
  EXPECT_EQ(strings(entry(map, "k 3")), (Strings{"x y"}));
  const Value empty =
      call("getQuery", "url_get_query", {call("url", "string_to_url", {"https://example.com/path?"})});
  ASSERT_EQ(empty.kind(), Value::Kind::Map);
  EXPECT_TRUE(empty.as_map().entries.empty());
}

TEST(CelLibraryFunctions, UrlErrorsAndIsUrl) {
  EXPECT_EQ(error(call("url", "string_to_url", {"example.com"})),
            "URL parse error during conversion from string: parse \"example.com\": invalid URI for request");
  EXPECT_EQ(error(call("url", "string_to_url", {""})),
            "URL parse error during conversion from string: parse \"\": empty url");
  EXPECT_EQ(error(call("url", "string_to_url", {":foo"})),
            "URL parse error during conversion from string: parse \":foo\": missing protocol scheme");
  EXPECT_EQ(
      error(call("url", "string_to_url", {"https://ex ample.com/"})),
      "URL parse error during conversion from string: parse \"https://ex ample.com/\": invalid character "
      "\" \" in host name");
  EXPECT_EQ(error(call("url", "string_to_url", {"https://example.com:8a/"})),
            "URL parse error during conversion from string: parse \"https://example.com:8a/\": invalid port "
            "\":8a\" after host");
  EXPECT_EQ(
      error(call("url", "string_to_url", {"https://example.com/%zz"})),
      "URL parse error during conversion from string: parse \"https://example.com/%zz\": invalid URL escape "
      "\"%zz\"");
  EXPECT_TRUE(boolean(call("isURL", "is_url_string", {"https://example.com/"})));
  EXPECT_TRUE(boolean(call("isURL", "is_url_string", {"/absolute-path"})));
  EXPECT_TRUE(boolean(call("isURL", "is_url_string", {"mailto:someone@example.com"})));
  EXPECT_FALSE(boolean(call("isURL", "is_url_string", {"relative/path"})));
  EXPECT_FALSE(boolean(call("isURL", "is_url_string", {"https://[::1/"})));
}

TEST(CelLibraryFunctions, UrlEquality) {
  const Value a = call("url", "string_to_url", {"https://example.com/x"});
  const Value b = call("url", "string_to_url", {"https://example.com/x"});
  const Value c = call("url", "string_to_url", {"https://example.com/y"});
  ASSERT_EQ(a.kind(), Value::Kind::Opaque);
  EXPECT_EQ(a.as_opaque().type_name(), "kubernetes.URL");
  EXPECT_TRUE(a.as_opaque().equals(b.as_opaque()));
  EXPECT_FALSE(a.as_opaque().equals(c.as_opaque()));
}

Value quantity(std::string_view text) {
  return call("quantity", "string_to_quantity", {std::string(text)});
}

TEST(CelLibraryFunctions, QuantityParsingAndEquality) {
  ASSERT_EQ(quantity("1Gi").kind(), Value::Kind::Opaque);
  EXPECT_EQ(quantity("1Gi").as_opaque().type_name(), "kubernetes.Quantity");
  EXPECT_TRUE(quantity("1k").as_opaque().equals(quantity("1000").as_opaque()));
  EXPECT_FALSE(quantity("1k").as_opaque().equals(quantity("1Ki").as_opaque()));
  EXPECT_EQ(error(quantity("1.5.5")),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  EXPECT_EQ(error(quantity("10Mo")), error(quantity("1.5.5")));
  EXPECT_EQ(error(quantity("")), error(quantity("1.5.5")));
  EXPECT_EQ(error(quantity("10Mm")), "unable to parse quantity's suffix");
  EXPECT_EQ(error(quantity("1e")), "unable to parse quantity's suffix");
  EXPECT_TRUE(boolean(call("isQuantity", "is_quantity_string", {"100m"})));
  EXPECT_FALSE(boolean(call("isQuantity", "is_quantity_string", {"100 m"})));
}

TEST(CelLibraryFunctions, QuantityMembers) {
  EXPECT_EQ(integer(call("sign", "quantity_sign", {quantity("-50k")})), -1);
  EXPECT_EQ(integer(call("sign", "quantity_sign", {quantity("0")})), 0);
  EXPECT_EQ(integer(call("sign", "quantity_sign", {quantity("50m")})), 1);
  EXPECT_TRUE(boolean(call("isInteger", "quantity_is_integer", {quantity("50k")})));
  EXPECT_FALSE(boolean(call("isInteger", "quantity_is_integer", {quantity("50m")})));
  EXPECT_FALSE(boolean(call("isInteger", "quantity_is_integer", {quantity("10E")})));
  EXPECT_EQ(integer(call("asInteger", "quantity_get_int", {quantity("1Ki")})), 1024);
  EXPECT_EQ(error(call("asInteger", "quantity_get_int", {quantity("1.5")})),
            "cannot convert value to integer");
  EXPECT_EQ(error(call("asInteger", "quantity_get_int", {quantity("10E")})),
            "cannot convert value to integer");
  EXPECT_DOUBLE_EQ(call("asApproximateFloat", "quantity_get_float", {quantity("1.5")}).as_double(), 1.5);

  EXPECT_EQ(integer(call("compareTo", "quantity_compare_to", {quantity("200M"), quantity("0.2G")})), 0);
  EXPECT_EQ(integer(call("compareTo", "quantity_compare_to", {quantity("50M"), quantity("50Mi")})), -1);
  EXPECT_EQ(integer(call("compareTo", "quantity_compare_to", {quantity("50Mi"), quantity("50M")})), 1);
  EXPECT_TRUE(
      boolean(call("isGreaterThan", "quantity_is_greater_than", {quantity("150Mi"), quantity("100Mi")})));
  EXPECT_FALSE(
      boolean(call("isGreaterThan", "quantity_is_greater_than", {quantity("50Mi"), quantity("100Mi")})));
  EXPECT_TRUE(boolean(call("isLessThan", "quantity_is_less_than", {quantity("50M"), quantity("100M")})));

  const Value sum = call("add", "quantity_add", {quantity("50k"), quantity("50k")});
  ASSERT_EQ(sum.kind(), Value::Kind::Opaque) << error(sum);
  EXPECT_TRUE(sum.as_opaque().equals(quantity("100k").as_opaque()));
  const Value plus_int = call("add", "quantity_add_int", {quantity("50k"), 10});
  EXPECT_TRUE(plus_int.as_opaque().equals(quantity("50010").as_opaque()));
  const Value difference = call("sub", "quantity_sub", {quantity("100Mi"), quantity("50Mi")});
  EXPECT_TRUE(difference.as_opaque().equals(quantity("50Mi").as_opaque()));
  const Value minus_int = call("sub", "quantity_sub_int", {quantity("50k"), 50000});
  EXPECT_TRUE(minus_int.as_opaque().equals(quantity("0").as_opaque()));
}

}  // namespace
}  // namespace ukube::cel
