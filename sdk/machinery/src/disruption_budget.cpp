#include "ukube/machinery/disruption_budget.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"

namespace ukube::machinery {
namespace json = boost::json;

bool budget_covers(const json::object& budget, const json::object& pod) {
  if (meta_string(budget, "namespace") != meta_string(pod, "namespace")) return false;
  return matches(selector_from_json_or_nothing(object_at(budget, {"spec", "selector"})), labels_of(pod));
}

bool update_disruption_allowed_condition(json::object& budget, std::string_view now) {
  json::object& status = child(budget, "status");
  const bool allowed = int_or(status, {"disruptionsAllowed"}, 0) > 0;
  json::object condition{{"type", kDisruptionAllowedCondition},
                         {"status", allowed ? "True" : "False"},
                         {"reason", allowed ? kSufficientPodsReason : kInsufficientPodsReason},
                         {"message", ""},
                         {"observedGeneration", int_or(status, {"observedGeneration"}, 0)}};
  return set_condition(child_array(status, "conditions"), std::move(condition), now);
}

json::object disruption_target_condition(std::string_view reason, std::string_view message,
                                         std::string_view now) {
  return json::object{{"type", "DisruptionTarget"},
                      {"status", "True"},
                      {"reason", reason},
                      {"message", message},
                      {"lastTransitionTime", now}};
}

}  // namespace ukube::machinery
