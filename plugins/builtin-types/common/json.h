#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

// Small accessors for objects whose shape is only a convention: every reader tolerates
// missing members and members of the wrong JSON type (validation reports those), so the
// printers and defaulters never throw on a half-written object.
namespace ukube::builtin {

namespace json = boost::json;
using Path = std::initializer_list<std::string_view>;

const json::value* value_at(const json::object& o, Path path);
const json::object* object_at(const json::object& o, Path path);
const json::array* array_at(const json::object& o, Path path);
std::string string_at(const json::object& o, Path path, std::string_view fallback = {});
// Integers also arrive as uint64 or as whole doubles (YAML → JSON); all count.
std::optional<int64_t> int_at(const json::object& o, Path path);
int64_t int_or(const json::object& o, Path path, int64_t fallback);
std::optional<bool> bool_at(const json::object& o, Path path);

std::optional<int64_t> as_int(const json::value& v);
std::string_view as_string(const json::value& v);  // "" unless a string

// Null and absent members mean the same thing in Kubernetes objects.
bool is_set(const json::object& o, std::string_view key);

// The child object at `key`, replacing a missing/null/non-object member with {}.
json::object& child(json::object& o, std::string_view key);
// Sets o[key] = v unless the member is present and not null.
void set_default(json::object& o, std::string_view key, json::value v);

// Iterates a possibly-missing array of objects.
template <class F>
void for_each_object(const json::array* list, F&& f) {
  if (!list) return;
  size_t i = 0;
  for (const auto& item : *list) {
    if (const auto* o = item.if_object()) f(*o, i);
    ++i;
  }
}
template <class F>
void for_each_object(json::array* list, F&& f) {
  if (!list) return;
  size_t i = 0;
  for (auto& item : *list) {
    if (auto* o = item.if_object()) f(*o, i);
    ++i;
  }
}
json::array* mutable_array(json::object& o, std::string_view key);

}  // namespace ukube::builtin
