// The admissionregistration.k8s.io/v1 types: upstream's defaults and validation messages.
#include "families.h"
#include "webhook_test_support.h"

namespace ukube::webhook::testing {
namespace {

json::object valid_configuration() {
  return parse(R"({"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration",
    "metadata":{"name":"policy"},
    "webhooks":[{"name":"deny.example.com","clientConfig":{"url":"https://127.0.0.1:9443/validate"},
      "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}],
      "sideEffects":"None","admissionReviewVersions":["v1"]}]})");
}

std::vector<std::string> errors_of(const TypeInfo& t, json::object o) {
  for (const auto& d : t.defaulters) d(o);
  std::vector<FieldError> errors;
  for (const auto& v : t.validators) v(o, nullptr, errors);
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field + ": " + e.message);
  return out;
}

TEST(ConfigurationTypes, Registration) {
  TypeInfo m = builtin::mutatingwebhookconfigurations_type();
  TypeInfo v = builtin::validatingwebhookconfigurations_type();
  EXPECT_EQ(m.gvr(),
            (GroupVersionResource{"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations"}));
  EXPECT_EQ(v.gvr(),
            (GroupVersionResource{"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations"}));
  EXPECT_EQ(m.kind, "MutatingWebhookConfiguration");
  EXPECT_EQ(v.kind, "ValidatingWebhookConfiguration");
  EXPECT_FALSE(m.namespaced);
  EXPECT_FALSE(v.namespaced);
  ASSERT_TRUE(m.schema);
  // Protobuf field numbers from upstream's generated.proto: objectSelector differs.
  const auto& mhook = m.schema->at("properties").at("webhooks").at("items").at("properties");
  const auto& vhook = v.schema->at("properties").at("webhooks").at("items").at("properties");
  EXPECT_EQ(mhook.at("objectSelector").at("x-ukube-proto-tag"), 11);
  EXPECT_EQ(vhook.at("objectSelector").at("x-ukube-proto-tag"), 10);
  EXPECT_EQ(mhook.at("reinvocationPolicy").at("x-ukube-proto-tag"), 10);
  EXPECT_EQ(vhook.at("matchPolicy").at("x-ukube-proto-tag"), 9);
  EXPECT_EQ(vhook.at("clientConfig").at("properties").at("url").at("x-ukube-proto-tag"), 3);
  const auto& rule = vhook.at("rules").at("items").at("properties");
  EXPECT_EQ(rule.at("resources").at("x-ukube-proto-tag"), 3);
  EXPECT_EQ(rule.at("resources").at("x-ukube-proto-embedded"), 2);  // inside the inline Rule
  EXPECT_TRUE(mhook.as_object().contains("reinvocationPolicy"));
  EXPECT_FALSE(vhook.as_object().contains("reinvocationPolicy"));
}

TEST(ConfigurationTypes, DefaultsAreUpstreams) {
  TypeInfo m = builtin::mutatingwebhookconfigurations_type();
  json::object o = valid_configuration();
  o["webhooks"].as_array()[0].as_object()["clientConfig"] =
      parse(R"({"service":{"namespace":"n","name":"s"}})");
  for (const auto& d : m.defaulters) d(o);
  const json::object& hook = o.at("webhooks").at(0).as_object();
  EXPECT_EQ(hook.at("failurePolicy"), "Fail");
  EXPECT_EQ(hook.at("matchPolicy"), "Equivalent");
  EXPECT_EQ(hook.at("namespaceSelector"), json::object{});
  EXPECT_EQ(hook.at("objectSelector"), json::object{});
  EXPECT_EQ(hook.at("timeoutSeconds"), 10);
  EXPECT_EQ(hook.at("reinvocationPolicy"), "Never");
  EXPECT_EQ(hook.at("rules").at(0).at("scope"), "*");
  EXPECT_EQ(hook.at("clientConfig").at("service").at("port"), 443);
  TypeInfo v = builtin::validatingwebhookconfigurations_type();
  json::object vo = valid_configuration();
  for (const auto& d : v.defaulters) d(vo);
  EXPECT_FALSE(vo.at("webhooks").at(0).as_object().contains("reinvocationPolicy"));
}

