#include "coverage.h"

#include <algorithm>

namespace ukube::rbac {
namespace {

bool has(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool has_all(const std::vector<std::string>& list, const std::vector<std::string>& values) {
  return std::all_of(values.begin(), values.end(), [&](const std::string& v) { return has(list, v); });
}

// A subresource is covered by "*/<subresource>" as well as by its own name.
bool resources_cover(const std::vector<std::string>& held, const std::vector<std::string>& wanted) {
  if (has(held, "*")) return true;
  for (const auto& r : wanted) {
    if (has(held, r)) continue;
    auto slash = r.find('/');
    if (slash == std::string::npos || !has(held, "*" + r.substr(slash))) return false;
  }
  return true;
}

bool urls_cover(const std::vector<std::string>& held, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& url) {
    return std::any_of(held.begin(), held.end(),
                       [&](const std::string& h) { return non_resource_url_matches(h, url); });
  });
}

}  // namespace

std::vector<PolicyRule> breakdown(const PolicyRule& rule) {
  std::vector<PolicyRule> out;
  for (const auto& group : rule.api_groups)
    for (const auto& resource : rule.resources)
      for (const auto& verb : rule.verbs) {
        if (rule.resource_names.empty()) {
          out.push_back({{verb}, {group}, {resource}, {}, {}});
          continue;
        }
        for (const auto& name : rule.resource_names) out.push_back({{verb}, {group}, {resource}, {name}, {}});
      }
  for (const auto& url : rule.non_resource_urls)
    for (const auto& verb : rule.verbs) out.push_back({{verb}, {}, {}, {}, {url}});
  return out;
}

bool covers(const PolicyRule& owner, const PolicyRule& piece) {
  bool verbs = has(owner.verbs, "*") || has_all(owner.verbs, piece.verbs);
  bool groups = has(owner.api_groups, "*") || has_all(owner.api_groups, piece.api_groups);
  bool names = owner.resource_names.empty() ||
               (!piece.resource_names.empty() && has_all(owner.resource_names, piece.resource_names));
  return verbs && groups && names && resources_cover(owner.resources, piece.resources) &&
         urls_cover(owner.non_resource_urls, piece.non_resource_urls);
}

std::vector<PolicyRule> uncovered(const std::vector<PolicyRule>& held,
                                  const std::vector<PolicyRule>& wanted) {
  std::vector<PolicyRule> out;
  for (const auto& rule : wanted)
    for (auto& piece : breakdown(rule))
      if (std::none_of(held.begin(), held.end(), [&](const PolicyRule& h) { return covers(h, piece); }))
        out.push_back(std::move(piece));
  return out;
}

}  // namespace ukube::rbac
