#include "deletion_conditions.h"

#include <algorithm>

#include <boost/json.hpp>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"

namespace ukube::controllers::namespace_ {
namespace json = boost::json;

namespace {

// Each condition type, with the reason and message it carries while nothing is wrong.
struct ConditionDefault {
  std::string_view type, reason, message;
};

constexpr ConditionDefault kConditionDefaults[] = {
    {kDiscoveryFailure, "ResourcesDiscovered", "All resources successfully discovered"},
    {kGroupVersionParsingFailure, "ParsedGroupVersions", "All legacy kube types successfully parsed"},
    {kContentFailure, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
    {kContentRemaining, "ContentRemoved", "All content successfully removed"},
    {kFinalizersRemaining, "ContentHasNoFinalizers", "All content-preserving finalizers finished"},
};

json::object namespace_condition(std::string_view type, std::string_view status, std::string_view reason,
                                 std::string_view message) {
  return {{"type", type}, {"status", status}, {"reason", reason}, {"message", message}};
}

std::string join_sorted(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());  // a stable message, so an unchanged state writes nothing
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

}  // namespace

void DeletionConditions::discovery_failed(const std::string& message) {
  failing_[std::string(kDiscoveryFailure)] =
      namespace_condition(kDiscoveryFailure, "True", "DiscoveryFailed", message);
}

void DeletionConditions::content_deletion_failed(const std::string& message) {
  content_errors_.push_back(message);
}

void DeletionConditions::remaining(const RemainingContent& content) {
  std::vector<std::string> resources;
  for (const auto& [gvr, count] : content.resources)
    if (count > 0)
      resources.push_back(gvr.resource + "." + gvr.group + " has " + std::to_string(count) +
                          " resource instances");
  if (!content.resources.empty())
    failing_[std::string(kContentRemaining)] =
        namespace_condition(kContentRemaining, "True", "SomeResourcesRemain",
                            "Some resources are remaining: " + join_sorted(std::move(resources)));

  std::vector<std::string> finalizers;
  for (const auto& [finalizer, count] : content.finalizers)
    if (count > 0) finalizers.push_back(finalizer + " in " + std::to_string(count) + " resource instances");
  if (!content.finalizers.empty())
    failing_[std::string(kFinalizersRemaining)] = namespace_condition(
        kFinalizersRemaining, "True", "SomeFinalizersRemain",
        "Some content in the namespace has finalizers remaining: " + join_sorted(std::move(finalizers)));
}

bool DeletionConditions::apply(json::object& ns, std::string_view now) const {
  std::map<std::string, json::object, std::less<>> conditions = failing_;
  if (!content_errors_.empty() && !conditions.contains(kContentFailure))
    conditions[std::string(kContentFailure)] =
        namespace_condition(kContentFailure, "True", "ContentDeletionFailed",
                            "Failed to delete all resource types, " + std::to_string(content_errors_.size()) +
                                " remaining: " + join_sorted(content_errors_));

  json::array& list = machinery::child_array(machinery::child(ns, "status"), "conditions");
  bool changed = false;
  for (const auto& d : kConditionDefaults) {
    auto failing = conditions.find(d.type);
    json::object condition = failing != conditions.end()
                                 ? failing->second
                                 : namespace_condition(d.type, "False", d.reason, d.message);
    changed = machinery::set_condition(list, std::move(condition), now) || changed;
  }
  return changed;
}

}  // namespace ukube::controllers::namespace_
