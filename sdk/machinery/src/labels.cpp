#include "ukube/machinery/labels.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/names.h"

namespace ukube::machinery {
namespace {

// ---- Selector text: upstream's lexer and recursive-descent parser -----------------------

enum class Token {
  End,
  Identifier,
  DoesNotExist,
  Equals,
  DoubleEquals,
  NotEquals,
  In,
  NotIn,
  Gt,
  Lt,
  OpenPar,
  ClosePar,
  Comma,
  Error
};

struct Lexeme {
  Token token;
  std::string text;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Token> symbol_token(std::string_view s) {
  if (s == "!") return Token::DoesNotExist;
  if (s == "!=") return Token::NotEquals;
  if (s == "=") return Token::Equals;
  if (s == "==") return Token::DoubleEquals;
  if (s == ">") return Token::Gt;
  if (s == "<") return Token::Lt;
  if (s == "(") return Token::OpenPar;
  if (s == ")") return Token::ClosePar;
  if (s == ",") return Token::Comma;
  return std::nullopt;
}

// Upstream's Lexer, byte for byte. Its read() answers 0 at the end of the text, so a NUL
// byte ends the text where a token would start and ends an identifier or symbol run
// inside one (and is consumed there).
class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  Lexeme next() {
    char ch = read();
    while (is_space(ch)) ch = read();
    if (ch == 0) return {Token::End, ""};
    unread();
    return is_special(ch) ? special() : identifier_or_keyword();
  }

 private:
  char read() { return pos_ < s_.size() ? s_[pos_++] : 0; }
  void unread() { --pos_; }

  Lexeme identifier_or_keyword() {
    std::string word;
    while (true) {
      char ch = read();
      if (ch == 0) break;
      if (is_special(ch) || is_space(ch)) {
        unread();
        break;
      }
      word.push_back(ch);
    }
    Token t = word == "in" ? Token::In : word == "notin" ? Token::NotIn : Token::Identifier;
    return {t, std::move(word)};
  }

  // The longest run of symbols that still forms a token.
  Lexeme special() {
    std::optional<Lexeme> last;
    std::string run;
    while (true) {
      char ch = read();
      if (ch == 0) break;
      if (!is_special(ch)) {
        unread();
        break;
      }
      run.push_back(ch);
      if (auto t = symbol_token(run)) {
        last = Lexeme{*t, run};
      } else if (last) {
        unread();
        break;
      }
    }
    if (!last) return {Token::Error, "error expected: keyword found '" + run + "'"};
    return std::move(*last);
  }

  std::string_view s_;
  size_t pos_ = 0;
};

std::vector<Lexeme> lex(std::string_view text) {
  std::vector<Lexeme> out;
  Lexer lexer(text);
  while (true) {
    out.push_back(lexer.next());
    if (out.back().token == Token::End) return out;
  }
}

// Validation explanations joined as upstream joins them.
std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// Where a keyword may only be a value ("in" as a label key or value), it is an identifier.
enum class Context { KeyAndOperator, Values };

class Parser {
 public:
  explicit Parser(std::string_view text) : lexemes_(lex(text)) {}