TEST(ConfigurationTypes, ValidConfigurationPasses) {
  EXPECT_TRUE(errors_of(builtin::validatingwebhookconfigurations_type(), valid_configuration()).empty());
  EXPECT_TRUE(errors_of(builtin::mutatingwebhookconfigurations_type(), valid_configuration()).empty());
}

TEST(ConfigurationTypes, ValidationMessagesAreUpstreams) {
  json::object o = valid_configuration();
  json::object& hook = o["webhooks"].as_array()[0].as_object();
  hook["name"] = "short";
  hook.erase("sideEffects");
  hook["timeoutSeconds"] = 31;
  hook["failurePolicy"] = "Maybe";
  hook["admissionReviewVersions"] = json::array{};
  hook["clientConfig"] = parse(R"({"url":"http://h/x?a=b"})");
  hook["rules"].as_array()[0].as_object()["operations"] = json::array{"*", "GET"};
  std::vector<std::string> errors = errors_of(builtin::validatingwebhookconfigurations_type(), o);
  auto has = [&](const std::string& s) { return std::find(errors.begin(), errors.end(), s) != errors.end(); };
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  EXPECT_TRUE(
      has("webhooks[0].name: Invalid value: \"short\": should be a domain with at least three segments "
          "separated by dots"))
      << all;
  EXPECT_TRUE(has("webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun")) << all;
  EXPECT_TRUE(has(
      "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds"))
      << all;
  EXPECT_TRUE(
      has("webhooks[0].failurePolicy: Unsupported value: \"Maybe\": supported values: \"Fail\", \"Ignore\""))
      << all;
  EXPECT_TRUE(has("webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1"))
      << all;
  EXPECT_TRUE(
      has("webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; "
          "desired format: https://host[/path]"))
      << all;
  EXPECT_TRUE(has(
      "webhooks[0].clientConfig.url: Invalid value: \"a=b\": query parameters are not permitted in the URL"))
      << all;
  EXPECT_TRUE(
      has("webhooks[0].rules[0].operations: Invalid value: []string{\"*\", \"GET\"}: if '*' is present, "
          "must not specify other operations"))
      << all;
  EXPECT_TRUE(
      has("webhooks[0].rules[0].operations[1]: Unsupported value: \"GET\": supported values: \"*\", "
          "\"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\""))
      << all;
}

TEST(ConfigurationTypes, ClientConfigNeedsExactlyOneTarget) {
  json::object o = valid_configuration();
  o["webhooks"].as_array()[0].as_object()["clientConfig"] =
      parse(R"({"url":"https://h/x","service":{"namespace":"n","name":"s"}})");
  std::vector<std::string> errors = errors_of(builtin::validatingwebhookconfigurations_type(), o);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "webhooks[0].clientConfig: Required value: exactly one of url or service is required");
}

TEST(ConfigurationTypes, DuplicateNamesAndOverlappingResources) {
  json::object o = valid_configuration();
  json::array& hooks = o["webhooks"].as_array();
  hooks.push_back(hooks[0]);
  hooks[1].as_object()["rules"].as_array()[0].as_object()["resources"] = json::array{"*/*", "pods"};
  std::vector<std::string> errors = errors_of(builtin::validatingwebhookconfigurations_type(), o);
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  EXPECT_NE(all.find("webhooks[1].name: Duplicate value: \"deny.example.com\""), std::string::npos) << all;
  EXPECT_NE(
      all.find("webhooks[1].rules[0].resources: Invalid value: []string{\"*/*\", \"pods\"}: if '*/*' is "
               "present, must not specify other resources"),
      std::string::npos)
      << all;
}

}  // namespace
}  // namespace ukube::webhook::testing
