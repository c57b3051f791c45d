// One PolicyRule against one request, form by form.
#include "rbac_test_support.h"
#include "ukube/machinery/policy_rule.h"

namespace ukube::rbac::testing {
namespace {

struct ResourceCase {
  const char* what;
  json::object rule;
  ResourceRequest request;
  bool allowed;
};

TEST(PolicyRule, ResourceForms) {
  const std::vector<ResourceCase> cases = {
      {"exact verb, group, resource", rule({"get"}, {""}, {"pods"}), {"get", "", "pods", "", "p"}, true},
      {"other verb", rule({"get"}, {""}, {"pods"}), {"delete", "", "pods", "", "p"}, false},
      {"other group", rule({"get"}, {""}, {"pods"}), {"get", "apps", "pods", "", "p"}, false},
      {"other resource", rule({"get"}, {""}, {"pods"}), {"get", "", "secrets", "", "p"}, false},
      {"verb wildcard", rule({"*"}, {""}, {"pods"}), {"escalate", "", "pods", "", ""}, true},
      {"group wildcard",
       rule({"list"}, {"*"}, {"deployments"}),
       {"list", "apps", "deployments", "", ""},
       true},
      {"resource wildcard", rule({"list"}, {"apps"}, {"*"}), {"list", "apps", "statefulsets", "", ""}, true},
      {"resource wildcard covers subresources",
       rule({"get"}, {""}, {"*"}),
       {"get", "", "pods", "log", "p"},
       true},
      {"resource alone does not cover its subresource",
       rule({"get"}, {""}, {"pods"}),
       {"get", "", "pods", "log", "p"},
       false},
      {"resource/subresource", rule({"get"}, {""}, {"pods/log"}), {"get", "", "pods", "log", "p"}, true},
      {"resource/subresource is not the resource",
       rule({"get"}, {""}, {"pods/log"}),
       {"get", "", "pods", "", "p"},
       false},
      {"resource/subresource of another resource",
       rule({"get"}, {""}, {"pods/log"}),
       {"get", "", "nodes", "log", "n"},
       false},
      {"resource/other subresource",
       rule({"get"}, {""}, {"pods/log"}),
       {"get", "", "pods", "exec", "p"},
       false},
      {"*/subresource",
       rule({"patch"}, {"apps"}, {"*/scale"}),
       {"patch", "apps", "deployments", "scale", "d"},
       true},
      {"*/subresource with a one-letter resource",
       rule({"patch"}, {"x"}, {"*/scale"}),
       {"patch", "x", "y", "scale", "d"},
       true},
      {"*/subresource is not the resource",
       rule({"patch"}, {"apps"}, {"*/scale"}),
       {"patch", "apps", "deployments", "", "d"},
       false},
      {"*/subresource of another subresource",
       rule({"patch"}, {"apps"}, {"*/scale"}),
       {"patch", "apps", "deployments", "status", "d"},
       false},
      {"name listed", rule({"get"}, {""}, {"secrets"}, {"db"}), {"get", "", "secrets", "", "db"}, true},
      {"name not listed",
       rule({"get"}, {""}, {"secrets"}, {"db"}),
       {"get", "", "secrets", "", "other"},
       false},
      {"names never match list",
       rule({"list"}, {""}, {"secrets"}, {"db"}),
       {"list", "", "secrets", "", ""},
       false},
      {"names never match watch",
       rule({"watch"}, {""}, {"secrets"}, {"db"}),
       {"watch", "", "secrets", "", ""},
       false},
      {"names never match create",
       rule({"create"}, {""}, {"secrets"}, {"db"}),
       {"create", "", "secrets", "", ""},
       false},
      {"names never match deletecollection",
       rule({"deletecollection"}, {""}, {"secrets"}, {"db"}),
       {"deletecollection", "", "secrets", "", ""},
       false},
      {"watch of one named object",
       rule({"watch"}, {""}, {"secrets"}, {"db"}),
       {"watch", "", "secrets", "", "db"},
       true},
      {"names with a subresource",
       rule({"update"}, {"apps"}, {"deployments/scale"}, {"web"}),
       {"update", "apps", "deployments", "scale", "web"},
       true},
      {"URL rule grants no resource", url_rule({"get"}, {"*"}), {"get", "", "pods", "", "p"}, false},
  };
  for (const auto& c : cases) EXPECT_EQ(allows_resource(parse_rule(c.rule), c.request), c.allowed) << c.what;
}

struct UrlCase {
  const char* what;
  json::object rule;
  const char* verb;
  const char* path;
  bool allowed;
};

TEST(PolicyRule, NonResourceUrls) {
  const std::vector<UrlCase> cases = {
      {"exact", url_rule({"get"}, {"/healthz"}), "get", "/healthz", true},
      {"exact is not a prefix", url_rule({"get"}, {"/healthz"}), "get", "/healthz/etcd", false},
      {"other verb", url_rule({"get"}, {"/healthz"}), "post", "/healthz", false},
      {"verb wildcard", url_rule({"*"}, {"/healthz"}), "post", "/healthz", true},
      {"trailing * is a prefix", url_rule({"get"}, {"/healthz/*"}), "get", "/healthz/etcd", true},
      {"trailing * needs its stem", url_rule({"get"}, {"/healthz/*"}), "get", "/healthz", false},
      {"prefix without slash", url_rule({"get"}, {"/api*"}), "get", "/apis/apps", true},
      {"everything", url_rule({"get"}, {"*"}), "get", "/anything/at/all", true},
      {"resource rule grants no URL", rule({"*"}, {"*"}, {"*"}), "get", "/healthz", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(allows_non_resource(parse_rule(c.rule), c.verb, c.path), c.allowed) << c.what;
}

TEST(PolicyRule, RoundTripsThroughJsonLeavingOutEmptyLists) {
  PolicyRule r = parse_rule(rule({"get"}, {""}, {"pods"}));
  json::object out = rule_to_json(r);
  EXPECT_EQ(out, json::parse(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods"]})").as_object());
  EXPECT_EQ(parse_rule(out), r);
  EXPECT_TRUE(parse_rules(json::object{{"rules", nullptr}}).empty());
}

}  // namespace
}  // namespace ukube::rbac::testing
