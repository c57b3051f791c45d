#include "undecodable_body.h"

#include <cstdio>
#include <vector>

namespace ukube::apiserver {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Go's quoteChar: the byte as strconv.Quote writes the rune of that value, in single quotes.
std::string quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  switch (c) {
    case '\a': return "'\\a'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\v': return "'\\v'";
    case '\\': return "'\\\\'";
    default: break;
  }
  char buf[8];
  if (c < 0x20 || c == 0x7f) {
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    return std::string("'") + buf + "'";
  }
  if (c < 0x80) return std::string("'") + static_cast<char>(c) + "'";
  if (c < 0xa0) {  // C1 controls are not printable: strconv writes them as \u00XX
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    return std::string("'") + buf + "'";
  }
  if (c == 0xa0 || c == 0xad) {  // no-break space and soft hyphen are not graphic either
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    return std::string("'") + buf + "'";
  }
  // Latin-1 byte b is the rune U+00b, encoded in UTF-8.
  std::string out = "'";
  out.push_back(static_cast<char>(0xc0 | (c >> 6)));
  out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  return out + "'";
}

std::string invalid(char c, const char* context) {
  return "invalid character " + quote_char(static_cast<unsigned char>(c)) + " " + context;
}

// Reads the grammar with an explicit stack of open containers (bodies can nest deeper than
// a thread's stack allows) and reports the first error where Go's state machine would,
// with its words.
class GoScanner {
 public:
  explicit GoScanner(std::string_view text) : text_(text) {}

  std::string check() {
    skip_space();
    for (;;) {
      if (auto e = value(); !e.empty()) return e;
      // After a value: close containers, or go on to the next member or element.
      for (;;) {
        if (open_.empty()) {
          skip_space();
          if (pos_ < text_.size()) return invalid(text_[pos_], "after top-level value");
          return "";
        }
        skip_space();
        if (at_end()) return kEnd;
        const bool in_object = open_.back() == '{';
        if (peek() == (in_object ? '}' : ']')) {
          ++pos_;
          open_.pop_back();
          continue;
        }
        if (peek() != ',')
          return invalid(peek(), in_object ? "after object key:value pair" : "after array element");
        ++pos_;
        skip_space();
        if (in_object) {
          if (auto e = key(); !e.empty()) return e;
        }
        break;
      }
    }
  }

 private:
  static constexpr size_t kMaxDepth = 10000;
  static constexpr const char* kEnd = "unexpected end of JSON input";

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_space() {
    while (!at_end() && is_space(peek())) ++pos_;
  }

  // One value; an object or array opened here leaves the scanner at its first member or
  // element, or finds it empty and closes it at once.
  std::string value() {
    for (;;) {
      if (at_end()) return kEnd;
      char c = peek();
      if (c == '{' || c == '[') {
        if (open_.size() >= kMaxDepth) return "exceeded max depth";
        ++pos_;
        open_.push_back(c);
        skip_space();
        if (at_end()) return kEnd;
        if (peek() == (c == '{' ? '}' : ']')) {
          ++pos_;
          open_.pop_back();
          return "";
        }
        if (c == '{') {
          if (auto e = key(); !e.empty()) return e;
        }
        continue;  // the first element or member value
      }
      if (c == '"') return string();
      if (c == 't') return literal("true");
      if (c == 'f') return literal("false");
      if (c == 'n') return literal("null");
      if (c == '-' || is_digit(c)) return number();
      return invalid(c, "looking for beginning of value");
    }
  }

  // A member's key and its colon, leaving the scanner at the member's value.
  std::string key() {
    if (at_end()) return kEnd;
    if (peek() != '"') return invalid(peek(), "looking for beginning of object key string");
    if (auto e = string(); !e.empty()) return e;
    skip_space();
    if (at_end()) return kEnd;
    if (peek() != ':') return invalid(peek(), "after object key");
    ++pos_;
    skip_space();
    return "";
  }

  std::string string() {
    ++pos_;
    while (!at_end()) {
      char c = text_[pos_++];
      if (c == '"') return "";
      if (static_cast<unsigned char>(c) < 0x20) return invalid(c, "in string literal");
      if (c != '\\') continue;
      if (at_end()) return kEnd;
      char e = text_[pos_++];
      if (e == 'u') {
        for (int i = 0; i < 4; ++i) {
          if (at_end()) return kEnd;
          char h = text_[pos_++];
          if (!is_hex(h)) return invalid(h, "in \\u hexadecimal character escape");
        }
      } else if (std::string_view("bfnrt\\/\"").find(e) == std::string_view::npos) {
        return invalid(e, "in string escape code");
      }
    }
    return kEnd;
  }

  std::string literal(std::string_view word) {
    ++pos_;
    for (size_t i = 1; i < word.size(); ++i) {
      if (at_end()) return kEnd;
      char c = text_[pos_++];
      if (c != word[i]) {
        std::string context = "in literal " + std::string(word) + " (expecting '" + word[i] + "')";
        return invalid(c, context.c_str());
      }
    }
    return "";
  }

  std::string number() {
    if (peek() == '-') {
      ++pos_;
      if (at_end()) return kEnd;
      if (!is_digit(peek())) return invalid(peek(), "in numeric literal");
    }
    if (peek() == '0') {
      ++pos_;
    } else {
      while (!at_end() && is_digit(peek())) ++pos_;
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (at_end()) return kEnd;
      if (!is_digit(peek())) return invalid(peek(), "after decimal point in numeric literal");
      while (!at_end() && is_digit(peek())) ++pos_;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (at_end()) return kEnd;
      if (!is_digit(peek())) return invalid(peek(), "in exponent of numeric literal");
      while (!at_end() && is_digit(peek())) ++pos_;
    }
    return "";
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<char> open_;  // '{' or '[' per open container
};

// Go's name for the kind of JSON value that cannot go into a struct.
const char* go_value_kind(char first) {
  switch (first) {
    case '[': return "array";
    case '"': return "string";
    case 't':
    case 'f': return "bool";
    default: return "number";
  }
}

// Upstream's summarizeData: the text itself when it looks like an object, hex otherwise.
std::string summarize(std::string_view body) {
  constexpr size_t kMax = 30;
  if (body.empty()) return "<empty>";
  std::string_view head = body.substr(0, kMax);
  std::string out;
  if (body.front() == '{') {
    out = std::string(head);
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char c : head) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return body.size() > kMax ? out + " ..." : out;
}

}  // namespace

std::string go_json_syntax_error(std::string_view text) {
  return GoScanner(text).check();
}

std::string unrecognized_body_message(std::string_view json, std::string_view body, std::string_view kind) {
  std::string cause = go_json_syntax_error(json);
  if (cause.empty()) {
    char c = json[json.find_first_not_of(" \t\r\n")];
    if (c == '{' || c == 'n') return "";
    // Upstream reads apiVersion and kind into an anonymous struct first.
    cause = std::string("json: cannot unmarshal ") + go_value_kind(c) +
            " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
            "Kind string \"json:\\\"kind,omitempty\\\"\" }";
  }
  return "the object provided is unrecognized (must be of type " + std::string(kind) +
         "): couldn't get version/kind; json parse error: " + cause + " (" + summarize(body) + ")";
}

}  // namespace ukube::apiserver
