// The default policy written at start: created once, reconciled on every later start.
#include <map>

#include "rbac/bootstrap_policy.h"
#include "rbac_test_support.h"

namespace ukube::rbac::testing {
namespace {

std::map<std::string, std::string> versions(Client& client) {
  std::map<std::string, std::string> out;
  for (const auto& gvr : {kClusterRoles, kClusterRoleBindings, kRoles, kRoleBindings})
    for (const auto& o : client.list(gvr, "").items)
      out[gvr.resource + "/" + ukube::testing::meta(o, "name")] = ukube::testing::meta(o, "resourceVersion");
  return out;
}

std::string annotation(const ObjectPtr& o, std::string_view key) {
  auto* annotations = o->at("metadata").as_object().if_contains("annotations");
  auto* v = annotations ? annotations->as_object().if_contains(key) : nullptr;
  return v ? std::string(v->as_string()) : std::string();
}

TEST(Bootstrap, FreshClusterGetsTheDefaultRolesAndBindings) {
  RbacKernel k;
  RbacPlugin& plugin = k.start_plugin();
  EXPECT_TRUE(plugin.synced());
  EXPECT_EQ(plugin.bootstrap_report().created.size(),
            bootstrap_cluster_roles().size() + bootstrap_cluster_role_bindings().size() +
                bootstrap_roles().size() + bootstrap_role_bindings().size());
  Client& admin = k.admin();
  for (const auto& wanted : bootstrap_cluster_roles()) {
    std::string name(wanted.at("metadata").at("name").as_string());
    ObjectPtr role = admin.get(kClusterRoles, "", name);
    EXPECT_EQ(annotation(role, kAutoUpdateAnnotation), "true") << name;
    EXPECT_EQ(role->at("metadata").at("labels").at(kBootstrappingLabel), "rbac-defaults") << name;
  }
  for (const auto& wanted : bootstrap_roles()) {
    std::string ns(wanted.at("metadata").at("namespace").as_string());
    std::string name(wanted.at("metadata").at("name").as_string());
    ObjectPtr role = admin.get(kRoles, ns, name);
    EXPECT_EQ(annotation(role, kAutoUpdateAnnotation), "true") << ns << "/" << name;
    EXPECT_EQ(role->at("rules"), wanted.at("rules")) << ns << "/" << name;
  }
  ObjectPtr cluster_admin = admin.get(kClusterRoles, "", "cluster-admin");
  EXPECT_EQ(parse_rules(*cluster_admin), (std::vector<PolicyRule>{parse_rule(rule({"*"}, {"*"}, {"*"})),
                                                                  parse_rule(url_rule({"*"}, {"*"}))}));
  ObjectPtr masters = admin.get(kClusterRoleBindings, "", "cluster-admin");
  EXPECT_EQ(masters->at("subjects").as_array(), json::array{group("system:masters")});
  EXPECT_EQ(masters->at("roleRef").at("name"), "cluster-admin");
  ObjectPtr info = admin.get(kClusterRoleBindings, "", "system:public-info-viewer");
  EXPECT_EQ(info->at("subjects").as_array(),
            (json::array{group("system:authenticated"), group("system:unauthenticated")}));
  EXPECT_EQ(admin.get(kClusterRoleBindings, "", "system:kube-scheduler")->at("subjects").as_array(),
            json::array{user("system:kube-scheduler")});
  EXPECT_EQ(admin.get(kClusterRoleBindings, "", "system:monitoring")->at("subjects").as_array(),
            json::array{group("system:monitoring")});
}

TEST(Bootstrap, SecondStartChangesNothing) {
  RbacKernel k;
  k.start_plugin();
  ASSERT_TRUE(k.aggregation_settled());
  auto before = versions(k.admin());
  k.stop_plugin();

  RbacPlugin& again = k.start_plugin();
  EXPECT_EQ(again.bootstrap_report().writes(), 0u);
  ASSERT_TRUE(k.aggregation_settled());
  EXPECT_EQ(again.aggregation().writes(), 0u);
  EXPECT_EQ(versions(k.admin()), before);
}

TEST(Bootstrap, KeepsEditsToRolesMarkedAutoupdateFalse) {
  RbacKernel k;
  k.start_plugin();
  Client& admin = k.admin();
  admin.patch(kClusterRoles, "", "system:discovery", PatchType::JsonMerge,
              R"({"metadata":{"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"false"}},
                  "rules":[{"verbs":["get"],"nonResourceURLs":["/version"]}]})");
  admin.patch(kClusterRoleBindings, "", "system:basic-user", PatchType::JsonMerge,
              R"({"metadata":{"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"false"}},
                  "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"only-me"}]})");
  k.stop_plugin();

  RbacPlugin& again = k.start_plugin();
  EXPECT_EQ(again.bootstrap_report().writes(), 0u);
  EXPECT_EQ(
      again.bootstrap_report().protected_,
      (std::vector<std::string>{"clusterrole/system:discovery", "clusterrolebinding/system:basic-user"}));
  EXPECT_EQ(parse_rules(*admin.get(kClusterRoles, "", "system:discovery")),
            std::vector<PolicyRule>{parse_rule(url_rule({"get"}, {"/version"}))});
  EXPECT_EQ(admin.get(kClusterRoleBindings, "", "system:basic-user")->at("subjects").as_array(),
            json::array{user("only-me")});
}

TEST(Bootstrap, RestoresWhatWasTakenFromAutoupdatingObjectsAndKeepsAdditions) {
  RbacKernel k;
  k.start_plugin();
  Client& admin = k.admin();
  const auto mine = url_rule({"get"}, {"/mine"});
  admin.patch(kClusterRoles, "", "system:public-info-viewer", PatchType::JsonMerge,
              json::serialize(json::object{{"rules", json::array{url_rule({"get"}, {"/healthz"}), mine}}}));
  admin.patch(kClusterRoleBindings, "", "system:public-info-viewer", PatchType::JsonMerge,
              json::serialize(json::object{{"subjects", json::array{user("extra")}}}));
  admin.remove(kClusterRoleBindings, "", "system:discovery");
  k.stop_plugin();

  RbacPlugin& again = k.start_plugin();
  EXPECT_EQ(again.bootstrap_report().created,
            std::vector<std::string>{"clusterrolebinding/system:discovery"});
  EXPECT_EQ(again.bootstrap_report().updated,
            (std::vector<std::string>{"clusterrole/system:public-info-viewer",
                                      "clusterrolebinding/system:public-info-viewer"}));
  auto rules = parse_rules(*admin.get(kClusterRoles, "", "system:public-info-viewer"));
  EXPECT_NE(std::find(rules.begin(), rules.end(), parse_rule(mine)), rules.end());
  for (const char* path : {"/healthz", "/livez", "/readyz", "/version", "/version/"})
    EXPECT_TRUE(std::any_of(rules.begin(), rules.end(), [&](const PolicyRule& r) {
      return allows_non_resource(r, "get", path);
    })) << path;
  EXPECT_EQ(admin.get(kClusterRoleBindings, "", "system:public-info-viewer")->at("subjects").as_array(),
            (json::array{user("extra"), group("system:authenticated"), group("system:unauthenticated")}));
}

}  // namespace
}  // namespace ukube::rbac::testing
