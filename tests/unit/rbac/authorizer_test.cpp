// The authorizer's decisions over a fixed policy: who is bound where, to what.
#include "rbac/policy_index.h"
#include "rbac/rbac_authorizer.h"
#include "rbac_test_support.h"

namespace ukube::rbac::testing {
namespace {

// A policy exercising every subject kind, both binding kinds and both role kinds.
std::shared_ptr<PolicyIndex> sample_policy() {
  auto index = std::make_shared<PolicyIndex>();
  auto put = [&](RbacKind kind, const json::object& o) { index->put(kind, o); };
  put(RbacKind::ClusterRole, cluster_role("pod-reader", {rule({"get", "list", "watch"}, {""}, {"pods"})}));
  put(RbacKind::ClusterRole, cluster_role("secret-reader", {rule({"get"}, {""}, {"secrets"}, {"db-pass"})}));
  put(RbacKind::ClusterRole, cluster_role("scaler", {rule({"patch", "update"}, {"apps"}, {"*/scale"}),
                                                     rule({"update"}, {"apps"}, {"deployments/status"})}));
  put(RbacKind::ClusterRole, cluster_role("metrics", {url_rule({"get"}, {"/metrics", "/healthz/*"})}));
  put(RbacKind::ClusterRole, cluster_role("reader-of-all", {rule({"get"}, {"*"}, {"*"})}));
  put(RbacKind::Role, role("team-a", "cm-editor", {rule({"*"}, {""}, {"configmaps"})}));
  put(RbacKind::Role, role("team-a", "job-maker", {rule({"create"}, {"batch"}, {"jobs"})}));
  put(RbacKind::Role, role("team-b", "cm-editor", {rule({"get"}, {""}, {"services"})}));

  put(RbacKind::ClusterRoleBinding, cluster_role_binding("alice-pods", "pod-reader", {user("alice")}));
  put(RbacKind::ClusterRoleBinding, cluster_role_binding("devs-scale", "scaler", {group("devs")}));
  put(RbacKind::ClusterRoleBinding, cluster_role_binding("monitoring", "metrics", {group("monitors")}));
  put(RbacKind::ClusterRoleBinding,
      cluster_role_binding("dns", "pod-reader", {service_account("dns", "kube-system")}));
  put(RbacKind::ClusterRoleBinding,
      cluster_role_binding("nameless-sa", "reader-of-all", {service_account("x")}));
  put(RbacKind::ClusterRoleBinding, cluster_role_binding("auditor", "reader-of-all", {user("auditor")}));
  put(RbacKind::RoleBinding, role_binding("team-a", "bob-cm", "Role", "cm-editor", {user("bob")}));
  put(RbacKind::RoleBinding,
      role_binding("team-a", "carol-secret", "ClusterRole", "secret-reader", {user("carol"), group("qa")}));
  put(RbacKind::RoleBinding,
      role_binding("team-a", "builder", "Role", "job-maker", {service_account("builder")}));
  put(RbacKind::RoleBinding, role_binding("team-b", "team-b-sas", "ClusterRole", "pod-reader",
                                          {group("system:serviceaccounts:team-b")}));
  put(RbacKind::RoleBinding, role_binding("team-a", "dangling", "Role", "missing", {user("dan")}));
  put(RbacKind::RoleBinding,
      role_binding("team-a", "dangling-cluster", "ClusterRole", "gone", {user("dan")}));
  return index;
}

UserInfo sa(const std::string& ns, const std::string& name) {
  return UserInfo{service_account_user(ns, name),
                  "",
                  {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
                  {}};
}

struct Case {
  const char* what;
  RequestAttributes request;
  bool allowed;
};

TEST(Authorizer, DecidesLikeUpstream) {
  RbacAuthorizer authorizer(sample_policy());
  const UserInfo alice = person("alice"), bob = person("bob"), carol = person("carol"), eve = person("eve");
  const UserInfo dev = person("dave", {"devs", "system:authenticated"});
  const UserInfo qa = person("quinn", {"qa"});
  const UserInfo monitor = person("prom", {"monitors"});
  const UserInfo root = person("root", {"system:masters"});
  const std::vector<Case> cases = {
      {"cluster binding grants in every namespace", resource_request(alice, "list", "", "pods", "team-b"),
       true},
      {"cluster binding grants at the cluster scope", resource_request(alice, "list", "", "pods", ""), true},
      {"cluster binding grants only its role's verbs",
       resource_request(alice, "delete", "", "pods", "team-a", "p"), false},
      {"cluster binding grants only its role's resources",
       resource_request(alice, "get", "", "secrets", "team-a", "s"), false},
      {"role binding grants in its namespace", resource_request(bob, "create", "", "configmaps", "team-a"),
       true},
      {"role binding grants nothing elsewhere", resource_request(bob, "create", "", "configmaps", "team-b"),
       false},
      {"role binding grants nothing cluster-wide", resource_request(bob, "list", "", "configmaps", ""),
       false},
      {"role binding to a cluster role is scoped to its namespace",
       resource_request(carol, "get", "", "secrets", "team-a", "db-pass"), true},
      {"... and not beyond it", resource_request(carol, "get", "", "secrets", "team-b", "db-pass"), false},
      {"resourceNames: other name", resource_request(carol, "get", "", "secrets", "team-a", "other"), false},
      {"resourceNames: list has no name", resource_request(carol, "list", "", "secrets", "team-a"), false},
      {"group subject of a role binding", resource_request(qa, "get", "", "secrets", "team-a", "db-pass"),
       true},
      {"group subject of a cluster binding: */scale",
       resource_request(dev, "patch", "apps", "deployments", "team-b", "web", "scale"), true},
      {"*/scale is not the resource", resource_request(dev, "patch", "apps", "deployments", "team-b", "web"),
       false},
      {"resource/subresource", resource_request(dev, "update", "apps", "deployments", "x", "web", "status"),
       true},
      {"resource/subresource, other verb",
       resource_request(dev, "patch", "apps", "deployments", "x", "web", "status"), false},
      {"wildcard group and resource",
       resource_request(person("auditor"), "get", "apps", "deployments", "x", "d"), true},
      {"wildcards include subresources",
       resource_request(person("auditor"), "get", "", "pods", "x", "p", "log"), true},
      {"wildcards keep their verbs", resource_request(person("auditor"), "list", "apps", "deployments", "x"),
       false},
      {"service account of a cluster binding",
       resource_request(sa("kube-system", "dns"), "watch", "", "pods", "x"), true},
      {"same account name, other namespace", resource_request(sa("team-a", "dns"), "watch", "", "pods", "x"),
       false},
      {"cluster binding's account without namespace names no one",
       resource_request(sa("default", "x"), "get", "", "pods", "default", "p"), false},
      {"role binding's account defaults to the binding's namespace",
       resource_request(sa("team-a", "builder"), "create", "batch", "jobs", "team-a"), true},
      {"... not another namespace's account",
       resource_request(sa("team-b", "builder"), "create", "batch", "jobs", "team-a"), false},
      {"service account group", resource_request(sa("team-b", "any"), "list", "", "pods", "team-b"), true},
      {"service account group of another namespace",
       resource_request(sa("team-a", "any"), "list", "", "pods", "team-b"), false},
      {"user name is not a group",
       resource_request(person("devs"), "patch", "apps", "deployments", "x", "d", "scale"), false},
      {"group name is not a user", resource_request(person("x", {"alice"}), "list", "", "pods", "x"), false},
      {"non-resource exact", url_request(monitor, "get", "/metrics"), true},
      {"non-resource prefix", url_request(monitor, "get", "/healthz/etcd"), true},
      {"non-resource prefix needs its stem", url_request(monitor, "get", "/healthz"), false},
      {"non-resource other verb", url_request(monitor, "post", "/metrics"), false},
      {"non-resource unbound user", url_request(eve, "get", "/metrics"), false},
      {"unbound user", resource_request(eve, "get", "", "pods", "team-a", "p"), false},
      {"system:masters without any binding", resource_request(root, "delete", "", "nodes", "", "n1"), true},
      {"system:masters for URLs", url_request(root, "get", "/debug/anything"), true},
  };
  for (const auto& c : cases) {
    AuthzResult r = authorizer.authorize(c.request);
    EXPECT_EQ(r.decision, c.allowed ? AuthzResult::Decision::Allow : AuthzResult::Decision::NoOpinion)
        << c.what;
  }
}

TEST(Authorizer, ReasonsNameTheGrantAndTheMissingRoles) {
  RbacAuthorizer authorizer(sample_policy());
  EXPECT_EQ(
      authorizer.authorize(resource_request(person("alice"), "get", "", "pods", "x", "p")).reason,
      "RBAC: allowed by ClusterRoleBinding \"alice-pods\" of ClusterRole \"pod-reader\" to User \"alice\"");
  EXPECT_EQ(
      authorizer.authorize(resource_request(person("bob"), "get", "", "configmaps", "team-a", "c")).reason,
      "RBAC: allowed by RoleBinding \"bob-cm/team-a\" of Role \"cm-editor\" to User \"bob\"");
  EXPECT_EQ(
      authorizer.authorize(resource_request(sa("team-a", "builder"), "create", "batch", "jobs", "team-a"))
          .reason,
      "RBAC: allowed by RoleBinding \"builder/team-a\" of Role \"job-maker\" to ServiceAccount "
      "\"builder/team-a\"");

  // A plain denial says nothing more; bindings to missing roles are reported.
  AuthzResult none = authorizer.authorize(resource_request(person("eve"), "get", "", "pods", "x", "p"));
  EXPECT_EQ(none.decision, AuthzResult::Decision::NoOpinion);
  EXPECT_EQ(none.reason, "");
  AuthzResult dangling =
      authorizer.authorize(resource_request(person("dan"), "get", "", "pods", "team-a", "p"));
  EXPECT_EQ(dangling.decision, AuthzResult::Decision::NoOpinion);
  EXPECT_EQ(dangling.reason,
            "RBAC: [clusterrole.rbac.authorization.k8s.io \"gone\" not found, role.rbac.authorization.k8s.io "
            "\"missing\" not found]");
  // Role bindings of other namespaces are not even looked at.
  EXPECT_EQ(authorizer.authorize(resource_request(person("dan"), "get", "", "pods", "team-b", "p")).reason,
            "");
}

TEST(Authorizer, FollowsChangesToRolesAndBindings) {
  auto index = sample_policy();
  RbacAuthorizer authorizer(index);
  auto allowed = [&](const RequestAttributes& r) {
    return authorizer.authorize(r).decision == AuthzResult::Decision::Allow;
  };
  const auto bob_creates = resource_request(person("bob"), "create", "", "configmaps", "team-a");
  const auto bob_lists_secrets = resource_request(person("bob"), "list", "", "secrets", "team-a");
  ASSERT_TRUE(allowed(bob_creates));
  ASSERT_FALSE(allowed(bob_lists_secrets));

  // The role changes: the binding now grants what the new rules say.
  index->put(RbacKind::Role, role("team-a", "cm-editor", {rule({"list"}, {""}, {"secrets"})}));
  EXPECT_FALSE(allowed(bob_creates));
  EXPECT_TRUE(allowed(bob_lists_secrets));

  // The binding changes subjects: bob loses it, erin gains it.
  index->put(RbacKind::RoleBinding, role_binding("team-a", "bob-cm", "Role", "cm-editor", {user("erin")}));
  EXPECT_FALSE(allowed(bob_lists_secrets));
  EXPECT_TRUE(allowed(resource_request(person("erin"), "list", "", "secrets", "team-a")));

  index->remove(RbacKind::RoleBinding, role_binding("team-a", "bob-cm", "Role", "", {}));
  EXPECT_FALSE(allowed(resource_request(person("erin"), "list", "", "secrets", "team-a")));

  index->remove(RbacKind::ClusterRole, cluster_role("pod-reader", {}));
  AuthzResult r = authorizer.authorize(resource_request(person("alice"), "list", "", "pods", "x"));
  EXPECT_EQ(r.decision, AuthzResult::Decision::NoOpinion);
  EXPECT_EQ(r.reason, "RBAC: clusterrole.rbac.authorization.k8s.io \"pod-reader\" not found");

  index->remove(RbacKind::ClusterRoleBinding, cluster_role_binding("alice-pods", "", {}));
  EXPECT_EQ(authorizer.authorize(resource_request(person("alice"), "list", "", "pods", "x")).reason, "");
}

TEST(Authorizer, EmptyPolicyAllowsOnlySystemMasters) {
  RbacAuthorizer authorizer(std::make_shared<PolicyIndex>());
  EXPECT_EQ(authorizer.authorize(resource_request(person("alice"), "get", "", "pods", "x", "p")).decision,
            AuthzResult::Decision::NoOpinion);
  EXPECT_EQ(
      authorizer.authorize(resource_request(person("a", {"system:masters"}), "get", "", "pods", "x", "p"))
          .decision,
      AuthzResult::Decision::Allow);
}

}  // namespace
}  // namespace ukube::rbac::testing
