// Which webhooks a request reaches: rules (table-driven), scope, exemptions and selectors.
#include "admission/webhook/matcher.h"
#include "ukube/errors.h"
#include "webhook_test_support.h"

namespace ukube::webhook::testing {
namespace {

Attributes attrs(const TypeInfo& t, std::string op, std::string ns = "default", std::string sub = "") {
  Attributes a;
  a.operation = std::move(op);
  a.group = t.group;
  a.version = t.version;
  a.kind = t.kind;
  a.resource = t.plural;
  a.namespaced = t.namespaced;
  a.namespace_ = t.namespaced ? std::move(ns) : "";
  a.subresource = std::move(sub);
  a.name = "x";
  return a;
}

struct RuleCase {
  const char* what;
  Rule rule;
  Attributes request;
  bool matches;
};

TEST(RuleMatching, Forms) {
  const std::vector<RuleCase> cases = {
      {"exact", {{"CREATE"}, {""}, {"v1"}, {"configmaps"}}, attrs(configmaps(), "CREATE"), true},
      {"other operation", {{"CREATE"}, {""}, {"v1"}, {"configmaps"}}, attrs(configmaps(), "UPDATE"), false},
      {"operation wildcard", {{"*"}, {""}, {"v1"}, {"configmaps"}}, attrs(configmaps(), "DELETE"), true},
      {"one of several operations",
       {{"CREATE", "UPDATE"}, {""}, {"v1"}, {"configmaps"}},
       attrs(configmaps(), "UPDATE"),
       true},
      {"other group", {{"*"}, {"apps"}, {"v1"}, {"configmaps"}}, attrs(configmaps(), "CREATE"), false},
      {"group wildcard", {{"*"}, {"*"}, {"v1"}, {"deployments"}}, attrs(deployments(), "CREATE"), true},
      {"other version",
       {{"*"}, {"apps"}, {"v1beta1"}, {"deployments"}},
       attrs(deployments(), "CREATE"),
       false},
      {"version wildcard", {{"*"}, {"apps"}, {"*"}, {"deployments"}}, attrs(deployments(), "CREATE"), true},
      {"other resource", {{"*"}, {""}, {"v1"}, {"secrets"}}, attrs(configmaps(), "CREATE"), false},
      {"resource wildcard", {{"*"}, {""}, {"v1"}, {"*"}}, attrs(configmaps(), "CREATE"), true},
      {"resource wildcard excludes subresources",
       {{"*"}, {""}, {"v1"}, {"*"}},
       attrs(pods(), "UPDATE", "default", "status"),
       false},
      {"plain resource excludes its subresources",
       {{"*"}, {""}, {"v1"}, {"pods"}},
       attrs(pods(), "UPDATE", "default", "status"),
       false},
      {"named subresource",
       {{"*"}, {""}, {"v1"}, {"pods/status"}},
       attrs(pods(), "UPDATE", "default", "status"),
       true},
      {"named subresource excludes the main resource",
       {{"*"}, {""}, {"v1"}, {"pods/status"}},
       attrs(pods(), "UPDATE"),
       false},
      {"named subresource excludes others",
       {{"*"}, {""}, {"v1"}, {"pods/status"}},
       attrs(pods(), "CREATE", "default", "binding"),
       false},
      {"all subresources of one resource",
       {{"*"}, {""}, {"v1"}, {"pods/*"}},
       attrs(pods(), "CREATE", "default", "binding"),
       true},
      {"one subresource of all resources",
       {{"*"}, {"*"}, {"*"}, {"*/scale"}},
       attrs(deployments(), "UPDATE", "default", "scale"),
       true},
      {"*/* covers resources", {{"*"}, {"*"}, {"*"}, {"*/*"}}, attrs(configmaps(), "CREATE"), true},
      {"*/* covers subresources",
       {{"*"}, {"*"}, {"*"}, {"*/*"}},
       attrs(pods(), "UPDATE", "default", "status"),
       true},
      {"Namespaced scope, namespaced object",
       {{"*"}, {"*"}, {"*"}, {"*"}, "Namespaced"},
       attrs(configmaps(), "CREATE"),
       true},
      {"Namespaced scope, cluster object",
       {{"*"}, {"*"}, {"*"}, {"*"}, "Namespaced"},
       attrs(nodes(), "CREATE"),
       false},
      {"Namespaced scope, Namespace object",
       {{"*"}, {"*"}, {"*"}, {"*"}, "Namespaced"},
       attrs(namespaces(), "CREATE"),
       false},
      {"Cluster scope, Namespace object",
       {{"*"}, {"*"}, {"*"}, {"*"}, "Cluster"},
       attrs(namespaces(), "CREATE"),
       true},
      {"Cluster scope, namespaced object",
       {{"*"}, {"*"}, {"*"}, {"*"}, "Cluster"},
       attrs(configmaps(), "CREATE"),
       false},
      {"empty operations match nothing", {{}, {"*"}, {"*"}, {"*"}}, attrs(configmaps(), "CREATE"), false},
  };
  for (const auto& c : cases) EXPECT_EQ(rule_matches(c.rule, c.request), c.matches) << c.what;
}

TEST(RuleMatching, WebhookConfigurationsAreExempt) {
  Webhook hook = any_hook("all.example.com", false);
  TypeInfo vwc = type("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
                      "validatingwebhookconfigurations", false);
  TypeInfo mwc = type("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
                      "mutatingwebhookconfigurations", false);
  EXPECT_FALSE(should_call(hook, attrs(vwc, "CREATE"), nullptr));
  EXPECT_FALSE(should_call(hook, attrs(mwc, "DELETE"), nullptr));
  EXPECT_TRUE(should_call(hook, attrs(configmaps(), "CREATE"), nullptr));
}

TEST(RuleMatching, OperationNamesAreUpstreams) {
  EXPECT_STREQ(operation_name(AdmissionOperation::Create), "CREATE");
  EXPECT_STREQ(operation_name(AdmissionOperation::Update), "UPDATE");
  EXPECT_STREQ(operation_name(AdmissionOperation::Delete), "DELETE");
  EXPECT_STREQ(operation_name(AdmissionOperation::Connect), "CONNECT");
}

class Selectors : public ::testing::Test {
 protected:
  NamespaceLabels namespace_labels = [](const std::string& name) -> std::optional<Labels> {
    if (name == "prod") return Labels{{"env", "prod"}, {"team", "a"}};
    if (name == "dev") return Labels{{"env", "dev"}};
    return std::nullopt;
  };
  json::object labelled(const std::string& labels_json) {
    return parse(R"({"metadata":{"name":"x","labels":)" + labels_json + "}}");
  }
};

TEST_F(Selectors, NamespaceSelectorUsesTheNamespacesLabels) {
  Webhook hook = any_hook("ns.example.com", false);
  hook.namespace_selector = parse_selector(parse(R"({"matchLabels":{"env":"prod"}})"));
  EXPECT_TRUE(should_call(hook, attrs(configmaps(), "CREATE", "prod"), namespace_labels));
  EXPECT_FALSE(should_call(hook, attrs(configmaps(), "CREATE", "dev"), namespace_labels));
}

TEST_F(Selectors, NamespaceSelectorExpressions) {
  Webhook hook = any_hook("ns.example.com", false);
  hook.namespace_selector =
      parse_selector(parse(R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]},
                                     {"key":"team","operator":"DoesNotExist"}]})"));
  EXPECT_FALSE(should_call(hook, attrs(configmaps(), "CREATE", "prod"), namespace_labels));
  EXPECT_TRUE(should_call(hook, attrs(configmaps(), "CREATE", "dev"), namespace_labels));
  hook.namespace_selector =
      parse_selector(parse(R"({"matchExpressions":[{"key":"team","operator":"Exists"}]})"));
  EXPECT_TRUE(should_call(hook, attrs(configmaps(), "CREATE", "prod"), namespace_labels));
  EXPECT_FALSE(should_call(hook, attrs(configmaps(), "CREATE", "dev"), namespace_labels));
  hook.namespace_selector =
      parse_selector(parse(R"({"matchExpressions":[{"key":"env","operator":"In","values":["dev","qa"]}]})"));
  EXPECT_TRUE(should_call(hook, attrs(configmaps(), "CREATE", "dev"), namespace_labels));
  hook.namespace_selector =
      parse_selector(parse(R"({"matchExpressions":[{"key":"env","operator":"Bogus","values":["dev"]}]})"));
  EXPECT_FALSE(should_call(hook, attrs(configmaps(), "CREATE", "dev"), namespace_labels));
}

