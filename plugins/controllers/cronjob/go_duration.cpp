#include "go_duration.h"

#include <cctype>

namespace ukube::controllers::cronjob {

std::optional<int64_t> parse_go_duration(std::string_view text, std::string& error) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) {
    error = "time: invalid duration " + quoted;
    return std::nullopt;
  }
  long double total = 0;
  while (!s.empty()) {
    if (!(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) {
      error = "time: invalid duration " + quoted;
      return std::nullopt;
    }
    long double value = 0;
    bool digits = false;
    size_t i = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, digits = true)
      value = value * 10 + (s[i] - '0');
    if (i < s.size() && s[i] == '.') {
      long double scale = 0.1L;
      for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
           ++i, digits = true, scale /= 10)
        value += (s[i] - '0') * scale;
    }
    if (!digits) {
      error = "time: invalid duration " + quoted;
      return std::nullopt;
    }
    size_t unit_end = i;
    while (unit_end < s.size() && s[unit_end] != '.' &&
           !std::isdigit(static_cast<unsigned char>(s[unit_end])))
      ++unit_end;
    const std::string_view unit = s.substr(i, unit_end - i);
    if (unit.empty()) {
      error = "time: missing unit in duration " + quoted;
      return std::nullopt;
    }
    long double ns = 0;
    if (unit == "ns")
      ns = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
      ns = 1e3L;
    else if (unit == "ms")
      ns = 1e6L;
    else if (unit == "s")
      ns = 1e9L;
    else if (unit == "m")
      ns = 60e9L;
    else if (unit == "h")
      ns = 3600e9L;
    else {
      error = "time: unknown unit \"" + std::string(unit) + "\" in duration " + quoted;
      return std::nullopt;
    }
    total += value * ns;
    if (total > 9.2233720368547758e18L) {
      error = "time: invalid duration " + quoted;
      return std::nullopt;
    }
    s.remove_prefix(unit_end);
  }
  const auto ns = static_cast<int64_t>(total);
  return negative ? -ns : ns;
}

}  // namespace ukube::controllers::cronjob
