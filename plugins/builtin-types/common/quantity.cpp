#include "common/quantity.h"

#include <cctype>
#include <cmath>

#include <boost/json.hpp>

namespace ukube::builtin {

std::optional<long double> parse_quantity(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
  size_t digits_start = i;
  long double value = 0;
  bool any_digit = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    value = value * 10 + (s[i++] - '0');
    any_digit = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    long double scale = 0.1L;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      value += (s[i++] - '0') * scale;
      scale /= 10;
      any_digit = true;
    }
  }
  if (!any_digit || i == digits_start) return std::nullopt;
  std::string_view suffix = s.substr(i);
  long double factor = 1;
  if (suffix.empty()) {
  } else if (suffix.size() == 2 && suffix[1] == 'i') {
    static constexpr std::string_view kBinary = "KMGTPE";
    auto pos = kBinary.find(suffix[0]);
    if (pos == std::string_view::npos) return std::nullopt;
    factor = std::pow(1024.0L, static_cast<long double>(pos + 1));
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view exp = suffix.substr(1);
    if (exp.empty()) {
      factor = std::pow(10.0L, 18.0L);  // a bare "E" is exa
    } else {
      size_t j = 0;
      bool neg = false;
      if (exp[j] == '+' || exp[j] == '-') neg = exp[j++] == '-';
      if (j == exp.size()) return std::nullopt;
      int e = 0;
      for (; j < exp.size(); ++j) {
        if (!std::isdigit(static_cast<unsigned char>(exp[j]))) return std::nullopt;
        e = e * 10 + (exp[j] - '0');
        if (e > 1000) return std::nullopt;
      }
      factor = std::pow(10.0L, static_cast<long double>(neg ? -e : e));
    }
  } else if (suffix.size() == 1) {
    switch (suffix[0]) {
      case 'n': factor = 1e-9L; break;
      case 'u': factor = 1e-6L; break;
      case 'm': factor = 1e-3L; break;
      case 'k': factor = 1e3L; break;
      case 'M': factor = 1e6L; break;
      case 'G': factor = 1e9L; break;
      case 'T': factor = 1e12L; break;
      case 'P': factor = 1e15L; break;
      default: return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  value *= factor;
  return negative ? -value : value;
}

std::optional<long double> quantity_value(const boost::json::value& v) {
  if (v.is_string()) return parse_quantity(std::string_view(v.get_string().data(), v.get_string().size()));
  if (v.is_int64()) return static_cast<long double>(v.get_int64());
  if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
  if (v.is_double()) return static_cast<long double>(v.get_double());
  return std::nullopt;
}

std::string quantity_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return boost::json::serialize(v);
}

}  // namespace ukube::builtin
