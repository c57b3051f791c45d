#include "json_fields.h"

namespace ukube::rbac {

const json::object* object_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

const json::array* array_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  const json::string* s = v ? v->if_string() : nullptr;
  return s ? std::string(*s) : std::string();
}

std::vector<std::string> strings_field(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = array_field(o, key)) {
    out.reserve(a->size());
    for (const json::value& v : *a)
      if (const json::string* s = v.if_string()) out.emplace_back(*s);
  }
  return out;
}

std::string meta_string(const json::object& o, std::string_view key) {
  const json::object* meta = object_field(o, "metadata");
  return meta ? string_field(*meta, key) : std::string();
}

std::map<std::string, std::string> meta_map(const json::object& o, std::string_view key) {
  std::map<std::string, std::string> out;
  const json::object* meta = object_field(o, "metadata");
  const json::object* m = meta ? object_field(*meta, key) : nullptr;
  if (m)
    for (const auto& [k, v] : *m)
      if (const json::string* s = v.if_string()) out.emplace(std::string(k), std::string(*s));
  return out;
}

}  // namespace ukube::rbac
