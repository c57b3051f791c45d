#include "ukube/machinery/conditions.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"

namespace ukube::machinery {
namespace json = boost::json;

const json::object* find_condition(const json::object& object, std::string_view type) {
  if (const auto* conditions = array_at(object, {"status", "conditions"}))
    for (const auto& c : *conditions)
      if (const auto* o = c.if_object(); o && string_at(*o, {"type"}) == type) return o;
  return nullptr;
}

bool is_condition_true(const json::object& object, std::string_view type) {
  const auto* c = find_condition(object, type);
  return c && string_at(*c, {"status"}) == "True";
}

bool set_condition(json::array& conditions, json::object condition, std::string_view now) {
  const std::string type = string_at(condition, {"type"});
  for (auto& c : conditions) {
    auto* existing = c.if_object();
    if (!existing || string_at(*existing, {"type"}) != type) continue;
    if (!is_set(condition, "lastTransitionTime")) {
      const bool same_status = string_at(*existing, {"status"}) == string_at(condition, {"status"});
      const auto* kept = existing->if_contains("lastTransitionTime");
      condition["lastTransitionTime"] = same_status && kept ? *kept : json::value(now);
    }
    if (*existing == condition) return false;
    *existing = std::move(condition);
    return true;
  }
  if (!is_set(condition, "lastTransitionTime")) condition["lastTransitionTime"] = now;
  conditions.push_back(std::move(condition));
  return true;
}

json::array with_condition(const json::object& object, json::object condition, std::string_view now) {
  json::array conditions;
  if (const auto* current = array_at(object, {"status", "conditions"})) conditions = *current;
  set_condition(conditions, std::move(condition), now);
  return conditions;
}

}  // namespace ukube::machinery
