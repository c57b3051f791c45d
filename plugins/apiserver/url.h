#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Just enough of RFC 3986 for API paths and query strings.
namespace ukube::apiserver {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as forms encode queries).
// nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

// RFC 3986 unreserved characters stay; everything else (a '/' too) becomes %XX.
std::string percent_escape(std::string_view text);

// The decoded, non-empty segments of a path ("/api//v1/" → api, v1). nullopt when an
// escape is malformed or decodes to a '/'.
std::optional<std::vector<std::string>> split_path(std::string_view path);

// Query parameters by name; a repeated name keeps every value in order.
class Query {
 public:
  // Throws ApiError 400 on a malformed escape.
  static Query parse(std::string_view query);

  // The first value, or `fallback` when absent.
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  const std::vector<std::string>* all(const std::string& name) const;
  bool has(const std::string& name) const { return values_.contains(name); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// Splits an origin-form target into path and query (without the '?').
inline void split_target(std::string_view target, std::string_view& path, std::string_view& query) {
  auto q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

}  // namespace ukube::apiserver
