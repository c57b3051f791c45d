#include "aggregation.h"

#include <algorithm>

#include <boost/json.hpp>

#include "json_fields.h"
#include "ukube/machinery/labels.h"

namespace ukube::rbac {

bool has_aggregation_rule(const json::object& cluster_role) {
  return object_at(cluster_role, {"aggregationRule"}) != nullptr;
}

std::optional<std::vector<PolicyRule>> aggregated_rules(const json::object& cluster_role,
                                                        const std::vector<ObjectPtr>& cluster_roles) {
  const json::object* rule = object_at(cluster_role, {"aggregationRule"});
  if (!rule) return std::nullopt;
  const std::string self = meta_string(cluster_role, "name");

  struct Candidate {
    std::string name;
    Labels labels;
    const json::object* object;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(cluster_roles.size());
  for (const auto& role : cluster_roles) {
    std::string name = meta_string(*role, "name");
    if (name != self)
      candidates.push_back({std::move(name), machinery::to_labels(machinery::labels_of(*role)), role.get()});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.name < b.name; });

  std::vector<PolicyRule> out;
  if (const json::array* selectors = array_at(*rule, {"clusterRoleSelectors"})) {
    for (const json::value& s : *selectors) {
      // A selector upstream could not convert selects nothing, so it never widens a role.
      const LabelSelector selector = machinery::selector_from_json_or_nothing(s.if_object());
      for (const auto& c : candidates) {
        if (!machinery::matches(selector, c.labels)) continue;
        for (auto& r : parse_rules(*c.object))
          if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
      }
    }
  }
  return out;
}

}  // namespace ukube::rbac