  LabelSelector parse() {
    LabelSelector selector;
    while (true) {
      auto [token, text] = lookahead(Context::Values);
      if (token == Token::Identifier || token == Token::DoesNotExist) {
        selector.requirements.push_back(requirement());
        auto [next, next_text] = consume(Context::Values);
        if (next == Token::End) break;
        if (next != Token::Comma) fail("found '" + next_text + "', expected: ',' or 'end of string'");
        auto [after, after_text] = lookahead(Context::Values);
        if (after != Token::Identifier && after != Token::DoesNotExist)
          fail("found '" + after_text + "', expected: identifier after ','");
      } else if (token == Token::End) {
        break;
      } else {
        fail("found '" + text + "', expected: !, identifier, or 'end of string'");
      }
    }
    std::stable_sort(selector.requirements.begin(), selector.requirements.end(),
                     [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
    return selector;
  }

 private:
  [[noreturn]] static void fail(const std::string& why) { throw SelectorError(why); }
  [[noreturn]] static void fail_requirement(const std::string& why) {
    throw SelectorError("unable to parse requirement: " + why);
  }

  std::pair<Token, std::string> lookahead(Context context) const {
    const Lexeme& l = lexemes_[at_];
    return {resolve(l.token, context), l.text};
  }
  std::pair<Token, std::string> consume(Context context) {
    auto out = lookahead(context);
    if (at_ + 1 < lexemes_.size()) ++at_;
    return out;
  }
  static Token resolve(Token t, Context context) {
    if (context == Context::Values && (t == Token::In || t == Token::NotIn)) return Token::Identifier;
    return t;
  }

  Requirement requirement() {
    Requirement r;
    bool does_not_exist = false;
    auto [token, text] = consume(Context::Values);
    if (token == Token::DoesNotExist) {
      does_not_exist = true;
      std::tie(token, text) = consume(Context::Values);
    }
    if (token != Token::Identifier) fail_requirement("found '" + text + "', expected: identifier");
    if (auto errors = qualified_name_errors(text); !errors.empty())
      fail_requirement("<nil>: Invalid value: " + quote(text) + ": " + join(errors));
    r.key = text;
    auto [next, next_text] = lookahead(Context::Values);
    if (does_not_exist || next == Token::End || next == Token::Comma) {
      // "!a=b" ends the requirement at "a"; the caller then refuses the '='.
      r.op = does_not_exist ? SelectorOp::DoesNotExist : SelectorOp::Exists;
      return checked(std::move(r));
    }
    r.op = binary_operator();
    if (r.op == SelectorOp::In || r.op == SelectorOp::NotIn)
      r.values = value_list();
    else
      r.values = {exact_value()};
    return checked(std::move(r));
  }

  SelectorOp binary_operator() {
    auto [token, text] = consume(Context::KeyAndOperator);
    switch (token) {
      case Token::In: return SelectorOp::In;
      case Token::NotIn: return SelectorOp::NotIn;
      case Token::Equals: return SelectorOp::Equals;
      case Token::DoubleEquals: return SelectorOp::DoubleEquals;
      case Token::NotEquals: return SelectorOp::NotEquals;
      case Token::Gt: return SelectorOp::Gt;
      case Token::Lt: return SelectorOp::Lt;
      default: fail_requirement("found '" + text + "', expected: in, notin, =, ==, !=, gt, lt");
    }
  }

  std::vector<std::string> value_list() {
    auto [token, text] = consume(Context::Values);
    if (token != Token::OpenPar) fail_requirement("found '" + text + "' expected: '('");
    auto [next, next_text] = lookahead(Context::Values);
    std::vector<std::string> values;
    if (next == Token::ClosePar) {
      consume(Context::Values);
      return {""};
    }
    if (next != Token::Identifier && next != Token::Comma)
      fail_requirement("found '" + next_text + "', expected: ',', ')' or identifier");
    identifier_list(values);
    if (consume(Context::Values).first != Token::ClosePar)
      fail_requirement("found '" + next_text + "', expected: ')'");
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
  }

  // "(a,b)", and the empty values of "(,", ",)" and ",," as upstream reads them.
  void identifier_list(std::vector<std::string>& values) {
    while (true) {
      auto [token, text] = consume(Context::Values);
      if (token == Token::Identifier) {
        values.push_back(text);
        auto [next, next_text] = lookahead(Context::Values);
        if (next == Token::Comma) continue;
        if (next == Token::ClosePar) return;
        fail_requirement("found '" + next_text + "', expected: ',' or ')'");
      } else if (token == Token::Comma) {
        if (values.empty()) values.emplace_back();
        auto next = lookahead(Context::Values).first;
        if (next == Token::ClosePar) {
          values.emplace_back();
          return;
        }
        // ",,": an empty value; the second comma is left for the next round, so "(a,,)"
        // still ends at the ')'.
        if (next == Token::Comma) values.emplace_back();
      } else {
        fail_requirement("found '" + text + "', expected: ',', or identifier");
      }
    }
  }

  std::string exact_value() {
    auto next = lookahead(Context::Values).first;
    if (next == Token::End || next == Token::Comma) return "";
    auto [token, text] = consume(Context::Values);
    if (token != Token::Identifier) fail_requirement("found '" + text + "', expected: identifier");
    return text;
  }

  static Requirement checked(Requirement r);

  std::vector<Lexeme> lexemes_;
  size_t at_ = 0;
};

// strconv.ParseInt(s, 10, 64): an optional sign, then at least one digit, in range.
bool parse_int(std::string_view s, int64_t& out) {
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty() || s[0] < '0' || s[0] > '9') return false;  // from_chars would take a second sign
  uint64_t magnitude;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (magnitude > kMax + (negative ? 1 : 0)) return false;
  out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

// A Go string as encoding/json writes it (HTML-safe, invalid UTF-8 as U+FFFD), for the
// list-valued `Invalid value: [...]` of upstream's field errors.
std::string go_json_string(std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < v.size();) {
    auto b = static_cast<unsigned char>(v[i]);
    if (b < 0x80) {
      if (b == '"' || b == '\\') {
        out += '\\';
        out += static_cast<char>(b);
      } else if (b == '\n') {
        out += "\\n";
      } else if (b == '\r') {
        out += "\\r";
      } else if (b == '\t') {
        out += "\\t";
      } else if (b < 0x20 || b == '<' || b == '>' || b == '&') {
        out += "\\u00";
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
      } else {
        out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    // A valid multi-byte sequence is copied; anything else is one byte of U+FFFD.
    size_t n = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    bool valid = n != 0 && i + n <= v.size();
    uint32_t rune = n == 2 ? b & 0x1F : n == 3 ? b & 0x0F : b & 0x07;
    for (size_t k = 1; valid && k < n; ++k) {
      auto c = static_cast<unsigned char>(v[i + k]);
      valid = (c & 0xC0) == 0x80;
      rune = (rune << 6) | (c & 0x3F);
    }
    if (valid) {
      uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
      valid = rune >= min && rune <= 0x10FFFF && !(rune >= 0xD800 && rune <= 0xDFFF);
    }
    if (!valid) {
      out += "\\ufffd";
      ++i;
    } else if (rune == 0x2028 || rune == 0x2029) {
      out += rune == 0x2028 ? "\\u2028" : "\\u2029";
      i += n;
    } else {
      out.append(v.substr(i, n));
      i += n;
    }
  }
  return out + "\"";
}

// A []string bad value as upstream prints it (json.Marshal). An empty list is `null`:
// LabelSelectorAsSelector copies the values with append([]string(nil), ...), which leaves
// no values as a nil slice, and the parser never builds an empty list.
std::string go_json_strings(const std::vector<std::string>& values) {
  if (values.empty()) return "null";
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + go_json_string(values[i]);
  return out + "]";
}

// Upstream's NewRequirement rules, one message per broken rule, each `<field>: <body>`.
std::vector<std::string> requirement_errors(const Requirement& r, bool key_checked) {
  std::vector<std::string> errors;
  if (!key_checked)
    if (auto e = qualified_name_errors(r.key); !e.empty())
      errors.push_back("key: Invalid value: " + quote(r.key) + ": " + join(e));
  auto invalid_values = [&](std::string_view detail) {
    errors.push_back("values: Invalid value: " + go_json_strings(r.values) + ": " + std::string(detail));
  };
  switch (r.op) {
    case SelectorOp::In:
    case SelectorOp::NotIn:
      if (r.values.empty()) invalid_values("for 'in', 'notin' operators, values set can't be empty");
      break;
    case SelectorOp::Equals:
    case SelectorOp::DoubleEquals:
    case SelectorOp::NotEquals:
      if (r.values.size() != 1) invalid_values("exact-match compatibility requires one single value");
      break;
    case SelectorOp::Exists:
    case SelectorOp::DoesNotExist:
      if (!r.values.empty()) invalid_values("values set must be empty for exists and does not exist");
      break;
    case SelectorOp::Gt:
    case SelectorOp::Lt: {
      if (r.values.size() != 1) invalid_values("for 'Gt', 'Lt' operators, exactly one value is required");
      int64_t ignored;
      for (size_t i = 0; i < r.values.size(); ++i)
        if (!parse_int(r.values[i], ignored))
          errors.push_back("values[" + std::to_string(i) + "]: Invalid value: " + quote(r.values[i]) +
                           ": for 'Gt', 'Lt' operators, the value must be an integer");
      break;
    }
  }
  for (size_t i = 0; i < r.values.size(); ++i)
    if (auto e = label_value_errors(r.values[i]); !e.empty())
      errors.push_back("values[" + std::to_string(i) + "][" + r.key +
                       "]: Invalid value: " + quote(r.values[i]) + ": " + join(e));
  return errors;
}

// ErrorList.ToAggregate().Error(): repeated messages once, one message bare, several in
// brackets.
std::string aggregate(const std::vector<std::string>& errors) {
  std::vector<std::string> unique;
  for (const auto& e : errors)
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  if (unique.size() == 1) return unique[0];
  std::string out = "[";
  for (size_t i = 0; i < unique.size(); ++i) out += (i ? ", " : "") + unique[i];
  return out + "]";
}

Requirement Parser::checked(Requirement r) {
  if (auto errors = requirement_errors(r, true); !errors.empty()) fail_requirement(aggregate(errors));
  return r;
}

// ---- Matching ----------------------------------------------------------------------------

template <class Lookup>
bool requirement_matches(const Requirement& r, Lookup&& lookup) {
  std::optional<std::string_view> have = lookup(r.key);
  auto listed = [&] { return std::find(r.values.begin(), r.values.end(), *have) != r.values.end(); };
  switch (r.op) {
    case SelectorOp::In:
    case SelectorOp::Equals:
    case SelectorOp::DoubleEquals: return have && listed();
    case SelectorOp::NotIn:
    case SelectorOp::NotEquals: return !have || !listed();
    case SelectorOp::Exists: return have.has_value();
    case SelectorOp::DoesNotExist: return !have;
    case SelectorOp::Gt:
    case SelectorOp::Lt: {
      int64_t value, bound;
      if (!have || r.values.size() != 1 || !parse_int(*have, value) || !parse_int(r.values[0], bound))
        return false;
      return r.op == SelectorOp::Gt ? value > bound : value < bound;
    }
  }
  return false;
}

template <class Lookup>
bool selector_matches(const LabelSelector& s, Lookup&& lookup) {
  if (s.nothing) return false;
  for (const auto& r : s.requirements)
    if (!requirement_matches(r, lookup)) return false;
  return true;
}

std::string_view string_of(const boost::json::value& v) {
  return v.is_string() ? std::string_view(v.get_string().data(), v.get_string().size()) : std::string_view();
}

std::vector<std::string> strings_of(const boost::json::value* v) {
  std::vector<std::string> out;
  if (const auto* a = v ? v->if_array() : nullptr)
    for (const auto& s : *a) out.emplace_back(string_of(s));
  return out;
}

}  // namespace

LabelSelector parse_selector(std::string_view text) {
  return Parser(text).parse();
}

std::optional<LabelSelector> selector_from_json(const boost::json::object& selector, std::string* error) {
  auto refuse = [&](std::string why) -> std::optional<LabelSelector> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  LabelSelector out;
  if (const auto* labels = selector.if_contains("matchLabels"); labels && labels->is_object()) {
    for (const auto& m : labels->get_object()) {
      Requirement r{std::string(m.key()), SelectorOp::Equals, {std::string(string_of(m.value()))}};
      if (auto errors = requirement_errors(r, false); !errors.empty()) return refuse(aggregate(errors));
      out.requirements.push_back(std::move(r));
    }
  }
  if (const auto* exprs = selector.if_contains("matchExpressions"); exprs && exprs->is_array()) {
    for (const auto& e : exprs->get_array()) {
      const auto* o = e.if_object();
      if (!o) continue;
      Requirement r;
      r.key = o->contains("key") ? std::string(string_of(o->at("key"))) : std::string();
      std::string_view op = o->contains("operator") ? string_of(o->at("operator")) : std::string_view();
      auto parsed = operator_from_json(op);
      if (!parsed || *parsed == SelectorOp::Gt || *parsed == SelectorOp::Lt)
        return refuse(quote(op) + " is not a valid label selector operator");
      r.op = *parsed;
      r.values = strings_of(o->if_contains("values"));
      if (auto errors = requirement_errors(r, false); !errors.empty()) return refuse(aggregate(errors));
      out.requirements.push_back(std::move(r));
    }
  }
  std::stable_sort(out.requirements.begin(), out.requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return out;
}

LabelSelector selector_from_json_or_nothing(const boost::json::object* selector) {
  if (selector)
    if (auto s = selector_from_json(*selector)) return std::move(*s);
  LabelSelector nothing;
  nothing.nothing = true;
  return nothing;
}

LabelSelector selector_from_map(const boost::json::object& labels) {
  LabelSelector out;
  for (const auto& m : labels)
    out.requirements.push_back(
        {std::string(m.key()), SelectorOp::Equals, {std::string(string_of(m.value()))}});
  std::sort(out.requirements.begin(), out.requirements.end(),
            [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return out;
}

std::optional<SelectorOp> operator_from_json(std::string_view op) {
  if (op == "In") return SelectorOp::In;
  if (op == "NotIn") return SelectorOp::NotIn;
  if (op == "Exists") return SelectorOp::Exists;
  if (op == "DoesNotExist") return SelectorOp::DoesNotExist;
  if (op == "Gt") return SelectorOp::Gt;
  if (op == "Lt") return SelectorOp::Lt;
  return std::nullopt;
}

std::string requirement_error(const Requirement& r) {
  auto errors = requirement_errors(r, false);
  return errors.empty() ? std::string() : aggregate(errors);
}

std::string to_string(const Requirement& r) {
  std::string out = r.op == SelectorOp::DoesNotExist ? "!" + r.key : r.key;
  switch (r.op) {
    case SelectorOp::Exists:
    case SelectorOp::DoesNotExist: return out;
    case SelectorOp::Equals: out += "="; break;
    case SelectorOp::DoubleEquals: out += "=="; break;
    case SelectorOp::NotEquals: out += "!="; break;
    case SelectorOp::In: out += " in ("; break;
    case SelectorOp::NotIn: out += " notin ("; break;
    case SelectorOp::Gt: out += ">"; break;
    case SelectorOp::Lt: out += "<"; break;
  }
  std::vector<std::string> values = r.values;
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  if (r.op == SelectorOp::In || r.op == SelectorOp::NotIn) out += ")";
  return out;
}

std::string to_string(const LabelSelector& selector) {
  if (selector.nothing) return "";
  std::string out;
  for (const auto& r : selector.requirements) out += (out.empty() ? "" : ",") + to_string(r);
  return out;
}

std::string selector_string(const boost::json::object* selector) {
  if (!selector) return "<none>";
  // Printing never refuses: what does not convert prints what it can, as kubectl would
  // have been given it.
  LabelSelector s;
  if (auto converted = selector_from_json(*selector)) s = std::move(*converted);
  return to_string(s);
}

bool matches(const Requirement& r, const Labels& labels) {
  return requirement_matches(r, [&](std::string_view key) -> std::optional<std::string_view> {
    if (const auto* v = labels.find(key)) return std::string_view(*v);
    return std::nullopt;
  });
}

bool matches_value(const Requirement& r, std::string_view value) {
  return requirement_matches(r, [&](std::string_view) -> std::optional<std::string_view> { return value; });
}

bool matches(const LabelSelector& selector, const Labels& labels) {
  return selector_matches(selector, [&](std::string_view key) -> std::optional<std::string_view> {
    if (const auto* v = labels.find(key)) return std::string_view(*v);
    return std::nullopt;
  });
}

bool matches(const LabelSelector& selector, const boost::json::object* labels) {
  return selector_matches(selector, [&](std::string_view key) -> std::optional<std::string_view> {
    const auto* v = labels ? labels->if_contains(key) : nullptr;
    if (!v || !v->is_string()) return std::nullopt;
    return string_of(*v);
  });
}

Labels to_labels(const boost::json::object* labels) {
  std::vector<Labels::Entry> entries;
  if (labels) {
    entries.reserve(labels->size());
    for (const auto& m : *labels)
      if (m.value().is_string())
        entries.emplace_back(std::string(m.key()), std::string(string_of(m.value())));
  }
  return Labels(std::move(entries));
}

const boost::json::object* labels_of(const boost::json::object& object) {
  const auto* meta = object.if_contains("metadata");
  const auto* labels = meta && meta->is_object() ? meta->get_object().if_contains("labels") : nullptr;
  return labels ? labels->if_object() : nullptr;
}

std::string format_labels(const boost::json::object* labels) {
  Labels sorted = to_labels(labels);
  if (sorted.empty()) return "<none>";
  std::string out;
  for (const auto& [k, v] : sorted.entries()) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

}  // namespace ukube::machinery
