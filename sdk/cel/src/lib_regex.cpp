// CEL's matches() and Kubernetes' regex library (find, findAll). Upstream's regexes are
// RE2; ours are Boost.Regex's Perl dialect over code points (wchar_t), so that `.` and
// counted repetitions see characters as RE2 does rather than bytes. Not std::regex: its
// matcher recurses once per character and overflows the stack on a string of some 100k
// characters, which any object could carry; Boost's keeps a bounded stack on the heap and
// throws when it runs out. The pattern is translated where the two dialects differ cheaply,
// and RE2's refusals (lookarounds, backreferences) are kept as refusals, so a rule that
// works here works upstream.
#include <algorithm>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/regex.hpp>

#include "ukube/cel/library.h"
#include "ukube/cel/regex.h"
#include "utf8.h"

namespace ukube::cel {
namespace {

static_assert(sizeof(wchar_t) == 4, "code points are held in wchar_t");

std::wstring regex_widen(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  for (size_t at = 0; at < s.size();) out.push_back(static_cast<wchar_t>(detail::next_code_point(s, at)));
  return out;
}

std::string regex_narrow(std::wstring_view s) {
  std::string out;
  out.reserve(s.size());
  for (const wchar_t c : s) detail::append_utf8(out, static_cast<uint32_t>(c));
  return out;
}

// A compiled pattern, or Go's message for one that does not compile.
struct RegexCompiled {
  boost::wregex re;
  // The same expression over bytes, when it is all ASCII: it then matches ASCII text
  // exactly as `re` does, without widening the text first.
  std::optional<boost::regex> ascii;
  std::string error;
};

bool regex_is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

class RegexTranslationError {
 public:
  explicit RegexTranslationError(std::string message) : message(std::move(message)) {}
  std::string message;
};

[[noreturn]] void regex_fail(const std::string& code, std::wstring_view fragment) {
  throw RegexTranslationError("error parsing regexp: " + code + ": `" + regex_narrow(fragment) + "`");
}

bool regex_is_digit(wchar_t c) {
  return c >= L'0' && c <= L'9';
}
bool regex_is_hex(wchar_t c) {
  return regex_is_digit(c) || (c >= L'a' && c <= L'f') || (c >= L'A' && c <= L'F');
}
uint32_t regex_hex_value(wchar_t c) {
  return static_cast<uint32_t>(regex_is_digit(c) ? c - L'0' : (c | 0x20) - L'a' + 10);
}

// The length of a repetition `{n}`, `{n,}` or `{n,m}` at p[at], or 0 when the brace is a
// literal (RE2 reads a brace that does not form a repetition as itself; Boost refuses some).
size_t regex_repeat_length(std::wstring_view p, size_t at) {
  size_t i = at + 1;
  const auto digits = [&] {
    const size_t start = i;
    while (i < p.size() && regex_is_digit(p[i])) ++i;
    return i - start;
  };
  if (digits() == 0) return 0;
  if (i < p.size() && p[i] == L',') {
    ++i;
    digits();
  }
  return i < p.size() && p[i] == L'}' ? i + 1 - at : 0;
}

// RE2 refuses counts over 1000 and {max,min}.
void regex_check_repeat(std::wstring_view repeat) {
  std::vector<uint64_t> counts{0};
  bool bounded = true;
  for (const wchar_t c : repeat.substr(1, repeat.size() - 2)) {
    if (c == L',') {
      counts.push_back(0);
      bounded = false;
    } else {
      counts.back() = std::min<uint64_t>(counts.back() * 10 + static_cast<uint64_t>(c - L'0'), 100000);
      bounded = true;
    }
  }
  const uint64_t max = counts.back();
  if (counts.front() > 1000 || (bounded && (max > 1000 || max < counts.front()))) {
    regex_fail("invalid repeat count", repeat);
  }
}

void regex_append_literal(std::wstring& out, wchar_t c) {
  if (std::wstring_view(L"\\^$.|?*+()[]{}/").find(c) != std::wstring_view::npos) out.push_back(L'\\');
  out.push_back(c);
}

// An escape at p[at] (the backslash), in or outside a character class; appends its
// Boost form and returns the length it had in the pattern.
size_t regex_translate_escape(std::wstring_view p, size_t at, std::wstring& out, bool in_class) {
  if (at + 1 >= p.size()) regex_fail("trailing backslash at end of expression", L"");
  const wchar_t c = p[at + 1];
  switch (c) {
    case L'A':
      if (in_class) break;
      out += L"\\A";
      return 2;
    case L'z':
      if (in_class) break;
      out += L"\\z";
      return 2;
    case L'a': out += L"\\x07"; return 2;
    case L'x': {
      if (at + 2 < p.size() && p[at + 2] == L'{') {
        const size_t close = p.find(L'}', at + 3);
        if (close == std::wstring_view::npos || close == at + 3)
          regex_fail("invalid escape sequence", p.substr(at));
        uint32_t cp = 0;
        for (size_t i = at + 3; i < close; ++i) {
          if (!regex_is_hex(p[i]) || cp > 0x10FFFF)
            regex_fail("invalid escape sequence", p.substr(at, close + 1 - at));
          cp = cp * 16 + regex_hex_value(p[i]);
        }
        if (cp > 0x10FFFF) regex_fail("invalid escape sequence", p.substr(at, close + 1 - at));
        regex_append_literal(out, static_cast<wchar_t>(cp));
        return close + 1 - at;
      }
      if (at + 3 < p.size() && regex_is_hex(p[at + 2]) && regex_is_hex(p[at + 3])) {
        out += p.substr(at, 4);
        return 4;
      }
      regex_fail("invalid escape sequence", p.substr(at, std::min<size_t>(4, p.size() - at)));
    }
    case L'd':
    case L'D':
    case L's':
    case L'S':
    case L'w':
    case L'W':
    case L'f':
    case L'n':
    case L'r':
    case L't':
    case L'v': out += p.substr(at, 2); return 2;
    case L'b':
    case L'B':
      if (in_class) break;
      out += p.substr(at, 2);
      return 2;
    default:
      // Punctuation escapes itself in both dialects.
      if (c < 0x80 && !regex_is_digit(c) && !((c | 0x20) >= L'a' && (c | 0x20) <= L'z')) {
        out += p.substr(at, 2);
        return 2;
      }
  }
  // \p{Greek}, \pL, \C, \Z, backreferences and the like: RE2 refuses most of them and we
  // cannot express the Unicode classes it accepts.
  if (c == L'p' || c == L'P') {
    const size_t end = at + 2 < p.size() && p[at + 2] == L'{' ? p.find(L'}', at) : at + 2;
    regex_fail("invalid character class range",
               p.substr(at, end == std::wstring_view::npos ? end : end + 1 - at));
  }
  regex_fail("invalid escape sequence", p.substr(at, 2));
}

// A POSIX class inside brackets, "[:alpha:]": Boost knows all of RE2's but two.
std::wstring regex_posix_class(std::wstring_view name) {
  if (name == L"[:word:]") return L"\\w";
  if (name == L"[:ascii:]") return L"\\x00-\\x7F";
  for (const std::wstring_view known : {L"alnum", L"alpha", L"blank", L"cntrl", L"digit", L"graph", L"lower",
                                        L"print", L"punct", L"space", L"upper", L"xdigit"}) {
    if (name.substr(2, name.size() - 4) == known) return std::wstring(name);
  }
  regex_fail("invalid character class range", name);
}

// A bracketed class from p[at] ('['); appends it and returns its length.
size_t regex_translate_class(std::wstring_view p, size_t at, std::wstring& out) {
  size_t i = at + 1;
  out += L'[';
  if (i < p.size() && p[i] == L'^') {
    out += L'^';
    ++i;
  }
  if (i < p.size() && p[i] == L']') {  // a leading ']' is a member, not the end
    out += L"\\]";
    ++i;
  }
  while (i < p.size() && p[i] != L']') {
    if (p[i] == L'\\') {
      i += regex_translate_escape(p, i, out, true);
    } else if (p[i] == L'[' && i + 1 < p.size() && p[i + 1] == L':') {
      const size_t close = p.find(L":]", i + 2);
      if (close == std::wstring_view::npos) regex_fail("missing closing ]", p.substr(at));
      out += regex_posix_class(p.substr(i, close + 2 - i));
      i = close + 2;
    } else {
      if (p[i] == L'[') out += L'\\';
      out += p[i++];
    }
  }
  if (i >= p.size()) regex_fail("missing closing ]", p.substr(at));
  out += L']';
  return i + 1 - at;
}

struct RegexTranslation {
  std::wstring pattern;
  bool multiline = false;
  boost::regex_constants::syntax_option_type flags = boost::regex::perl;
};

RegexTranslation regex_translate(std::wstring_view p) {
  RegexTranslation result;
  bool dot_all = false;
  size_t i = 0;
  // Flags apply to the whole pattern only when they lead it: (?i), (?s), (?m), (?is)...
  if (p.starts_with(L"(?") && p.size() > 2 &&
      std::wstring_view(L"imsU-").find(p[2]) != std::wstring_view::npos) {
    const size_t close = p.find(L')');
    if (close != std::wstring_view::npos) {
      for (size_t f = 2; f < close; ++f) {
        switch (p[f]) {
          case L'i': result.flags |= boost::regex::icase; break;
          case L'm': result.multiline = true; break;
          case L's': dot_all = true; break;
          default: regex_fail("invalid or unsupported Perl syntax", p.substr(0, close + 1));
        }
      }
      i = close + 1;
    }
  }
  std::wstring& out = result.pattern;
  size_t depth = 0;                              // groups open
  bool has_operand = false;                      // something precedes that a repetition could apply to
  size_t last_repeat = std::wstring_view::npos;  // where the repetition just before started
  while (i < p.size()) {
    const wchar_t c = p[i];
    // RE2 refuses a repetition of nothing (`*a`) and of a repetition (`a**`).
    const size_t repeat_length = c == L'*' || c == L'+' || c == L'?' ? 1
                                 : c == L'{'                         ? regex_repeat_length(p, i)
                                                                     : 0;
    if (repeat_length > 0) {
      size_t end = i + repeat_length;
      if (end < p.size() && p[end] == L'?') ++end;  // non-greedy
      if (last_repeat != std::wstring_view::npos) {
        regex_fail("invalid nested repetition operator", p.substr(last_repeat, end - last_repeat));
      }
      if (!has_operand) regex_fail("missing argument to repetition operator", p.substr(i, repeat_length));
      if (c == L'{') regex_check_repeat(p.substr(i, repeat_length));
      out += p.substr(i, end - i);
      last_repeat = i;
      i = end;
      continue;
    }
    last_repeat = std::wstring_view::npos;
    has_operand = c != L'(' && c != L'|';
    if (c == L'(') {
      ++depth;
    } else if (c == L')') {
      if (depth == 0) regex_fail("unexpected )", p);
      --depth;
    }
    if (c == L'\\') {
      if (i + 1 < p.size() && p[i + 1] == L'Q') {
        const size_t end = p.find(L"\\E", i + 2);
        const size_t stop = end == std::wstring_view::npos ? p.size() : end;
        for (size_t k = i + 2; k < stop; ++k) regex_append_literal(out, p[k]);
        i = end == std::wstring_view::npos ? p.size() : end + 2;
      } else {
        i += regex_translate_escape(p, i, out, false);
      }
    } else if (c == L'[') {
      i += regex_translate_class(p, i, out);
    } else if (c == L'(' && i + 1 < p.size() && p[i + 1] == L'?') {
      const std::wstring_view rest = p.substr(i);
      if (rest.starts_with(L"(?:")) {
        out += L"(?:";
        i += 3;
      } else if (rest.starts_with(L"(?P<") || rest.starts_with(L"(?<")) {
        const size_t name = i + (rest[2] == L'P' ? 4 : 3);
        const size_t close = p.find(L'>', name);
        if (close == std::wstring_view::npos || close == name || rest.starts_with(L"(?<=") ||
            rest.starts_with(L"(?<!")) {
          regex_fail(rest.starts_with(L"(?<=") || rest.starts_with(L"(?<!")
                         ? "invalid or unsupported Perl syntax"
                         : "invalid named capture",
                     rest.substr(0, std::min<size_t>(4, rest.size())));
        }
        out += L'(';  // the name changes nothing a rule sees
        i = close + 1;
      } else {
        regex_fail("invalid or unsupported Perl syntax", rest.substr(0, std::min<size_t>(3, rest.size())));
      }
    } else if (c == L'{' || c == L'}') {  // not a repetition: a literal brace
      out += L'\\';
      out += c;
      ++i;
    } else if (c == L'.') {
      // RE2's dot is anything but a newline (anything at all with s); Boost's dot depends
      // on match flags, so say exactly which.
      out += dot_all ? L"[\\s\\S]" : L"[^\\n]";
      ++i;
    } else if (c == L'$' && !result.multiline) {
      out += L"\\z";  // Perl's $ also matches before a final newline; RE2's does not
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  if (depth > 0) regex_fail("missing closing )", p);
  return result;
}

std::string regex_error_code(boost::regex_constants::error_type code) {
  switch (code) {
    case boost::regex_constants::error_paren: return "missing closing )";
    case boost::regex_constants::error_brack: return "missing closing ]";
    case boost::regex_constants::error_escape: return "invalid escape sequence";
    case boost::regex_constants::error_range: return "invalid character class range";
    case boost::regex_constants::error_ctype: return "invalid character class range";
    case boost::regex_constants::error_brace:
    case boost::regex_constants::error_badbrace: return "invalid repeat count";
    case boost::regex_constants::error_badrepeat: return "missing argument to repetition operator";
    case boost::regex_constants::error_complexity:
    case boost::regex_constants::error_space: return "expression too large";
    default: return "invalid regular expression";
  }
}

std::shared_ptr<const RegexCompiled> regex_build(const std::string& pattern) {
  auto compiled = std::make_shared<RegexCompiled>();
  const std::wstring wide = regex_widen(pattern);
  try {
    const RegexTranslation translated = regex_translate(wide);
    // Without (?m), ^ and $ anchor the text only (Boost's default is per line).
    const auto flags = translated.multiline ? translated.flags : translated.flags | boost::regex::no_mod_m;
    compiled->re.assign(translated.pattern, flags);
    if (std::all_of(translated.pattern.begin(), translated.pattern.end(), [](wchar_t c) { return c < 0x80; }))
      compiled->ascii.emplace(std::string(translated.pattern.begin(), translated.pattern.end()), flags);
  } catch (const RegexTranslationError& e) {
    compiled->error = e.message;
  } catch (const boost::regex_error& e) {
    compiled->error = "error parsing regexp: " + regex_error_code(e.code()) + ": `" + pattern + "`";
  }
  return compiled;
}

// Rules run once per object, usually with a literal pattern, so compiled patterns are
// kept, least recently used first out, shared by all threads.
class RegexCache {
 public:
  std::shared_ptr<const RegexCompiled> get(const std::string& pattern) {
    {
      std::lock_guard lock(mutex_);
      if (const auto it = index_.find(pattern); it != index_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
      }
    }
    std::shared_ptr<const RegexCompiled> compiled = regex_build(pattern);  // outside the lock: it can be slow
    std::lock_guard lock(mutex_);
    if (index_.find(pattern) == index_.end()) {
      order_.emplace_front(pattern, compiled);
      index_.emplace(pattern, order_.begin());
      if (order_.size() > kCapacity) {
        index_.erase(order_.back().first);
        order_.pop_back();
      }
    }
    return compiled;
  }

 private:
  static constexpr size_t kCapacity = 256;
  using Entry = std::pair<std::string, std::shared_ptr<const RegexCompiled>>;
  std::mutex mutex_;
  std::list<Entry> order_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

std::shared_ptr<const RegexCompiled> regex_compile(const std::string& pattern) {
  static RegexCache cache;
  return cache.get(pattern);
}

// Go's FindAllString: successive leftmost matches, at most n (all when n < 0); an empty
// match right where the previous one ended does not count.
std::vector<Value> regex_find_all(const boost::wregex& re, const std::wstring& s, int64_t n) {
  std::vector<Value> found;
  if (n < 0) n = static_cast<int64_t>(s.size()) + 1;
  size_t pos = 0;
  size_t previous_end = std::wstring::npos;
  while (static_cast<int64_t>(found.size()) < n && pos <= s.size()) {
    boost::wsmatch m;
    const auto flags = pos == 0 ? boost::match_default : boost::match_prev_avail;
    if (!boost::regex_search(s.begin() + static_cast<std::ptrdiff_t>(pos), s.end(), m, re, flags)) break;
    const auto start = static_cast<size_t>(m[0].first - s.begin());
    const auto end = static_cast<size_t>(m[0].second - s.begin());
    bool accept = true;
    if (end == pos) {
      accept = start != previous_end;
      ++pos;
    } else {
      pos = end;
    }
    previous_end = end;
    if (accept) found.emplace_back(regex_narrow(std::wstring_view(s).substr(start, end - start)));
  }
  return found;
}

// Compiles args[1] (from the cache) and runs `match` on args[0]. Boost gives up on a
// match that would need too much memory, which RE2 never does; that becomes an error too.
template <class Match>
Value regex_run(std::span<const Value> args, std::string_view error_prefix, Match match) {
  const auto compiled = regex_compile(args[1].as_string());
  if (!compiled->error.empty()) return Value::error(std::string(error_prefix) + compiled->error);
  try {
    return match(compiled->re, regex_widen(args[0].as_string()));
  } catch (const std::runtime_error& e) {
    return Value::error("error matching regexp: " + std::string(e.what()));
  }
}

Value regex_matches(std::span<const Value> args) {
  const auto compiled = regex_compile(args[1].as_string());
  if (compiled->error.empty() && compiled->ascii && regex_is_ascii(args[0].as_string())) {
    try {
      return Value(boost::regex_search(args[0].as_string(), *compiled->ascii));
    } catch (const std::runtime_error& e) {
      return Value::error("error matching regexp: " + std::string(e.what()));
    }
  }
  return regex_run(args, "", [](const boost::wregex& re, const std::wstring& s) {
    return Value(boost::regex_search(s, re));
  });
}

// Kubernetes words a bad pattern in find and findAll differently from matches.
constexpr std::string_view kRegexIllegal = "Illegal regex: ";

Value regex_find(std::span<const Value> args) {
  return regex_run(args, kRegexIllegal, [](const boost::wregex& re, const std::wstring& s) {
    boost::wsmatch m;
    if (!boost::regex_search(s, m, re)) return Value(std::string());
    return Value(regex_narrow(std::wstring_view(m[0].first, m[0].second)));
  });
}

Value regex_find_all_impl(std::span<const Value> args, int64_t n) {
  return regex_run(args, kRegexIllegal, [n](const boost::wregex& re, const std::wstring& s) {
    return Value(regex_find_all(re, s, n));
  });
}

}  // namespace

Regex::Regex(std::string_view pattern) : compiled_(regex_compile(std::string(pattern))) {}

const std::string& Regex::error() const {
  return static_cast<const RegexCompiled*>(compiled_.get())->error;
}

std::variant<bool, std::string> Regex::search(std::string_view text) const {
  const auto* compiled = static_cast<const RegexCompiled*>(compiled_.get());
  if (!compiled->error.empty()) return compiled->error;
  try {
    if (compiled->ascii && regex_is_ascii(text))
      return boost::regex_search(text.begin(), text.end(), *compiled->ascii);
    return boost::regex_search(regex_widen(text), compiled->re);
  } catch (const std::runtime_error& e) {
    return "error matching regexp: " + std::string(e.what());
  }
}

void add_regex_functions(Library& library) {
  const TypePtr str = types::string();
  const TypePtr strings = types::list(str);
  library.add("matches",
              Overload{"matches", false, {str, str}, types::boolean(), regex_matches, CallCost::regex()});
  library.add(
      "matches",
      Overload{"matches_string", true, {str, str}, types::boolean(), regex_matches, CallCost::regex()});
  library.add("find", Overload{"string_find_string", true, {str, str}, str, regex_find, CallCost::regex()});
  library.add("findAll", Overload{"string_find_all_string",
                                  true,
                                  {str, str},
                                  strings,
                                  [](std::span<const Value> args) { return regex_find_all_impl(args, -1); },
                                  CallCost::regex()});
  library.add("findAll", Overload{"string_find_all_string_int",
                                  true,
                                  {str, str, types::int64()},
                                  strings,
                                  [](std::span<const Value> args) {
                                    return regex_find_all_impl(args, args[2].as_int());
                                  },
                                  CallCost::regex()});
}

}  // namespace ukube::cel
