// CEL's standard string members (contains, startsWith, endsWith) and cel-go's ext.Strings
// library at the version Kubernetes enables, plus reverse(). Indices and lengths count code
// points; malformed UTF-8 reads as U+FFFD, as Go's []rune conversion reads it, so results
// and error messages match cel-go's.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ukube/cel/library.h"
#include "utf8.h"

namespace ukube::cel {
namespace {

using detail::append_utf8;
using detail::next_code_point;

std::u32string strings_decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t at = 0; at < s.size();) out.push_back(next_code_point(s, at));
  return out;
}

std::string strings_encode(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size());
  for (const char32_t cp : cps) append_utf8(out, cp);
  return out;
}

Value strings_out_of_range(int64_t index) {
  return Value::error("index out of range: " + std::to_string(index));
}

// Go's unicode.IsSpace, which strings.TrimSpace trims.
bool strings_is_space(char32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return c >= 0x2000 && c <= 0x200A;
  }
}

bool strings_match_at(const std::u32string& s, const std::u32string& sub, size_t at) {
  return s.compare(at, sub.size(), sub) == 0;
}

// Code points of `s` from `offset` on where `sub` starts first, or -1; the offset may
// not be negative, and an empty `sub` is found at the offset (or at the end).
Value strings_index_of(std::string_view str, std::string_view substr, int64_t offset) {
  if (offset < 0) return strings_out_of_range(offset);
  const std::u32string s = strings_decode(str);
  const auto length = static_cast<int64_t>(s.size());
  if (substr.empty()) return Value(offset > length ? length : offset);
  if (offset >= length) return strings_out_of_range(offset);
  const std::u32string sub = strings_decode(substr);
  for (int64_t i = offset; i + static_cast<int64_t>(sub.size()) <= length; ++i) {
    if (strings_match_at(s, sub, static_cast<size_t>(i))) return Value(i);
  }
  return Value(int64_t{-1});
}

Value strings_last_index_of(std::string_view str, std::string_view substr, int64_t offset) {
  if (offset < 0) return strings_out_of_range(offset);
  const std::u32string s = strings_decode(str);
  const auto length = static_cast<int64_t>(s.size());
  if (substr.empty()) return Value(offset > length ? length : offset);
  if (offset >= length) return strings_out_of_range(offset);
  const std::u32string sub = strings_decode(substr);
  const int64_t last_start = length - static_cast<int64_t>(sub.size());
  for (int64_t i = offset < last_start ? offset : last_start; i >= 0; --i) {
    if (strings_match_at(s, sub, static_cast<size_t>(i))) return Value(i);
  }
  return Value(int64_t{-1});
}

// Go's strings.Replace: at most n replacements (all when n < 0); an empty `from` matches
// before every code point and at the end.
std::string strings_replace(std::string_view s, std::string_view from, std::string_view to, int64_t n) {
  if (n == 0 || from == to) return std::string(s);
  std::string out;
  size_t at = 0;
  if (from.empty()) {
    for (int64_t done = 0; n < 0 || done < n; ++done) {
      out += to;
      if (at >= s.size()) {
        at = s.size() + 1;  // the end has had its insertion
        break;
      }
      const size_t start = at;
      next_code_point(s, at);
      out += s.substr(start, at - start);
    }
    if (at <= s.size()) out += s.substr(at);
    return out;
  }
  for (int64_t done = 0; n < 0 || done < n; ++done) {
    const size_t found = s.find(from, at);
    if (found == std::string_view::npos) break;
    out += s.substr(at, found - at);
    out += to;
    at = found + from.size();
  }
  out += s.substr(at);
  return out;
}

// Go's strings.SplitN: n == 0 gives no pieces, n < 0 all of them, otherwise at most n with
// the rest of the string in the last. An empty separator splits into code points.
std::vector<Value> strings_split(std::string_view s, std::string_view sep, int64_t n) {
  std::vector<Value> pieces;
  if (n == 0) return pieces;
  if (sep.empty()) {
    for (size_t at = 0; at < s.size();) {
      if (n > 0 && static_cast<int64_t>(pieces.size()) == n - 1) {
        pieces.emplace_back(std::string(s.substr(at)));
        break;
      }
      std::string piece;
      append_utf8(piece, next_code_point(s, at));
      pieces.emplace_back(std::move(piece));
    }
    return pieces;
  }
  size_t at = 0;
  while (n < 0 || static_cast<int64_t>(pieces.size()) < n - 1) {
    const size_t found = s.find(sep, at);
    if (found == std::string_view::npos) break;
    pieces.emplace_back(std::string(s.substr(at, found - at)));
    at = found + sep.size();
  }
  pieces.emplace_back(std::string(s.substr(at)));
  return pieces;
}

