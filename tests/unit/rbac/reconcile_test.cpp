// Bringing a bootstrap object into a cluster that may already hold (changed) copies.
#include <set>

#include "rbac/bootstrap_policy.h"
#include "rbac/coverage.h"
#include "rbac/reconcile.h"
#include "rbac_test_support.h"

namespace ukube::rbac::testing {
namespace {

std::vector<PolicyRule> rules(const json::array& list) {
  return parse_rules(json::object{{"rules", list}});
}

TEST(Coverage, BreaksRulesIntoPieces) {
  auto pieces = breakdown(parse_rule(rule({"get", "list"}, {"", "apps"}, {"pods"}, {"a", "b"})));
  EXPECT_EQ(pieces.size(), 8u);
  EXPECT_EQ(breakdown(parse_rule(url_rule({"get", "post"}, {"/a", "/b", "/c"}))).size(), 6u);
}

TEST(Coverage, FindsWhatIsNotCovered) {
  auto held = rules({rule({"*"}, {""}, {"pods"}), rule({"get"}, {"apps"}, {"*/scale"}),
                     rule({"get"}, {""}, {"secrets"}, {"a"}), url_rule({"get"}, {"/healthz/*"})});
  EXPECT_TRUE(uncovered(held, rules({rule({"get", "delete"}, {""}, {"pods"})})).empty());
  EXPECT_TRUE(uncovered(held, rules({rule({"get"}, {"apps"}, {"deployments/scale"})})).empty());
  EXPECT_TRUE(uncovered(held, rules({rule({"get"}, {""}, {"secrets"}, {"a"})})).empty());
  EXPECT_TRUE(uncovered(held, rules({url_rule({"get"}, {"/healthz/etcd"})})).empty());

  auto missing = uncovered(held, rules({rule({"get", "list"}, {""}, {"pods", "secrets"})}));
  // pods are covered; secrets only for one name, so neither verb on all secrets is.
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0], parse_rule(rule({"get"}, {""}, {"secrets"})));
  EXPECT_EQ(missing[1], parse_rule(rule({"list"}, {""}, {"secrets"})));
  EXPECT_EQ(uncovered(held, rules({url_rule({"get"}, {"/healthz"})})).size(), 1u);
  EXPECT_EQ(uncovered(held, rules({rule({"get"}, {"apps"}, {"deployments"})})).size(), 1u);
}

json::object bootstrap_role(const std::string& name) {
  for (const auto& r : bootstrap_cluster_roles())
    if (r.at("metadata").at("name").as_string() == name) return r;
  ADD_FAILURE() << "no bootstrap role " << name;
  return {};
}

json::object bootstrap_binding(const std::string& name) {
  for (const auto& b : bootstrap_cluster_role_bindings())
    if (b.at("metadata").at("name").as_string() == name) return b;
  ADD_FAILURE() << "no bootstrap binding " << name;
  return {};
}

TEST(Reconcile, CreatesWhatIsMissingAndLeavesEqualObjects) {
  json::object wanted = bootstrap_role("system:discovery");
  EXPECT_EQ(reconcile_cluster_role(wanted, nullptr).action, Reconciled::Action::Create);
  EXPECT_EQ(reconcile_cluster_role(wanted, &wanted).action, Reconciled::Action::None);
  json::object binding = bootstrap_binding("system:discovery");
  EXPECT_EQ(reconcile_cluster_role_binding(binding, nullptr).action, Reconciled::Action::Create);
  EXPECT_EQ(reconcile_cluster_role_binding(binding, &binding).action, Reconciled::Action::None);
}

TEST(Reconcile, AddsMissingRulesLabelsAndAnnotationsKeepingTheUsers) {
  json::object wanted = bootstrap_role("system:public-info-viewer");
  json::object existing = cluster_role(
      "system:public-info-viewer", {url_rule({"get"}, {"/healthz", "/livez"}), url_rule({"get"}, {"/mine"})},
      json::object{{"kubernetes.io/bootstrapping", "custom"}});
  Reconciled r = reconcile_cluster_role(wanted, &existing);
  ASSERT_EQ(r.action, Reconciled::Action::Update);
  auto result = parse_rules(r.object);
  EXPECT_TRUE(uncovered(result, parse_rules(wanted)).empty());
  EXPECT_NE(std::find(result.begin(), result.end(), parse_rule(url_rule({"get"}, {"/mine"}))), result.end());
  EXPECT_EQ(r.object.at("metadata").at("labels").at("kubernetes.io/bootstrapping"), "custom");
  EXPECT_EQ(r.object.at("metadata").at("annotations").at(kAutoUpdateAnnotation), "true");
}

