#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json.hpp>

// Small accessors for the JSON objects admission reads and edits. Missing fields and
// fields of another JSON type read as absent: validation, not admission, reports those.
namespace ukube::admission {

namespace json = boost::json;

// The value at a path of object keys, or null when any step is missing or not an object.
const json::value* find_path(const json::object& o, std::initializer_list<std::string_view> path);
const json::object* object_at(const json::object& o, std::initializer_list<std::string_view> path);
const json::array* array_at(const json::object& o, std::initializer_list<std::string_view> path);
std::string string_at(const json::object& o, std::initializer_list<std::string_view> path);

// The object under `key`, created (or replaced, when it holds another JSON type) if needed.
json::object& child(json::object& o, std::string_view key);
// The array under `key`, created (or replaced) if needed.
json::array& child_array(json::object& o, std::string_view key);

std::string meta_string(const json::object& o, std::string_view field);
inline std::string name_of(const json::object& o) {
  return meta_string(o, "name");
}
inline std::string namespace_of(const json::object& o) {
  return meta_string(o, "namespace");
}
inline std::string uid_of(const json::object& o) {
  return meta_string(o, "uid");
}
bool has_deletion_timestamp(const json::object& o);

}  // namespace ukube::admission
