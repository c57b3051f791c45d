#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

// Lenient readers for the few fields of RBAC objects this plugin looks at: a missing or
// mistyped field reads as empty, because the type's validation has already judged it.
namespace ukube::rbac {

namespace json = boost::json;

const json::object* object_field(const json::object& o, std::string_view key);
const json::array* array_field(const json::object& o, std::string_view key);
std::string string_field(const json::object& o, std::string_view key);
std::vector<std::string> strings_field(const json::object& o, std::string_view key);

// metadata.<key>, and the metadata maps.
std::string meta_string(const json::object& o, std::string_view key);
std::map<std::string, std::string> meta_map(const json::object& o, std::string_view key);

}  // namespace ukube::rbac
