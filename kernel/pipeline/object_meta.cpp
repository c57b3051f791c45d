#include "kernel/pipeline/object_meta.h"

#include "ukube/machinery/names.h"

#include <boost/json/object.hpp>
#include <random>

namespace ukube::pipeline {
namespace {

std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
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
    for (const auto& message : machinery::qualified_name_errors(key))
      errors.push_back(
          {"FieldValueInvalid", path, "Invalid value: " + machinery::quote(key) + ": " + message});
    if (!member.value().is_string()) {
      errors.push_back(
          {"FieldValueInvalid", path + "." + std::string(key), "Invalid value: must be a string"});
      continue;
    }
    std::string_view value(member.value().get_string().data(), member.value().get_string().size());
    total += key.size() + value.size();
    if (values_are_labels)
      for (const auto& message : machinery::label_value_errors(value))
        errors.push_back(
            {"FieldValueInvalid", path, "Invalid value: " + machinery::quote(value) + ": " + message});
  }
  if (!values_are_labels && total > 256 * 1024)
    errors.push_back({"FieldValueTooLong", path, "Too long: must have at most 262144 bytes"});
}

}  // namespace

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
    auto name_errors = type.name_rule == TypeInfo::NameRule::PathSegment
                           ? machinery::path_segment_errors(name)
                           : machinery::dns1123_subdomain_errors(name);
    for (const auto& e : name_errors)
      errors.push_back(
          {"FieldValueInvalid", "metadata.name", "Invalid value: " + machinery::quote(name) + ": " + e});
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
