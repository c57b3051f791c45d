// authorization.k8s.io/v1: access reviews, answered by the authorizer chain.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "families.h"
#include "groups/reviews.h"
#include "schema/meta.h"
#include "ukube/errors.h"

namespace ukube::builtin {
namespace {

namespace json = boost::json;

std::vector<std::string> strings_at(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* list = array_at(o, {key}))
    for (const auto& v : *list) out.emplace_back(as_string(v));
  return out;
}

json::array to_array(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

// Upstream's ResourceAttributes / NonResourceAttributes → the attributes the chain decides on.
RequestAttributes attributes_of(const json::object& spec, UserInfo user) {
  RequestAttributes a;
  a.user = std::move(user);
  if (const auto* r = object_at(spec, {"resourceAttributes"})) {
    a.resource_request = true;
    a.namespace_ = string_at(*r, {"namespace"});
    a.verb = string_at(*r, {"verb"});
    a.api_group = string_at(*r, {"group"});
    a.api_version = string_at(*r, {"version"});
    a.resource = string_at(*r, {"resource"});
    a.subresource = string_at(*r, {"subresource"});
    a.name = string_at(*r, {"name"});
  } else if (const auto* n = object_at(spec, {"nonResourceAttributes"})) {
    a.resource_request = false;
    a.path = string_at(*n, {"path"});
    a.verb = string_at(*n, {"verb"});
  }
  return a;
}

json::object review_status(AuthChains& auth, const RequestAttributes& attributes) {
  AuthzResult r = auth.decide(attributes);
  json::object status{{"allowed", r.decision == AuthzResult::Decision::Allow}};
  if (!r.reason.empty()) status["reason"] = r.reason;
  return status;
}

// Exactly one of the two attribute kinds, as upstream checks.
void check_exactly_one(const json::object& o, std::vector<FieldError>& out, bool allow_non_resource = true) {
  Errors e(out);
  const auto* spec = object_at(o, {"spec"});
  const bool resource = spec && object_at(*spec, {"resourceAttributes"});
  const bool non_resource = spec && object_at(*spec, {"nonResourceAttributes"});
  FieldPath sp("spec");
  if (resource && non_resource)
    e.invalid_value(sp.child("nonResourceAttributes"), json::value(nullptr),
                    "cannot be specified in combination with resourceAttributes");
  else if (!resource && !non_resource)
    e.invalid_value(sp.child("resourceAttributes"), json::value(nullptr),
                    "exactly one of nonResourceAttributes or resourceAttributes must be specified");
  else if (non_resource && !allow_non_resource)
    e.invalid_value(sp.child("nonResourceAttributes"), json::value(nullptr),
                    "disallowed on this kind of request");
}

schema::Schema resource_attributes() {
  using namespace schema;
  return object({{"namespace", string(), 1},
                 {"verb", string(), 2},
                 {"group", string(), 3},
                 {"version", string(), 4},
                 {"resource", string(), 5},
                 {"subresource", string(), 6},
                 {"name", string(), 7}},
                "A resource request to review.");
}

schema::Schema non_resource_attributes() {
  using namespace schema;
  return object({{"path", string(), 1}, {"verb", string(), 2}}, "A non-resource request to review.");
}

schema::Schema access_review_status() {
  using namespace schema;
  return object({{"allowed", boolean(), 1, kAlways},
                 {"denied", boolean(), 4},
                 {"reason", string(), 2},
                 {"evaluationError", string(), 3}});
}

schema::Schema subject_access_review(std::string_view kind) {
  using namespace schema;
  return resource("authorization.k8s.io", "v1", kind, "Whether a user or group can perform an action.",
                  {{"spec",
                    object({{"resourceAttributes", resource_attributes(), 1, kPointer},
                            {"nonResourceAttributes", non_resource_attributes(), 2, kPointer},
                            {"user", string(), 3},
                            {"groups", atomic_list(string()), 4},
                            {"extra", map_of(atomic_list(string())), 5},
                            {"uid", string(), 6}}),
                    2, kAlways},
                   {"status", access_review_status(), 3}});
}

TypeInfo review_type(std::string kind, std::string plural, bool namespaced) {
  TypeInfo t = make_type("authorization.k8s.io", "v1", std::move(kind), std::move(plural), namespaced);
  t.verbs = {"create"};
  return t;
}

TypeInfo self_subject_access_reviews(AuthChains& auth) {
  TypeInfo t = review_type("SelfSubjectAccessReview", "selfsubjectaccessreviews", false);
  using namespace schema;
  t.schema = share(resource("authorization.k8s.io", "v1", "SelfSubjectAccessReview",
                            "Whether the caller can perform an action.",
                            {{"spec",
                              object({{"resourceAttributes", resource_attributes(), 1, kPointer},
                                      {"nonResourceAttributes", non_resource_attributes(), 2, kPointer}}),
                              2, kAlways},
                             {"status", access_review_status(), 3}}));
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    check_exactly_one(o, out);
  });
  t.ephemeral_create = [&auth](EphemeralCall& call) {
    const auto* spec = object_at(call.body, {"spec"});
    return answered(std::move(call.body), review_status(auth, attributes_of(*spec, call.user)));
  };
  return t;
}