TEST(Reconcile, LeavesRolesMarkedAutoupdateFalse) {
  json::object wanted = bootstrap_role("system:discovery");
  json::object existing = cluster_role("system:discovery", {url_rule({"get"}, {"/api"})});
  existing["metadata"].as_object()["annotations"] = json::object{{kAutoUpdateAnnotation, "false"}};
  EXPECT_EQ(reconcile_cluster_role(wanted, &existing).action, Reconciled::Action::Protected);
}

TEST(Reconcile, AggregatedRolesKeepTheirRulesAndGainMissingSelectors) {
  json::object wanted = bootstrap_role("admin");
  json::object existing = wanted;
  existing["rules"] = json::array{rule({"get"}, {""}, {"pods"})};
  EXPECT_EQ(reconcile_cluster_role(wanted, &existing).action, Reconciled::Action::None);

  existing["aggregationRule"] = json::parse(R"({"clusterRoleSelectors":[{"matchLabels":{"mine":"true"}}]})");
  Reconciled r = reconcile_cluster_role(wanted, &existing);
  ASSERT_EQ(r.action, Reconciled::Action::Update);
  EXPECT_EQ(r.object.at("aggregationRule").at("clusterRoleSelectors").as_array().size(), 2u);
  EXPECT_EQ(r.object.at("rules").as_array().size(), 1u);
}

TEST(Reconcile, BindingsGainMissingSubjectsAndAreRecreatedForAnotherRole) {
  json::object wanted = bootstrap_binding("system:public-info-viewer");
  json::object existing = cluster_role_binding("system:public-info-viewer", "system:public-info-viewer",
                                               {group("system:authenticated"), user("extra")});
  Reconciled r = reconcile_cluster_role_binding(wanted, &existing);
  ASSERT_EQ(r.action, Reconciled::Action::Update);
  const auto& subjects = r.object.at("subjects").as_array();
  ASSERT_EQ(subjects.size(), 3u);
  EXPECT_EQ(subjects[1], user("extra"));
  EXPECT_EQ(subjects[2], group("system:unauthenticated"));

  json::object other_role = cluster_role_binding("system:public-info-viewer", "view", {});
  EXPECT_EQ(reconcile_cluster_role_binding(wanted, &other_role).action, Reconciled::Action::Recreate);
  other_role["metadata"].as_object()["annotations"] = json::object{{kAutoUpdateAnnotation, "false"}};
  EXPECT_EQ(reconcile_cluster_role_binding(wanted, &other_role).action, Reconciled::Action::Protected);
}

TEST(BootstrapPolicy, HoldsUpstreamsDefaults) {
  std::set<std::string> roles, bindings;
  for (const auto& r : bootstrap_cluster_roles()) {
    roles.insert(std::string(r.at("metadata").at("name").as_string()));
    EXPECT_EQ(r.at("metadata").at("labels").at(kBootstrappingLabel), "rbac-defaults");
    EXPECT_EQ(r.at("metadata").at("annotations").at(kAutoUpdateAnnotation), "true");
  }
  for (const char* name :
       {"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery",
        "system:public-info-viewer", "system:node", "system:node-proxier", "system:kube-scheduler",
        "system:volume-scheduler", "system:kube-controller-manager", "system:kube-dns", "system:monitoring",
        "system:aggregate-to-admin", "system:aggregate-to-edit", "system:aggregate-to-view"})
    EXPECT_TRUE(roles.count(name)) << name;
  for (const auto& b : bootstrap_cluster_role_bindings()) {
    std::string name(b.at("metadata").at("name").as_string());
    bindings.insert(name);
    EXPECT_TRUE(roles.count(std::string(b.at("roleRef").at("name").as_string()))) << name;
  }
  EXPECT_EQ(bootstrap_binding("cluster-admin").at("subjects").as_array(),
            json::array{group("system:masters")});
  EXPECT_EQ(bootstrap_binding("system:public-info-viewer").at("subjects").as_array(),
            (json::array{group("system:authenticated"), group("system:unauthenticated")}));
  EXPECT_EQ(bootstrap_binding("system:kube-dns").at("subjects").as_array(),
            json::array{service_account("kube-dns", "kube-system")});
  EXPECT_EQ(bootstrap_binding("system:node-proxier").at("subjects").as_array(),
            json::array{user("system:kube-proxy")});
  EXPECT_FALSE(bootstrap_binding("system:node").contains("subjects"));
  EXPECT_EQ(
      bootstrap_role("edit").at("metadata").at("labels").at("rbac.authorization.k8s.io/aggregate-to-admin"),
      "true");
  EXPECT_EQ(
      bootstrap_role("view").at("metadata").at("labels").at("rbac.authorization.k8s.io/aggregate-to-edit"),
      "true");
}

}  // namespace
}  // namespace ukube::rbac::testing
