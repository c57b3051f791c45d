#include "batch/cron.h"

#include <array>
#include <cctype>
#include <vector>

namespace ukube::builtin {
namespace {

struct FieldRange {
  int min, max;
  std::vector<std::string_view> names;  // names for min, min+1, ...
};

const std::array<FieldRange, 5> kFields = {{
    {0, 59, {}},
    {0, 23, {}},
    {1, 31, {}},
    {1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::optional<int> value_of(std::string_view token, const FieldRange& range, std::string& error) {
  std::string lower(token);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < range.names.size(); ++i)
    if (lower == range.names[i]) return range.min + static_cast<int>(i);
  if (token.empty() || token.size() > 9) {
    error = "failed to parse int from " + std::string(token);
    return std::nullopt;
  }
  int v = 0;
  for (char c : token) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      error = "failed to parse int from " + std::string(token);
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<std::string> field_error(std::string_view field, const FieldRange& range,
                                       bool question_allowed) {
  for (std::string_view part : split(field, ',')) {
    std::string error;
    auto slash = split(part, '/');
    if (slash.size() > 2) return "too many slashes: " + std::string(part);
    std::string_view span = slash[0];
    int lo = range.min, hi = range.max;
    if (span == "*" || (question_allowed && span == "?")) {
    } else {
      auto dash = split(span, '-');
      if (dash.size() > 2) return "too many hyphens: " + std::string(span);
      auto a = value_of(dash[0], range, error);
      if (!a) return error;
      lo = hi = *a;
      if (dash.size() == 2) {
        auto b = value_of(dash[1], range, error);
        if (!b) return error;
        hi = *b;
      }
    }
    if (lo < range.min)
      return "beginning of range (" + std::to_string(lo) + ") below minimum (" + std::to_string(range.min) +
             "): " + std::string(part);
    if (hi > range.max)
      return "end of range (" + std::to_string(hi) + ") above maximum (" + std::to_string(range.max) +
             "): " + std::string(part);
    if (lo > hi)
      return "beginning of range (" + std::to_string(lo) + ") beyond end of range (" + std::to_string(hi) +
             "): " + std::string(part);
    if (slash.size() == 2) {
      auto step = value_of(slash[1], FieldRange{0, 0, {}}, error);
      if (!step) return error;
      if (*step == 0) return "step of range should be a positive number: " + std::string(part);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> cron_schedule_error(std::string_view s) {
  if (s.starts_with("@")) {
    for (std::string_view d :
         {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
      if (s == d) return std::nullopt;
    if (s.starts_with("@every ")) return std::nullopt;
    return "unrecognized descriptor: " + std::string(s);
  }
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) fields.push_back(s.substr(start, i - start));
  }
  if (fields.size() != 5)
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + std::string(s);
  for (size_t f = 0; f < 5; ++f)
    if (auto err = field_error(fields[f], kFields[f], f == 2 || f == 4)) return err;
  return std::nullopt;
}

}  // namespace ukube::builtin
