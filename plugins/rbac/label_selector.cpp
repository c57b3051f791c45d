#include "label_selector.h"

#include <algorithm>

#include <boost/json.hpp>

#include "json_fields.h"

namespace ukube::rbac {
namespace {

bool requirement_holds(const json::object& req, const std::map<std::string, std::string>& labels) {
  std::string key = string_field(req, "key");
  std::string op = string_field(req, "operator");
  std::vector<std::string> values = strings_field(req, "values");
  auto it = labels.find(key);
  bool present = it != labels.end();
  auto listed = [&] {
    return present && std::find(values.begin(), values.end(), it->second) != values.end();
  };
  if (op == "In") return listed();
  if (op == "NotIn") return !listed();
  if (op == "Exists") return present;
  if (op == "DoesNotExist") return !present;
  return false;
}

}  // namespace

bool selector_matches(const json::object& selector, const std::map<std::string, std::string>& labels) {
  if (const json::object* match = object_field(selector, "matchLabels")) {
    for (const auto& [key, value] : *match) {
      const json::string* want = value.if_string();
      auto it = labels.find(std::string(key));
      if (!want || it == labels.end() || it->second != *want) return false;
    }
  }
  if (const json::array* exprs = array_field(selector, "matchExpressions")) {
    for (const json::value& v : *exprs) {
      const json::object* req = v.if_object();
      if (!req || !requirement_holds(*req, labels)) return false;
    }
  }
  return true;
}

}  // namespace ukube::rbac
