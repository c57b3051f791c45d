#include "schema_defaults.h"

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;

const SchemaNode* member_schema(const SchemaNode& s, std::string_view key) {
  auto prop = s.properties.find(key);
  if (prop != s.properties.end()) return &prop->second;
  return s.additional_properties.get();
}

// A null the schema does not allow: defaulted when it can be, dropped otherwise.
bool unwanted_null(const json::value& v, const SchemaNode& s) {
  return v.is_null() && !s.nullable;
}

}  // namespace

void apply_defaults(json::object& o, const SchemaNode& s) {
  for (const auto& [key, prop] : s.properties) {
    if (!prop.default_value) continue;
    auto* current = o.if_contains(key);
    if (!current || unwanted_null(*current, prop)) o[key] = *prop.default_value;
  }
  std::vector<std::string> dropped;
  for (auto& [key, member] : o) {
    const SchemaNode* ms = member_schema(s, key);
    if (!ms) continue;
    if (unwanted_null(member, *ms) && !ms->default_value && !ms->type.empty()) {
      dropped.emplace_back(key);
      continue;
    }
    apply_defaults(member, *ms);
  }
  for (const auto& key : dropped) o.erase(key);
}

void apply_defaults(json::value& value, const SchemaNode& s) {
  if (auto* o = value.if_object()) {
    apply_defaults(*o, s);
  } else if (auto* a = value.if_array()) {
    if (!s.items) return;
    for (auto& item : *a) {
      if (unwanted_null(item, *s.items) && s.items->default_value) item = *s.items->default_value;
      apply_defaults(item, *s.items);
    }
  }
}

}  // namespace ukube::apiextensions
