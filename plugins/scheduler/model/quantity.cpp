#include "model/quantity.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace ukube::scheduler {
namespace {

// The value as a long double scaled by the suffix; precise enough for resource sizes.
std::optional<long double> parse_value(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                               ((text[end] == '+' || text[end] == '-') && end == 0)))
    ++end;
  if (end == 0) return std::nullopt;
  std::string number(text.substr(0, end));
  char* parsed_end = nullptr;
  long double value = std::strtold(number.c_str(), &parsed_end);
  if (parsed_end != number.c_str() + number.size()) return std::nullopt;
  std::string_view suffix = text.substr(end);
  struct Suffix {
    std::string_view name;
    long double factor;
  };
  static const Suffix suffixes[] = {
      {"", 1},
      {"n", 1e-9L},
      {"u", 1e-6L},
      {"m", 1e-3L},
      {"k", 1e3L},
      {"M", 1e6L},
      {"G", 1e9L},
      {"T", 1e12L},
      {"P", 1e15L},
      {"E", 1e18L},
      {"Ki", 1024.0L},
      {"Mi", 1048576.0L},
      {"Gi", 1073741824.0L},
      {"Ti", 1099511627776.0L},
      {"Pi", 1125899906842624.0L},
      {"Ei", 1152921504606846976.0L},
  };
  for (const auto& s : suffixes)
    if (s.name == suffix) return value * s.factor;
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string exp(suffix.substr(1));
    char* e_end = nullptr;
    long e = std::strtol(exp.c_str(), &e_end, 10);
    if (e_end == exp.c_str() + exp.size()) return value * std::pow(10.0L, static_cast<long double>(e));
  }
  return std::nullopt;
}

std::optional<int64_t> scaled(std::string_view text, long double scale) {
  auto v = parse_value(text);
  if (!v) return std::nullopt;
  long double x = *v * scale;
  // Rounding up keeps a request from looking smaller than asked; the epsilon absorbs
  // binary noise in values like 0.1.
  long double r = std::ceil(x - 1e-9L);
  if (r > 9.2e18L) return INT64_MAX;
  return static_cast<int64_t>(r);
}

}  // namespace

std::optional<int64_t> parse_milli(std::string_view text) {
  return scaled(text, 1000.0L);
}

std::optional<int64_t> parse_units(std::string_view text) {
  return scaled(text, 1.0L);
}

}  // namespace ukube::scheduler
