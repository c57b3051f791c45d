#include "ukube/testing/action.h"

namespace ukube::testing {

bool Action::matches(std::string_view verb_pattern, std::string_view resource_pattern) const {
  if (verb_pattern != "*" && verb_pattern != verb) return false;
  return resource_pattern == "*" || resource_pattern == resource.resource ||
         resource_pattern == resource_path();
}

std::string Action::resource_path() const {
  return subresource.empty() ? resource.resource : resource.resource + "/" + subresource;
}

void ActionLog::record(Action action) {
  std::lock_guard lock(mutex_);
  actions_.push_back(std::move(action));
}

std::vector<Action> ActionLog::actions() const {
  std::lock_guard lock(mutex_);
  return actions_;
}

std::vector<Action> ActionLog::filter(std::string_view verb, std::string_view resource) const {
  std::lock_guard lock(mutex_);
  std::vector<Action> out;
  for (const auto& a : actions_)
    if (a.matches(verb, resource)) out.push_back(a);
  return out;
}

size_t ActionLog::count(std::string_view verb, std::string_view resource) const {
  return filter(verb, resource).size();
}

void ActionLog::clear() {
  std::lock_guard lock(mutex_);
  actions_.clear();
}

}  // namespace ukube::testing