Value strings_join(const std::vector<Value>& list, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].kind() != Value::Kind::String)
      return Value::error("join: invalid input: " + debug_string(list[i]));
    if (i != 0) out += separator;
    out += list[i].as_string();
  }
  return Value(std::move(out));
}

std::string strings_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t at = 0; at < s.size();) {
    const uint32_t cp = next_code_point(s, at);
    switch (cp) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: append_utf8(out, cp);
    }
  }
  out += '"';
  return out;
}

std::string strings_map_ascii(std::string s, bool upper) {
  for (char& c : s) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

Overload strings_member(std::string id, std::vector<TypePtr> params, TypePtr result, FunctionImpl impl,
                        CallCost cost = CallCost::constant()) {
  return Overload{std::move(id), true, std::move(params), std::move(result), std::move(impl), cost};
}

}  // namespace

void add_string_functions(Library& library) {
  const TypePtr str = types::string();
  const TypePtr integer = types::int64();
  const TypePtr boolean = types::boolean();
  const TypePtr strings = types::list(str);

  // The standard library's: a scan of the receiver (contains) or of the prefix/suffix.
  library.add("contains", strings_member(
                              "contains_string", {str, str}, boolean,
                              [](std::span<const Value> a) {
                                return Value(a[0].as_string().find(a[1].as_string()) != std::string::npos);
                              },
                              CallCost::linear(0.1, 0)));
  library.add("startsWith",
              strings_member(
                  "starts_with_string", {str, str}, boolean,
                  [](std::span<const Value> a) {
                    return Value(std::string_view(a[0].as_string()).starts_with(a[1].as_string()));
                  },
                  CallCost::linear(0.1, 1)));
  library.add("endsWith", strings_member(
                              "ends_with_string", {str, str}, boolean,
                              [](std::span<const Value> a) {
                                return Value(std::string_view(a[0].as_string()).ends_with(a[1].as_string()));
                              },
                              CallCost::linear(0.1, 1)));

  // Kubernetes prices charAt, strings.quote and reverse as cel-go's default call: 1.
  library.add("charAt",
              strings_member("string_char_at_int", {str, integer}, str, [](std::span<const Value> a) {
                const std::u32string s = strings_decode(a[0].as_string());
                const int64_t i = a[1].as_int();
                if (i < 0 || i > static_cast<int64_t>(s.size())) return strings_out_of_range(i);
                if (i == static_cast<int64_t>(s.size())) return Value(std::string());
                return Value(strings_encode(std::u32string_view(s).substr(static_cast<size_t>(i), 1)));
              }));

  library.add("indexOf", strings_member(
                             "string_index_of_string", {str, str}, integer,
                             [](std::span<const Value> a) {
                               return strings_index_of(a[0].as_string(), a[1].as_string(), 0);
                             },
                             CallCost::linear(0.1, 0)));
  library.add("indexOf", strings_member(
                             "string_index_of_string_int", {str, str, integer}, integer,
                             [](std::span<const Value> a) {
                               return strings_index_of(a[0].as_string(), a[1].as_string(), a[2].as_int());
                             },
                             CallCost::linear(0.1, 0)));
  library.add("lastIndexOf", strings_member(
                                 "string_last_index_of_string", {str, str}, integer,
                                 [](std::span<const Value> a) {
                                   const std::string& s = a[0].as_string();
                                   const std::string& sub = a[1].as_string();
                                   const auto length = static_cast<int64_t>(detail::code_points(s));
                                   if (sub.empty()) return Value(length);
                                   if (s.size() < sub.size()) return Value(int64_t{-1});
                                   return strings_last_index_of(s, sub, length - 1);
                                 },
                                 CallCost::linear(0.1, 0)));
  library.add("lastIndexOf", strings_member(
                                 "string_last_index_of_string_int", {str, str, integer}, integer,
                                 [](std::span<const Value> a) {
                                   return strings_last_index_of(a[0].as_string(), a[1].as_string(),
                                                                a[2].as_int());
                                 },
                                 CallCost::linear(0.1, 0)));

  library.add("lowerAscii",
              strings_member(
                  "string_lower_ascii", {str}, str,
                  [](std::span<const Value> a) { return Value(strings_map_ascii(a[0].as_string(), false)); },
                  CallCost::linear(0.1, 0)));
  library.add("upperAscii",
              strings_member(
                  "string_upper_ascii", {str}, str,
                  [](std::span<const Value> a) { return Value(strings_map_ascii(a[0].as_string(), true)); },
                  CallCost::linear(0.1, 0)));

  // Replace and split traverse the receiver and build a result about as large: 0.2 a code point.
  library.add("replace",
              strings_member(
                  "string_replace_string_string", {str, str, str}, str,
                  [](std::span<const Value> a) {
                    return Value(strings_replace(a[0].as_string(), a[1].as_string(), a[2].as_string(), -1));
                  },
                  CallCost::linear(0.2, 0)));
  library.add("replace", strings_member(
                             "string_replace_string_string_int", {str, str, str, integer}, str,
                             [](std::span<const Value> a) {
                               return Value(strings_replace(a[0].as_string(), a[1].as_string(),
                                                            a[2].as_string(), a[3].as_int()));
                             },
                             CallCost::linear(0.2, 0)));
  library.add("split", strings_member(
                           "string_split_string", {str, str}, strings,
                           [](std::span<const Value> a) {
                             return Value(strings_split(a[0].as_string(), a[1].as_string(), -1));
                           },
                           CallCost::linear(0.2, 0)));
  library.add("split", strings_member(
                           "string_split_string_int", {str, str, integer}, strings,
                           [](std::span<const Value> a) {
                             return Value(strings_split(a[0].as_string(), a[1].as_string(), a[2].as_int()));
                           },
                           CallCost::linear(0.2, 0)));

  library.add("substring",
              strings_member(
                  "string_substring_int", {str, integer}, str,
                  [](std::span<const Value> a) {
                    const std::u32string s = strings_decode(a[0].as_string());
                    const int64_t start = a[1].as_int();
                    if (start < 0 || start > static_cast<int64_t>(s.size()))
                      return strings_out_of_range(start);
                    return Value(strings_encode(std::u32string_view(s).substr(static_cast<size_t>(start))));
                  },
                  CallCost::linear(0.1, 0)));
  library.add("substring",
              strings_member(
                  "string_substring_int_int", {str, integer, integer}, str,
                  [](std::span<const Value> a) {
                    const std::u32string s = strings_decode(a[0].as_string());
                    const int64_t start = a[1].as_int();
                    const int64_t end = a[2].as_int();
                    const auto length = static_cast<int64_t>(s.size());
                    if (start > end) {
                      return Value::error("invalid substring range. start: " + std::to_string(start) +
                                          ", end: " + std::to_string(end));
                    }
                    if (start < 0 || start > length) return strings_out_of_range(start);
                    if (end < 0 || end > length) return strings_out_of_range(end);
                    return Value(strings_encode(std::u32string_view(s).substr(
                        static_cast<size_t>(start), static_cast<size_t>(end - start))));
                  },
                  CallCost::linear(0.1, 0)));

  library.add("trim", strings_member(
                          "string_trim", {str}, str,
                          [](std::span<const Value> a) {
                            const std::u32string s = strings_decode(a[0].as_string());
                            size_t begin = 0;
                            size_t end = s.size();
                            while (begin < end && strings_is_space(s[begin])) ++begin;
                            while (end > begin && strings_is_space(s[end - 1])) --end;
                            return Value(strings_encode(std::u32string_view(s).substr(begin, end - begin)));
                          },
                          CallCost::linear(0.1, 0)));

  // Kubernetes charges 0.2 per code point of the result; the list's length is what we have.
  library.add("join", strings_member(
                          "list_join", {strings}, str,
                          [](std::span<const Value> a) { return strings_join(a[0].as_list(), ""); },
                          CallCost::linear(0.2, 0)));
  library.add("join",
              strings_member(
                  "list_join_string", {strings, str}, str,
                  [](std::span<const Value> a) { return strings_join(a[0].as_list(), a[1].as_string()); },
                  CallCost::linear(0.2, 0)));

  library.add("strings.quote",
              Overload{"strings_quote",
                       false,
                       {str},
                       str,
                       [](std::span<const Value> a) { return Value(strings_quote(a[0].as_string())); },
                       CallCost::constant()});
  library.add("reverse", strings_member("string_reverse", {str}, str, [](std::span<const Value> a) {
                std::u32string s = strings_decode(a[0].as_string());
                return Value(strings_encode(std::u32string(s.rbegin(), s.rend())));
              }));
}

}  // namespace ukube::cel
