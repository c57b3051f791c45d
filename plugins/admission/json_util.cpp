#include "json_util.h"

namespace ukube::admission {

const json::value* find_path(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::object* current = &o;
  const json::value* v = nullptr;
  for (auto key : path) {
    if (!current) return nullptr;
    v = current->if_contains(key);
    if (!v) return nullptr;
    current = v->if_object();
  }
  return v;
}

const json::object* object_at(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  return v ? v->if_object() : nullptr;
}

const json::array* array_at(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  return v ? v->if_array() : nullptr;
}

std::string string_at(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::object& child(json::object& o, std::string_view key) {
  json::value& v = o[key];
  if (!v.is_object()) v = json::object{};
  return v.get_object();
}

json::array& child_array(json::object& o, std::string_view key) {
  json::value& v = o[key];
  if (!v.is_array()) v = json::array{};
  return v.get_array();
}

std::string meta_string(const json::object& o, std::string_view field) {
  return string_at(o, {"metadata", field});
}

bool has_deletion_timestamp(const json::object& o) {
  const json::value* v = find_path(o, {"metadata", "deletionTimestamp"});
  return v && !v->is_null();
}

}  // namespace ukube::admission