TEST_F(Selectors, ANamespaceIsJudgedByItsOwnLabels) {
  Webhook hook = any_hook("ns.example.com", false);
  hook.namespace_selector = parse_selector(parse(R"({"matchLabels":{"env":"prod"}})"));
  json::object prod = labelled(R"({"env":"prod"})");
  json::object dev = labelled(R"({"env":"dev"})");
  Attributes a = attrs(namespaces(), "CREATE");
  a.object = &prod;
  EXPECT_TRUE(should_call(hook, a, nullptr));  // never looked up: the object itself says
  a.object = &dev;
  EXPECT_FALSE(should_call(hook, a, nullptr));
  Attributes deletion = attrs(namespaces(), "DELETE");
  deletion.old_object = &prod;
  EXPECT_TRUE(should_call(hook, deletion, nullptr));
}

TEST_F(Selectors, ClusterScopedObjectsAreNeverExemptedByANamespaceSelector) {
  Webhook hook = any_hook("ns.example.com", false);
  hook.namespace_selector = parse_selector(parse(R"({"matchLabels":{"env":"prod"}})"));
  EXPECT_TRUE(should_call(hook, attrs(nodes(), "CREATE"), namespace_labels));
}

TEST_F(Selectors, AMissingNamespaceIsNotFound) {
  Webhook hook = any_hook("ns.example.com", false);
  hook.namespace_selector = parse_selector(parse(R"({"matchLabels":{"env":"prod"}})"));
  try {
    should_call(hook, attrs(configmaps(), "CREATE", "gone"), namespace_labels);
    FAIL() << "expected NotFound";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 404);
    EXPECT_STREQ(e.what(), "namespaces \"gone\" not found");
  }
  // An empty selector needs no lookup at all.
  hook.namespace_selector = {};
  EXPECT_TRUE(should_call(hook, attrs(configmaps(), "CREATE", "gone"), namespace_labels));
}