UserInfo subject_of(const json::object& spec) {
  UserInfo user;
  user.name = string_at(spec, {"user"});
  user.uid = string_at(spec, {"uid"});
  user.groups = strings_at(spec, "groups");
  if (const auto* extra = object_at(spec, {"extra"}))
    for (const auto& [key, values] : *extra) user.extra[key] = strings_at(*extra, key);
  return user;
}

void check_subject(const json::object& o, std::vector<FieldError>& out) {
  Errors e(out);
  const auto* spec = object_at(o, {"spec"});
  if (spec && string_at(*spec, {"user"}).empty() && strings_at(*spec, "groups").empty())
    e.invalid(FieldPath("spec").child("user"), quote(""), "at least one of user or group must be specified");
}

TypeInfo subject_access_reviews(AuthChains& auth) {
  TypeInfo t = review_type("SubjectAccessReview", "subjectaccessreviews", false);
  t.schema = schema::share(subject_access_review("SubjectAccessReview"));
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    check_exactly_one(o, out);
    check_subject(o, out);
  });
  t.ephemeral_create = [&auth](EphemeralCall& call) {
    const auto* spec = object_at(call.body, {"spec"});
    return answered(std::move(call.body), review_status(auth, attributes_of(*spec, subject_of(*spec))));
  };
  return t;
}

TypeInfo local_subject_access_reviews(AuthChains& auth) {
  TypeInfo t = review_type("LocalSubjectAccessReview", "localsubjectaccessreviews", true);
  t.schema = schema::share(subject_access_review("LocalSubjectAccessReview"));
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    check_exactly_one(o, out, false);
    check_subject(o, out);
  });
  t.ephemeral_create = [&auth](EphemeralCall& call) {
    auto& spec = child(call.body, "spec");
    // The namespace of the URL is the one reviewed; a different one in the body is refused.
    auto& attributes = child(spec, "resourceAttributes");
    std::string ns = string_at(attributes, {"namespace"});
    if (!ns.empty() && ns != call.namespace_)
      throw ApiError::invalid({"authorization.k8s.io", "v1", "LocalSubjectAccessReview"}, "",
                              {{"FieldValueInvalid", "spec.resourceAttributes.namespace",
                                "Invalid value: " + quote(ns) + ": must match metadata.namespace"}});
    attributes["namespace"] = call.namespace_;
    return answered(std::move(call.body), review_status(auth, attributes_of(spec, subject_of(spec))));
  };
  return t;
}

json::object rules_status(const SubjectRules& rules) {
  json::array resource_rules, non_resource_rules;
  for (const auto& r : rules.resource_rules) {
    json::object rule{{"verbs", to_array(r.verbs)}};
    if (!r.api_groups.empty()) rule["apiGroups"] = to_array(r.api_groups);
    if (!r.resources.empty()) rule["resources"] = to_array(r.resources);
    if (!r.resource_names.empty()) rule["resourceNames"] = to_array(r.resource_names);
    resource_rules.push_back(std::move(rule));
  }
  for (const auto& r : rules.non_resource_rules)
    non_resource_rules.push_back(
        json::object{{"verbs", to_array(r.verbs)}, {"nonResourceURLs", to_array(r.urls)}});
  json::object status{{"resourceRules", std::move(resource_rules)},
                      {"nonResourceRules", std::move(non_resource_rules)},
                      {"incomplete", rules.incomplete}};
  if (!rules.evaluation_error.empty()) status["evaluationError"] = rules.evaluation_error;
  return status;
}

TypeInfo self_subject_rules_reviews(AuthChains& auth) {
  TypeInfo t = review_type("SelfSubjectRulesReview", "selfsubjectrulesreviews", false);
  using namespace schema;
  Schema resource_rule = object({{"verbs", atomic_list(string()), 1},
                                 {"apiGroups", atomic_list(string()), 2},
                                 {"resources", atomic_list(string()), 3},
                                 {"resourceNames", atomic_list(string()), 4}});
  Schema non_resource_rule =
      object({{"verbs", atomic_list(string()), 1}, {"nonResourceURLs", atomic_list(string()), 2}});
  t.schema = share(resource("authorization.k8s.io", "v1", "SelfSubjectRulesReview",
                            "What the caller can do in a namespace.",
                            {{"spec", object({{"namespace", string(), 1}}), 2, kAlways},
                             {"status",
                              object({{"resourceRules", atomic_list(resource_rule), 1, kAlways},
                                      {"nonResourceRules", atomic_list(non_resource_rule), 2, kAlways},
                                      {"incomplete", boolean(), 3, kAlways},
                                      {"evaluationError", string(), 4}}),
                              3}}));
  t.ephemeral_create = [&auth](EphemeralCall& call) {
    std::string ns = string_at(call.body, {"spec", "namespace"});
    return answered(std::move(call.body), rules_status(auth.rules_for(call.user, ns)));
  };
  return t;
}

}  // namespace

std::vector<TypeInfo> authorization_review_types(AuthChains& auth) {
  std::vector<TypeInfo> out;
  out.push_back(self_subject_access_reviews(auth));
  out.push_back(subject_access_reviews(auth));
  out.push_back(local_subject_access_reviews(auth));
  out.push_back(self_subject_rules_reviews(auth));
  return out;
}

json::object answered(json::object body, json::object status) {
  body["status"] = std::move(status);
  auto& meta = child(body, "metadata");
  set_default(meta, "creationTimestamp", nullptr);
  return body;
}

}  // namespace ukube::builtin
