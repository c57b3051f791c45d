// Aggregated cluster roles: the rule set, and the controller keeping it on the object.
#include "rbac/aggregation.h"
#include "rbac_test_support.h"

namespace ukube::rbac::testing {
namespace {

ObjectPtr share(json::object o) {
  return std::make_shared<const json::object>(std::move(o));
}

json::object aggregating(const std::string& name, const char* selectors) {
  json::object role = cluster_role(name, {});
  role.erase("rules");
  role["aggregationRule"] = json::object{{"clusterRoleSelectors", json::parse(selectors)}};
  return role;
}

TEST(Aggregation, UnitesTheMatchedRolesInSelectorThenNameOrder) {
  const auto get_pods = rule({"get"}, {""}, {"pods"});
  const auto list_pods = rule({"list"}, {""}, {"pods"});
  const auto get_nodes = rule({"get"}, {""}, {"nodes"});
  std::vector<ObjectPtr> all = {
      share(cluster_role("b", {list_pods, get_pods}, json::object{{"x", "1"}})),
      share(cluster_role("a", {get_pods}, json::object{{"x", "1"}})),
      share(cluster_role("c", {get_nodes}, json::object{{"y", "1"}})),
      share(cluster_role("d", {rule({"*"}, {"*"}, {"*"})}, json::object{{"x", "2"}})),
  };
  json::object agg = aggregating("agg", R"([{"matchLabels":{"y":"1"}},{"matchLabels":{"x":"1"}}])");
  all.push_back(share(agg));
  auto rules = aggregated_rules(agg, all);
  ASSERT_TRUE(rules);
  EXPECT_EQ(*rules,
            (std::vector<PolicyRule>{parse_rule(get_nodes), parse_rule(get_pods), parse_rule(list_pods)}));

  json::object expr = aggregating(
      "expr",
      R"([{"matchExpressions":[{"key":"x","operator":"In","values":["2"]},{"key":"y","operator":"DoesNotExist"}]}])");
  EXPECT_EQ(*aggregated_rules(expr, all), (std::vector<PolicyRule>{parse_rule(rule({"*"}, {"*"}, {"*"}))}));
  json::object nothing = aggregating("none", R"([{"matchLabels":{"z":"1"}}])");
  EXPECT_TRUE(aggregated_rules(nothing, all)->empty());
  EXPECT_FALSE(aggregated_rules(cluster_role("plain", {}), all));
}

TEST(Aggregation, NeverIncludesItself) {
  json::object self = aggregating("self", R"([{}])");
  self["rules"] = json::array{rule({"get"}, {""}, {"pods"})};
  std::vector<ObjectPtr> all = {share(self), share(cluster_role("other", {rule({"get"}, {""}, {"nodes"})}))};
  EXPECT_EQ(*aggregated_rules(self, all),
            (std::vector<PolicyRule>{parse_rule(rule({"get"}, {""}, {"nodes"}))}));
}

std::vector<PolicyRule> rules_of(Client& client, const std::string& name) {
  return parse_rules(*client.get(kClusterRoles, "", name));
}

bool holds(Client& client, const std::string& name, const PolicyRule& r) {
  auto rules = rules_of(client, name);
  return std::find(rules.begin(), rules.end(), r) != rules.end();
}

TEST(AggregationController, FillsAdminEditViewAndFollowsLabelledRoles) {
  RbacKernel k;
  k.start_plugin();
  Client& admin = k.admin();
  const PolicyRule view_pods =
      parse_rule(rule({"get", "list", "watch"}, {""},
                      {"configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
                       "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                       "services", "services/status"}));
  const PolicyRule admin_rbac =
      parse_rule(rule({"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"},
                      {"rbac.authorization.k8s.io"}, {"rolebindings", "roles"}));
  // view's rules flow into edit (labelled aggregate-to-edit) and on into admin.
  ASSERT_TRUE(
      eventually([&] { return holds(admin, "admin", view_pods) && holds(admin, "admin", admin_rbac); }));
  EXPECT_TRUE(holds(admin, "edit", view_pods));
  EXPECT_TRUE(holds(admin, "view", view_pods));
  EXPECT_FALSE(holds(admin, "edit", admin_rbac));
  EXPECT_FALSE(holds(admin, "view", admin_rbac));

  const json::object widgets = rule({"get", "list"}, {"example.com"}, {"widgets"});
  admin.create(kClusterRoles, "",
               cluster_role("widget-viewer", {widgets},
                            json::object{{"rbac.authorization.k8s.io/aggregate-to-view", "true"}}));
  for (const char* name : {"view", "edit", "admin"})
    EXPECT_TRUE(eventually([&] { return holds(admin, name, parse_rule(widgets)); })) << name;
  EXPECT_FALSE(holds(admin, "cluster-admin", parse_rule(widgets)));

  // The role's own rules change: so do the aggregates.
  const json::object gadgets = rule({"get"}, {"example.com"}, {"gadgets"});
  admin.patch(kClusterRoles, "", "widget-viewer", PatchType::JsonMerge,
              json::serialize(json::object{{"rules", json::array{gadgets}}}));
  for (const char* name : {"view", "edit", "admin"}) {
    EXPECT_TRUE(eventually([&] { return holds(admin, name, parse_rule(gadgets)); })) << name;
    EXPECT_TRUE(eventually([&] { return !holds(admin, name, parse_rule(widgets)); })) << name;
  }

  admin.remove(kClusterRoles, "", "widget-viewer");
  for (const char* name : {"view", "edit", "admin"})
    EXPECT_TRUE(eventually([&] { return !holds(admin, name, parse_rule(gadgets)); })) << name;
  EXPECT_TRUE(holds(admin, "admin", view_pods));
}

TEST(AggregationController, OverwritesHandEditedRulesOfAnAggregatedRole) {
  RbacKernel k;
  k.start_plugin();
  Client& admin = k.admin();
  ASSERT_TRUE(k.aggregation_settled());
  auto before = rules_of(admin, "view");
  ASSERT_FALSE(before.empty());
  admin.patch(kClusterRoles, "", "view", PatchType::JsonMerge,
              R"({"rules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]})");
  EXPECT_TRUE(eventually([&] { return rules_of(admin, "view") == before; }));
}

}  // namespace
}  // namespace ukube::rbac::testing
