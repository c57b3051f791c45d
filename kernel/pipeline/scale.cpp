#include "kernel/pipeline/scale.h"

#include <algorithm>
#include <boost/json.hpp>
#include <utility>
#include <vector>

#include "kernel/pipeline/object_meta.h"
#include "ukube/errors.h"
#include "ukube/machinery/labels.h"

namespace ukube::pipeline {
namespace {

namespace json = boost::json;

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty() && path.front() == '.') path.remove_prefix(1);
  while (!path.empty()) {
    auto dot = path.find('.');
    parts.push_back(path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return parts;
}

}  // namespace

const json::value* value_at(const json::object& object, std::string_view dotted_path) {
  const json::object* cur = &object;
  const json::value* v = nullptr;
  for (auto part : split_path(dotted_path)) {
    if (!cur) return nullptr;
    v = cur->if_contains(part);
    if (!v) return nullptr;
    cur = v->if_object();
  }
  return v;
}

void set_value_at(json::object& object, std::string_view dotted_path, json::value value) {
  auto parts = split_path(dotted_path);
  if (parts.empty()) return;
  json::object* cur = &object;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    json::value& next = (*cur)[parts[i]];
    if (!next.is_object()) next = json::object{};
    cur = &next.get_object();
  }
  (*cur)[parts.back()] = std::move(value);
}

json::object scale_of(const json::object& parent, const ScaleSpec& spec) {
  json::object meta;
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    std::string v = meta_string(parent, field);
    if (!v.empty()) meta[field] = v;
  }
  json::object scale_spec;
  const auto* replicas = value_at(parent, spec.spec_replicas_path);
  // Upstream omits a zero spec.replicas (omitempty) but always prints status.replicas.
  if (replicas && replicas->is_int64() && replicas->get_int64() != 0) scale_spec["replicas"] = *replicas;
  json::object status;
  const auto* current = value_at(parent, spec.status_replicas_path);
  status["replicas"] = current && current->is_int64() ? current->get_int64() : 0;
  if (!spec.label_selector_path.empty())
    if (const auto* selector = value_at(parent, spec.label_selector_path)) {
      // A string (status.selector of a custom resource) is already the selector text.
      std::string text = selector->is_string()   ? std::string(selector->get_string())
                         : selector->is_object() ? machinery::selector_string(&selector->get_object())
                                                 : std::string();
      if (!text.empty()) status["selector"] = text;
    }
  return json::object{{"kind", "Scale"},
                      {"apiVersion", "autoscaling/v1"},
                      {"metadata", std::move(meta)},
                      {"spec", std::move(scale_spec)},
                      {"status", std::move(status)}};
}

std::optional<int64_t> scale_replicas(const json::object& scale) {
  const auto* replicas = value_at(scale, "spec.replicas");
  if (!replicas || replicas->is_null()) return std::nullopt;
  std::string name = meta_string(scale, "name");
  if (!replicas->is_int64() && !replicas->is_uint64())
    throw ApiError::invalid({"autoscaling", "v1", "Scale"}, name,
                            {{"FieldValueInvalid", "spec.replicas",
                              "Invalid value: " + json::serialize(*replicas) + ": must be an integer"}});
  int64_t n = replicas->is_int64() ? replicas->get_int64() : static_cast<int64_t>(replicas->get_uint64());
  if (n < 0)
    throw ApiError::invalid(
        {"autoscaling", "v1", "Scale"}, name,
        {{"FieldValueInvalid", "spec.replicas",
          "Invalid value: " + std::to_string(n) + ": must be greater than or equal to 0"}});
  return n;
}

}  // namespace ukube::pipeline
