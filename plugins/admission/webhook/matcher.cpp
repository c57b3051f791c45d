#include "matcher.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/types.h"

namespace ukube::webhook {
namespace {

bool listed(const std::vector<std::string>& values, const std::string& v) {
  return std::any_of(values.begin(), values.end(), [&](const std::string& x) { return x == "*" || x == v; });
}

bool is_namespace(const Attributes& a) {
  return a.group.empty() && a.resource == "namespaces";
}

// "pods/status" → {"pods", "status"}; "pods" → {"pods", ""}.
std::pair<std::string, std::string> split_resource(const std::string& r) {
  auto slash = r.find('/');
  if (slash == std::string::npos) return {r, ""};
  return {r.substr(0, slash), r.substr(slash + 1)};
}

bool resource_listed(const std::vector<std::string>& resources, const Attributes& a) {
  return std::any_of(resources.begin(), resources.end(), [&](const std::string& r) {
    auto [res, sub] = split_resource(r);
    return (res == "*" || res == a.resource) && (sub == "*" || sub == a.subresource);
  });
}

bool scope_matches(const std::string& scope, const Attributes& a) {
  // Namespace objects are cluster-scoped; subresources take their parent's scope.
  if (scope == "Namespaced") return a.namespaced && !is_namespace(a);
  if (scope == "Cluster") return !a.namespaced || is_namespace(a);
  return true;
}

}  // namespace

Attributes attributes_of(const AdmissionRequest& r) {
  Attributes a;
  a.operation = operation_name(r.operation);
  if (r.type) {
    a.group = r.type->group;
    a.version = r.type->version;
    a.kind = r.type->kind;
    a.resource = r.type->plural;
    a.namespaced = r.type->namespaced;
  }
  a.subresource = r.subresource;
  a.namespace_ = r.namespace_;
  a.name = r.name;
  a.object = r.object;
  a.old_object = r.old_object;
  return a;
}

bool rule_matches(const Rule& rule, const Attributes& a) {
  return listed(rule.operations, a.operation) && listed(rule.api_groups, a.group) &&
         listed(rule.api_versions, a.version) && resource_listed(rule.resources, a) &&
         scope_matches(rule.scope, a);
}

bool exempt(const Attributes& a) {
  return a.group == "admissionregistration.k8s.io" &&
         (a.resource == "validatingwebhookconfigurations" || a.resource == "mutatingwebhookconfigurations");
}

namespace {

bool selector_matches(const LabelSelector& selector, const Labels& labels) {
  return machinery::matches(selector, ukube::Labels({labels.begin(), labels.end()}));
}

Labels labels_of(const boost::json::object& object) {
  return machinery::string_map_at(object, {"metadata", "labels"});
}

}  // namespace

bool object_selector_matches(const Webhook& hook, const Attributes& a) {
  if (!hook.object_selector) return true;
  // Either the new or the old object may match; a missing one never does.
  return (a.object && selector_matches(*hook.object_selector, labels_of(*a.object))) ||
         (a.old_object && selector_matches(*hook.object_selector, labels_of(*a.old_object)));
}

bool namespace_selector_matches(const Webhook& hook, const Attributes& a, const NamespaceLabels& namespaces) {
  // Other cluster-scoped objects are never exempted by a namespace selector.
  if (!is_namespace(a) && (!a.namespaced || a.namespace_.empty())) return true;
  if (!hook.namespace_selector) return true;
  if (is_namespace(a)) {
    // A Namespace is judged by its own labels: the new ones, or the old ones on delete.
    const boost::json::object* self = a.object ? a.object : a.old_object;
    return self && selector_matches(*hook.namespace_selector, labels_of(*self));
  }
  std::optional<Labels> labels = namespaces ? namespaces(a.namespace_) : std::nullopt;
  if (!labels) throw ApiError::not_found("namespaces", a.namespace_);
  return selector_matches(*hook.namespace_selector, *labels);
}

bool should_call(const Webhook& hook, const Attributes& a, const NamespaceLabels& namespaces) {
  if (exempt(a)) return false;
  if (!std::any_of(hook.rules.begin(), hook.rules.end(), [&](const Rule& r) { return rule_matches(r, a); }))
    return false;
  return namespace_selector_matches(hook, a, namespaces) && object_selector_matches(hook, a);
}

}  // namespace ukube::webhook
