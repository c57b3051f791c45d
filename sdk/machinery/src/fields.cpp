#include "ukube/machinery/fields.h"

#include <algorithm>
#include <cstdint>

// Upstream's k8s.io/apimachinery/pkg/fields/selector.go, step for step: the API server
// answers `?fieldSelector=` with the same requirements and the same error text.
namespace ukube::machinery {
namespace {

// Go's `for _, c := range s`: one rune and its width in bytes; a byte that does not start
// a valid UTF-8 sequence is U+FFFD, one byte wide.
constexpr char32_t kRuneError = 0xFFFD;

char32_t decode_rune(std::string_view s, size_t at, size_t& width) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(at);
  width = 1;
  if (b0 < 0x80) return b0;
  auto continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  size_t n;
  char32_t r;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, r = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, r = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return kRuneError;
  }
  for (size_t i = 1; i < n; ++i) {
    if (!continuation(at + i)) return kRuneError;
    r = (r << 6) | (byte(at + i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid, as Go decodes them.
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return kRuneError;
  width = n;
  return r;
}

void append_rune(std::string& out, char32_t r) {
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// splitTerms: the comma-separated terms, a backslash protecting the character after it
// (kept, backslash and all). Upstream skips the next rune; skipping one byte is the same,
// since UTF-8 continuation bytes are never ',' or '\'.
std::vector<std::string_view> split_terms(std::string_view text) {
  std::vector<std::string_view> out;
  if (text.empty()) return out;
  size_t start = 0;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (escaped) {
      escaped = false;
    } else if (text[i] == '\\') {
      escaped = true;
    } else if (text[i] == ',') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

// splitTerm: the first position where "!=", "==" or "=" starts (tried in that order).
// Upstream honours no escapes on the left-hand side, so neither does this: `a\=b=c`
// splits after `a\`.
bool split_term(std::string_view term, std::string_view& lhs, std::string_view& op, std::string_view& rhs) {
  for (size_t i = 0; i < term.size(); ++i) {
    for (std::string_view candidate :
         {std::string_view("!="), std::string_view("=="), std::string_view("=")}) {
      if (term.substr(i).starts_with(candidate)) {
        lhs = term.substr(0, i);
        op = candidate;
        rhs = term.substr(i + candidate.size());
        return true;
      }
    }
  }
  return false;
}

// UnescapeValue. Upstream walks runes: an invalid UTF-8 byte comes back as U+FFFD, and the
// unescaped-rune error prints the rune as a number (`%v` of a rune), e.g. 61 for '='.
std::string unescape_value(std::string_view value) {
  if (value.find_first_of("\\,=") == std::string_view::npos) return std::string(value);
  std::string out;
  out.reserve(value.size());
  bool escaped = false;
  for (size_t i = 0; i < value.size();) {
    size_t width;
    char32_t c = decode_rune(value, i, width);
    i += width;
    if (escaped) {
      if (c != '\\' && c != ',' && c != '=') {
        std::string sequence = "\\";
        append_rune(sequence, c);
        throw FieldSelectorError("invalid field selector: invalid escape sequence: " + sequence);
      }
      out.push_back(static_cast<char>(c));
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == ',' || c == '=') {
      throw FieldSelectorError("invalid field selector: unescaped character in value: " +
                               std::to_string(static_cast<uint32_t>(c)));
    } else {
      append_rune(out, c);
    }
  }
  if (escaped) throw FieldSelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

}  // namespace

std::vector<FieldRequirement> parse_field_selector(std::string_view text) {
  auto parts = split_terms(text);
  // Go sorts the raw (still escaped) terms bytewise; string_view compares the same way.
  std::sort(parts.begin(), parts.end());
  std::vector<FieldRequirement> out;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    std::string_view lhs, op, rhs;
    if (!split_term(part, lhs, op, rhs))
      throw FieldSelectorError("invalid selector: '" + std::string(text) + "'; can't understand '" +
                               std::string(part) + "'");
    std::string value = unescape_value(rhs);
    // Upstream runs every term through an identity Transform, which turns a term with an
    // empty field and an empty value ("=", "!=") into Everything, and drops it.
    if (lhs.empty() && value.empty()) continue;
    out.push_back({std::string(lhs), op != "!=", std::move(value)});
  }
  return out;
}

std::string escape_field_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string to_string(const std::vector<FieldRequirement>& selector) {
  std::string out;
  for (const auto& r : selector) {
    if (!out.empty()) out += ',';
    out += r.field;
    out += r.equals ? "=" : "!=";
    out += escape_field_value(r.value);
  }
  return out;
}

}  // namespace ukube::machinery
