#include "ukube/machinery/policy_rule.h"

#include <algorithm>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::rbac {

namespace json = boost::json;
using machinery::array_at;
using machinery::object_at;
using machinery::string_at;
using machinery::strings_at;

namespace {

constexpr std::string_view kAll = "*";

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool contains_or_all(const std::vector<std::string>& list, std::string_view value) {
  for (const auto& item : list)
    if (item == value || item == kAll) return true;
  return false;
}

// The rule's resource entry against "resource" or "resource/subresource", compared
// piecewise so that a decision allocates nothing.
bool resource_matches(std::string_view entry, std::string_view resource, std::string_view subresource) {
  if (entry == kAll) return true;
  if (subresource.empty()) return entry == resource;
  if (entry.size() == subresource.size() + 2 && entry.starts_with("*/") && entry.ends_with(subresource))
    return true;
  return entry.size() == resource.size() + 1 + subresource.size() && entry.starts_with(resource) &&
         entry[resource.size()] == '/' && entry.ends_with(subresource);
}

void put_list(json::object& out, std::string_view key, const std::vector<std::string>& list) {
  if (list.empty()) return;
  json::array a;
  a.reserve(list.size());
  for (const auto& s : list) a.emplace_back(s);
  out[key] = std::move(a);
}

}  // namespace

PolicyRule parse_rule(const json::object& rule) {
  PolicyRule r;
  r.verbs = strings_at(rule, {"verbs"});
  r.api_groups = strings_at(rule, {"apiGroups"});
  r.resources = strings_at(rule, {"resources"});
  r.resource_names = strings_at(rule, {"resourceNames"});
  r.non_resource_urls = strings_at(rule, {"nonResourceURLs"});
  return r;
}

std::vector<PolicyRule> parse_rules(const json::object& role) {
  std::vector<PolicyRule> out;
  if (const json::array* rules = array_at(role, {"rules"}))
    for (const json::value& v : *rules)
      if (const json::object* rule = v.if_object()) out.push_back(parse_rule(*rule));
  return out;
}

json::object rule_to_json(const PolicyRule& rule) {
  json::object out;
  put_list(out, "verbs", rule.verbs);
  put_list(out, "apiGroups", rule.api_groups);
  put_list(out, "resources", rule.resources);
  put_list(out, "resourceNames", rule.resource_names);
  put_list(out, "nonResourceURLs", rule.non_resource_urls);
  return out;
}

json::array rules_to_json(const std::vector<PolicyRule>& rules) {
  json::array out;
  out.reserve(rules.size());
  for (const auto& r : rules) out.emplace_back(rule_to_json(r));
  return out;
}

bool allows_resource(const PolicyRule& rule, const ResourceRequest& request) {
  if (!contains_or_all(rule.verbs, request.verb)) return false;
  if (!contains_or_all(rule.api_groups, request.api_group)) return false;
  bool resource = std::any_of(rule.resources.begin(), rule.resources.end(), [&](const std::string& entry) {
    return resource_matches(entry, request.resource, request.subresource);
  });
  if (!resource) return false;
  // A rule limited to names never matches a request without one (list, watch, create,
  // deletecollection), since the name is what it is limited by.
  return rule.resource_names.empty() || contains(rule.resource_names, request.name);
}

bool non_resource_url_matches(std::string_view rule_url, std::string_view path) {
  if (rule_url == kAll || rule_url == path) return true;
  if (!rule_url.ends_with('*')) return false;
  auto stem = rule_url.substr(0, rule_url.find_last_not_of('*') + 1);
  return path.starts_with(stem);
}

bool allows_non_resource(const PolicyRule& rule, std::string_view verb, std::string_view path) {
  if (!contains_or_all(rule.verbs, verb)) return false;
  return std::any_of(rule.non_resource_urls.begin(), rule.non_resource_urls.end(),
                     [&](const std::string& url) { return non_resource_url_matches(url, path); });
}

}  // namespace ukube::rbac
