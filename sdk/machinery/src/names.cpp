#include "ukube/machinery/names.h"

#include <algorithm>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace ukube::machinery {
namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

std::string too_long(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

// Upstream's qualified-name character rule: alphanumerics at both ends, '-', '_' or '.'
// between; length is judged apart.
bool is_qualified_shape(std::string_view v) {
  return !v.empty() && alnum(v.front()) && alnum(v.back()) &&
         std::all_of(v.begin(), v.end(), [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool is_label_shape(std::string_view v) {
  if (v.empty() || !lower_alnum(v.front()) || !lower_alnum(v.back())) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return lower_alnum(c) || c == '-'; });
}

}  // namespace

std::vector<std::string> dns1123_label_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 63) out.push_back(too_long(63));
  if (!is_label_shape(v))
    out.push_back(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
        "start "
        "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  return out;
}

std::vector<std::string> dns1123_subdomain_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 253) out.push_back(too_long(253));
  bool ok = !v.empty();
  size_t start = 0;
  while (ok && start <= v.size()) {
    size_t dot = v.find('.', start);
    std::string_view part =
        v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    ok = is_label_shape(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!ok)
    out.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
        "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  return out;
}

std::vector<std::string> dns1035_label_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 63) out.push_back(too_long(63));
  if (!is_label_shape(v) || !(v.front() >= 'a' && v.front() <= 'z'))
    out.push_back(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic "
        "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
        "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  return out;
}

std::vector<std::string> iana_svc_name_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 15) out.push_back(too_long(15));
  if (!std::all_of(v.begin(), v.end(), [](char c) { return lower_alnum(c) || c == '-'; }))
    out.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (v.find("--") != std::string_view::npos) out.push_back("must not contain consecutive hyphens");
  if (std::none_of(v.begin(), v.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    out.push_back("must contain at least one letter (a-z)");
  if (!v.empty() && (v.front() == '-' || v.back() == '-'))
    out.push_back("must not begin or end with a hyphen");
  return out;
}

std::vector<std::string> config_key_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 253) out.push_back(too_long(253));
  if (v.empty() ||
      !std::all_of(v.begin(), v.end(), [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; }))
    out.push_back(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (v == ".")
    out.push_back("must not be '.'");
  else if (v == "..")
    out.push_back("must not be '..'");
  else if (v.starts_with(".."))
    out.push_back("must not start with '..'");
  return out;
}

std::vector<std::string> env_var_name_errors(std::string_view v) {
  std::vector<std::string> out;
  bool ok =
      !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= ' ' && c <= '~' && c != '='; });
  if (!ok)
    out.push_back(
        "a valid environment variable name must consist only of printable ASCII characters other than '='");
  return out;
}

std::vector<std::string> qualified_name_errors(std::string_view v) {
  std::vector<std::string> out;
  std::string_view name = v;
  if (auto slash = v.find('/'); slash != std::string_view::npos) {
    std::string_view prefix = v.substr(0, slash);
    name = v.substr(slash + 1);
    if (prefix.empty())
      out.push_back("prefix part must be non-empty");
    else
      for (const auto& m : dns1123_subdomain_errors(prefix)) out.push_back("prefix part " + m);
  }
  if (name.empty()) {
    out.push_back("name part must be non-empty");
    return out;
  }
  if (name.size() > 63) out.push_back("name part " + too_long(63));
  if (!is_qualified_shape(name))
    out.push_back(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  return out;
}

std::vector<std::string> label_value_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 63) out.push_back(too_long(63));
  if (!v.empty() && !is_qualified_shape(v))
    out.push_back(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
        "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
        "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  return out;
}

std::vector<std::string> path_segment_errors(std::string_view v) {
  if (v == "." || v == "..") return {"may not be '" + std::string(v) + "'"};
  std::vector<std::string> out;
  for (std::string_view bad : {"/", "%"})
    if (v.find(bad) != std::string_view::npos) out.push_back("may not contain '" + std::string(bad) + "'");
  return out;
}

std::string quote(std::string_view v) {
  return boost::json::serialize(boost::json::string(v));
}

std::string go_strings(const std::vector<std::string>& values) {
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + quote(values[i]);
  return out + "}";
}

std::string ascii_lower(std::string text) {
  for (auto& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

}  // namespace ukube::machinery