TEST_F(Selectors, ObjectSelectorMatchesNewOrOldObject) {
  Webhook hook = any_hook("obj.example.com", true);
  hook.object_selector = parse_selector(parse(R"({"matchLabels":{"deny":"true"}})"));
  json::object deny = labelled(R"({"deny":"true"})");
  json::object plain = labelled(R"({"other":"x"})");
  Attributes create = attrs(configmaps(), "CREATE");
  create.object = &deny;
  EXPECT_TRUE(should_call(hook, create, namespace_labels));
  create.object = &plain;
  EXPECT_FALSE(should_call(hook, create, namespace_labels));
  Attributes update = attrs(configmaps(), "UPDATE");
  update.object = &plain;
  update.old_object = &deny;  // the label is being removed: still the webhook's business
  EXPECT_TRUE(should_call(hook, update, namespace_labels));
  Attributes deletion = attrs(configmaps(), "DELETE");
  deletion.old_object = &plain;
  EXPECT_FALSE(should_call(hook, deletion, namespace_labels));
}

TEST_F(Selectors, RulesComeFirst) {
  Webhook hook = any_hook("rules.example.com", false);
  hook.rules = {Rule{{"CREATE"}, {""}, {"v1"}, {"secrets"}}};
  hook.namespace_selector = parse_selector(parse(R"({"matchLabels":{"env":"prod"}})"));
  // No rule matches, so the missing namespace is never looked up.
  EXPECT_FALSE(should_call(hook, attrs(configmaps(), "CREATE", "gone"), namespace_labels));
}

}  // namespace
}  // namespace ukube::webhook::testing
