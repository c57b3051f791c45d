#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// Typed, lenient accessors for Kubernetes objects held as JSON. Every reader tolerates
// missing members and members of the wrong JSON type (the type's validation reports
// those), so controllers, printers and defaulters never throw on a half-written object.
// The paths are object keys: string_at(pod, {"spec", "nodeName"}).
namespace ukube::machinery {

using JsonPath = std::initializer_list<std::string_view>;

UKUBE_MACHINERY_API const boost::json::value* value_at(const boost::json::object& o, JsonPath path);
UKUBE_MACHINERY_API const boost::json::object* object_at(const boost::json::object& o, JsonPath path);
UKUBE_MACHINERY_API const boost::json::array* array_at(const boost::json::object& o, JsonPath path);
// `o`, or an object without members when `o` is null: a reader then goes on through an
// optional member (object_or_empty(object_at(pod, {"spec"}))) or an array element
// (object_or_empty(item.if_object())) with the accessors here and no null check at each step.
UKUBE_MACHINERY_API const boost::json::object& object_or_empty(const boost::json::object* o);
UKUBE_MACHINERY_API std::string string_at(const boost::json::object& o, JsonPath path,
                                          std::string_view fallback = {});
// Integers also arrive as uint64 or as whole doubles (YAML → JSON); all count.
UKUBE_MACHINERY_API std::optional<int64_t> int_at(const boost::json::object& o, JsonPath path);
UKUBE_MACHINERY_API int64_t int_or(const boost::json::object& o, JsonPath path, int64_t fallback);
UKUBE_MACHINERY_API std::optional<bool> bool_at(const boost::json::object& o, JsonPath path);
// The strings of an array member; other element types are skipped.
UKUBE_MACHINERY_API std::vector<std::string> strings_at(const boost::json::object& o, JsonPath path);
// The string members of an object member (labels, annotations, data).
UKUBE_MACHINERY_API std::map<std::string, std::string> string_map_at(const boost::json::object& o,
                                                                     JsonPath path);

UKUBE_MACHINERY_API std::optional<int64_t> as_int(const boost::json::value& v);
// Any JSON number as a double (int64, uint64 or double); nullopt for other values.
UKUBE_MACHINERY_API std::optional<double> as_number(const boost::json::value& v);
UKUBE_MACHINERY_API std::string_view as_string(const boost::json::value& v);  // "" unless a string

// Null and absent members mean the same thing in Kubernetes objects.
UKUBE_MACHINERY_API bool is_set(const boost::json::object& o, std::string_view key);

// The child object / array at `key`, replacing a missing or mistyped member with {} / [].
UKUBE_MACHINERY_API boost::json::object& child(boost::json::object& o, std::string_view key);
UKUBE_MACHINERY_API boost::json::array& child_array(boost::json::object& o, std::string_view key);
// The array at `key` when there is one.
UKUBE_MACHINERY_API boost::json::array* mutable_array(boost::json::object& o, std::string_view key);
// Sets o[key] = v unless the member is present and not null.
UKUBE_MACHINERY_API void set_default(boost::json::object& o, std::string_view key, boost::json::value v);

// metadata.<field> as a string ("" when absent).
UKUBE_MACHINERY_API std::string meta_string(const boost::json::object& o, std::string_view field);
inline std::string name_of(const boost::json::object& o) {
  return meta_string(o, "name");
}
inline std::string namespace_of(const boost::json::object& o) {
  return meta_string(o, "namespace");
}
inline std::string uid_of(const boost::json::object& o) {
  return meta_string(o, "uid");
}
UKUBE_MACHINERY_API bool has_deletion_timestamp(const boost::json::object& o);
// A Namespace neither Terminating nor marked for deletion: one that may get new content.
UKUBE_MACHINERY_API bool is_namespace_active(const boost::json::object& ns);

// Iterates a possibly-missing array of objects, with each one's index.
template <class Array, class F>
void for_each_object(Array* list, F&& f) {
  if (!list) return;
  size_t i = 0;
  for (auto& item : *list) {
    if (auto* o = item.if_object()) f(*o, i);
    ++i;
  }
}

}  // namespace ukube::machinery
