#include "ukube/machinery/json.h"

#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace ukube::machinery {

namespace json = boost::json;

const json::value* value_at(const json::object& o, JsonPath path) {
  const json::object* cur = &o;
  const json::value* v = nullptr;
  for (auto key : path) {
    if (!cur) return nullptr;
    v = cur->if_contains(key);
    if (!v) return nullptr;
    cur = v->if_object();
  }
  return v;
}

const json::object* object_at(const json::object& o, JsonPath path) {
  const auto* v = value_at(o, path);
  return v ? v->if_object() : nullptr;
}

const json::array* array_at(const json::object& o, JsonPath path) {
  const auto* v = value_at(o, path);
  return v ? v->if_array() : nullptr;
}

const json::object& object_or_empty(const json::object* o) {
  static const json::object kNoMembers;
  return o ? *o : kNoMembers;
}

std::string string_at(const json::object& o, JsonPath path, std::string_view fallback) {
  const auto* v = value_at(o, path);
  if (v && v->is_string()) return std::string(v->get_string());
  return std::string(fallback);
}

std::optional<int64_t> as_int(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v.get_uint64());
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

std::string_view as_string(const json::value& v) {
  if (!v.is_string()) return {};
  return {v.get_string().data(), v.get_string().size()};
}

std::optional<int64_t> int_at(const json::object& o, JsonPath path) {
  const auto* v = value_at(o, path);
  return v ? as_int(*v) : std::nullopt;
}

int64_t int_or(const json::object& o, JsonPath path, int64_t fallback) {
  return int_at(o, path).value_or(fallback);
}

std::optional<bool> bool_at(const json::object& o, JsonPath path) {
  const auto* v = value_at(o, path);
  if (v && v->is_bool()) return v->get_bool();
  return std::nullopt;
}

std::vector<std::string> strings_at(const json::object& o, JsonPath path) {
  std::vector<std::string> out;
  if (const auto* a = array_at(o, path)) {
    out.reserve(a->size());
    for (const auto& v : *a)
      if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

std::map<std::string, std::string> string_map_at(const json::object& o, JsonPath path) {
  std::map<std::string, std::string> out;
  if (const auto* m = object_at(o, path))
    for (const auto& [k, v] : *m)
      if (v.is_string()) out.emplace(std::string(k), std::string(v.get_string()));
  return out;
}

bool is_set(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && !v->is_null();
}

json::object& child(json::object& o, std::string_view key) {
  auto& v = o[key];
  if (!v.is_object()) v = json::object{};
  return v.get_object();
}

json::array& child_array(json::object& o, std::string_view key) {
  auto& v = o[key];
  if (!v.is_array()) v = json::array{};
  return v.get_array();
}

json::array* mutable_array(json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

void set_default(json::object& o, std::string_view key, json::value v) {
  if (!is_set(o, key)) o[key] = std::move(v);
}

std::string meta_string(const json::object& o, std::string_view field) {
  return string_at(o, {"metadata", field});
}

bool has_deletion_timestamp(const json::object& o) {
  const auto* v = value_at(o, {"metadata", "deletionTimestamp"});
  return v && !v->is_null();
}

bool is_namespace_active(const json::object& ns) {
  return string_at(ns, {"status", "phase"}) != "Terminating" && !has_deletion_timestamp(ns);
}

}  // namespace ukube::machinery
