#include "label_selector.h"

#include <algorithm>
#include <boost/json.hpp>

namespace ukube::webhook {
namespace json = boost::json;
namespace {

std::vector<std::string> values_of(const json::object& requirement) {
  std::vector<std::string> out;
  if (const auto* v = requirement.if_contains("values"); v && v->is_array())
    for (const auto& item : v->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

bool requirement_holds(const json::object& r, const Labels& labels) {
  const auto* key_value = r.if_contains("key");
  const auto* op_value = r.if_contains("operator");
  if (!key_value || !key_value->is_string() || !op_value || !op_value->is_string()) return false;
  const std::string key(key_value->get_string());
  const std::string_view op = op_value->get_string();
  const auto values = values_of(r);
  auto found = labels.find(key);
  const bool present = found != labels.end();
  auto listed = [&] {
    return present && std::find(values.begin(), values.end(), found->second) != values.end();
  };
  if (op == "In") return !values.empty() && listed();
  if (op == "NotIn") return !values.empty() && !listed();
  if (op == "Exists") return values.empty() && present;
  if (op == "DoesNotExist") return values.empty() && !present;
  return false;
}

}  // namespace

bool selector_matches(const json::object& selector, const Labels& labels) {
  if (const auto* m = selector.if_contains("matchLabels"); m && m->is_object())
    for (const auto& [k, v] : m->get_object()) {
      auto found = labels.find(std::string(k));
      if (!v.is_string() || found == labels.end() || found->second != v.get_string()) return false;
    }
  if (const auto* e = selector.if_contains("matchExpressions"); e && e->is_array())
    for (const auto& r : e->get_array())
      if (!r.is_object() || !requirement_holds(r.get_object(), labels)) return false;
  return true;
}

Labels labels_of(const json::object& object) {
  Labels out;
  const auto* meta = object.if_contains("metadata");
  if (!meta || !meta->is_object()) return out;
  const auto* labels = meta->get_object().if_contains("labels");
  if (!labels || !labels->is_object()) return out;
  for (const auto& [k, v] : labels->get_object())
    if (v.is_string()) out.emplace(std::string(k), std::string(v.get_string()));
  return out;
}

}  // namespace ukube::webhook
