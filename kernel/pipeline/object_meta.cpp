#include "kernel/pipeline/object_meta.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace ukube::pipeline {
namespace {

std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

bool is_alnum_lower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string quote(std::string_view v) {
  return boost::json::serialize(boost::json::string(v));
}

// Upstream's qualified-name character rule, without its length limit (reported apart).
bool matches_name_pattern(std::string_view s) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

// What upstream's IsValidLabelValue says of a value, one message per broken rule.
std::vector<std::string> label_value_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 63) out.push_back("must be no more than 63 characters");
  if (!v.empty() && !matches_name_pattern(v))
    out.push_back(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
        "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
        "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  return out;
}

// And of a key's name part (IsQualifiedName).
std::vector<std::string> name_part_errors(std::string_view name) {
  std::vector<std::string> out;
  if (name.empty()) {
    out.push_back("name part must be non-empty");
    return out;
  }
  if (name.size() > 63) out.push_back("name part must be no more than 63 characters");
  if (!matches_name_pattern(name))
    out.push_back(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  return out;
}

void validate_string_map(const boost::json::object& meta, const char* field, bool values_are_labels,
                         std::vector<FieldError>& errors) {
  auto* v = meta.if_contains(field);
  if (!v) return;
  std::string path = std::string("metadata.") + field;
  if (!v->is_object()) {
    errors.push_back({"FieldValueInvalid", path, "Invalid value: must be a map of strings"});
    return;
  }
  size_t total = 0;
  for (const auto& member : v->get_object()) {
    std::string_view key(member.key().data(), member.key().size());
    std::string_view name = key;
    if (auto slash = key.find('/'); slash != std::string_view::npos) {
      if (!dns_subdomain_errors(key.substr(0, slash)).empty())
        errors.push_back({"FieldValueInvalid", path,
                          "Invalid value: " + quote(key) + ": prefix part must be a DNS-1123 subdomain"});
      name = key.substr(slash + 1);
    }
    for (const auto& message : name_part_errors(name))
      errors.push_back({"FieldValueInvalid", path, "Invalid value: " + quote(key) + ": " + message});
    if (!member.value().is_string()) {
      errors.push_back(
          {"FieldValueInvalid", path + "." + std::string(key), "Invalid value: must be a string"});
      continue;
    }
    std::string_view value(member.value().get_string().data(), member.value().get_string().size());
    total += key.size() + value.size();
    if (values_are_labels)
      for (const auto& message : label_value_errors(value))
        errors.push_back({"FieldValueInvalid", path, "Invalid value: " + quote(value) + ": " + message});
  }
  if (!values_are_labels && total > 256 * 1024)
    errors.push_back({"FieldValueTooLong", path, "Too long: must have at most 262144 bytes"});
}

}  // namespace

std::string new_uid() {
  uint64_t hi = rng()(), lo = rng()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::string now_rfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string generate_name(std::string_view prefix) {
  // Upstream's alphabet: no vowels (no accidental words) and no look-alike characters.
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out(prefix.substr(0, 58));
  for (int i = 0; i < 5; ++i) out += kAlphabet[rng()() % kAlphabet.size()];
  return out;
}

boost::json::object& metadata(boost::json::object& object) {
  auto& v = object["metadata"];
  if (!v.is_object()) v = boost::json::object{};
  return v.get_object();
}

const boost::json::object* metadata(const boost::json::object& object) {
  auto* v = object.if_contains("metadata");
  return v ? v->if_object() : nullptr;
}

std::string meta_string(const boost::json::object& object, std::string_view field) {
  auto* meta = metadata(object);
  if (!meta) return {};
  auto* v = meta->if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> dns_subdomain_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 253) out.push_back("must be no more than 253 characters");
  bool ok = !v.empty() && is_alnum_lower(v.front()) && is_alnum_lower(v.back());
  for (char c : v)
    if (!is_alnum_lower(c) && c != '-' && c != '.') ok = false;
  if (!ok)
    out.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
        "must start "
        "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  return out;
}

std::vector<std::string> path_segment_errors(std::string_view v) {
  if (v == "." || v == "..") return {"may not be '" + std::string(v) + "'"};
  std::vector<std::string> out;
  for (std::string_view bad : {"/", "%"})
    if (v.find(bad) != std::string_view::npos) out.push_back("may not contain '" + std::string(bad) + "'");
  return out;
}

std::vector<std::string> dns_label_errors(std::string_view v) {
  std::vector<std::string> out;
  if (v.size() > 63) out.push_back("must be no more than 63 characters");
  bool ok = !v.empty() && is_alnum_lower(v.front()) && is_alnum_lower(v.back());
  for (char c : v)
    if (!is_alnum_lower(c) && c != '-') ok = false;
  if (!ok)
    out.push_back(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
        "start and end "
        "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  return out;
}

void validate_object_meta(const boost::json::object& object, const TypeInfo& type,
                          std::vector<FieldError>& errors) {
  const auto* meta = metadata(object);
  if (!meta) {
    errors.push_back({"FieldValueRequired", "metadata", "Required value"});
    return;
  }
  std::string name = meta_string(object, "name");
  if (name.empty()) {
    errors.push_back(
        {"FieldValueRequired", "metadata.name", "Required value: name or generateName is required"});
  } else {
    auto name_errors = type.name_rule == TypeInfo::NameRule::PathSegment ? path_segment_errors(name)
                                                                         : dns_subdomain_errors(name);
    for (const auto& e : name_errors)
      errors.push_back({"FieldValueInvalid", "metadata.name", "Invalid value: " + quote(name) + ": " + e});
  }
  std::string ns = meta_string(object, "namespace");
  if (type.namespaced && ns.empty())
    errors.push_back({"FieldValueRequired", "metadata.namespace", "Required value"});
  if (!type.namespaced && !ns.empty())
    errors.push_back({"FieldValueForbidden", "metadata.namespace", "Forbidden: not allowed on this type"});
  validate_string_map(*meta, "labels", true, errors);
  validate_string_map(*meta, "annotations", false, errors);
}

}  // namespace ukube::pipeline
