// The Node authorizer and NodeRestriction: what a kubelet may read and change.
#include "admission/node-restriction/node_restriction.h"
#include "authz-node/node_authorizer.h"
#include "rbac_test_support.h"
#include "ukube/errors.h"
#include "ukube/machinery/policy_rule.h"

namespace ukube::rbac::testing {
namespace {

json::object pod(const std::string& ns, const std::string& name, const std::string& node,
                 json::object spec_extra = {}) {
  json::object spec = std::move(spec_extra);
  if (!node.empty()) spec["nodeName"] = node;
  return {{"metadata", {{"namespace", ns}, {"name", name}, {"uid", name + "-uid"}}},
          {"spec", std::move(spec)}};
}

json::object spec_using_everything() {
  return json::parse(R"({
    "serviceAccountName": "runner",
    "imagePullSecrets": [{"name": "pull"}],
    "containers": [{"name": "c",
      "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "env-secret", "key": "k"}}},
              {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "env-cm", "key": "k"}}}],
      "envFrom": [{"secretRef": {"name": "from-secret"}}, {"configMapRef": {"name": "from-cm"}}]}],
    "initContainers": [{"name": "i", "envFrom": [{"secretRef": {"name": "init-secret"}}]}],
    "volumes": [{"name": "s", "secret": {"secretName": "vol-secret"}},
                {"name": "m", "configMap": {"name": "vol-cm"}},
                {"name": "p", "projected": {"sources": [{"secret": {"name": "proj-secret"}}, {"configMap": {"name": "proj-cm"}}]}},
                {"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {}}}]})")
      .as_object();
}

UserInfo kubelet(const std::string& node) {
  return UserInfo{"system:node:" + node, "", {"system:nodes", "system:authenticated"}, {}};
}

class NodeAuthorizerTest : public ::testing::Test {
 protected:
  NodeAuthorizerTest() {
    graph_->put_pod(pod("apps", "web", "node-a", spec_using_everything()));
    graph_->put_pod(
        pod("apps", "other", "node-b",
            json::parse(R"({"volumes": [{"name": "s", "secret": {"secretName": "b-only"}}]})").as_object()));
    graph_->put_pod(pod(
        "apps", "pending", "",
        json::parse(R"({"volumes": [{"name": "s", "secret": {"secretName": "unscheduled"}}]})").as_object()));
    graph_->put_claim(
        {{"metadata", {{"namespace", "apps"}, {"name", "data"}}}, {"spec", {{"volumeName", "pv-1"}}}});
    rules_->set(parse_rules(
        cluster_role("system:node", {rule({"get", "list", "watch"}, {""}, {"nodes", "pods", "services"}),
                                     rule({"create", "patch"}, {""}, {"events"})})));
  }

  bool allowed(const RequestAttributes& a) {
    return authorizer_.authorize(a).decision == AuthzResult::Decision::Allow;
  }

  std::shared_ptr<NodeGraph> graph_ = std::make_shared<NodeGraph>();
  std::shared_ptr<NodeRules> rules_ = std::make_shared<NodeRules>();
  NodeAuthorizer authorizer_{graph_, rules_};
};

TEST_F(NodeAuthorizerTest, AKubeletReadsExactlyWhatItsPodsReference) {
  const UserInfo a = kubelet("node-a");
  for (const char* secret : {"pull", "env-secret", "from-secret", "init-secret", "vol-secret", "proj-secret"})
    EXPECT_TRUE(allowed(resource_request(a, "get", "", "secrets", "apps", secret))) << secret;
  for (const char* cm : {"env-cm", "from-cm", "vol-cm", "proj-cm"})
    EXPECT_TRUE(allowed(resource_request(a, "get", "", "configmaps", "apps", cm))) << cm;
  EXPECT_TRUE(allowed(resource_request(a, "get", "", "persistentvolumeclaims", "apps", "data")));
  EXPECT_TRUE(allowed(resource_request(a, "get", "", "persistentvolumeclaims", "apps", "web-scratch")));
  EXPECT_TRUE(allowed(resource_request(a, "get", "", "persistentvolumes", "", "pv-1")));
  EXPECT_TRUE(allowed(resource_request(a, "create", "", "serviceaccounts", "apps", "runner", "token")));

  EXPECT_FALSE(allowed(resource_request(a, "get", "", "secrets", "apps", "b-only"))) << "another node's pod";
  EXPECT_FALSE(allowed(resource_request(a, "get", "", "secrets", "apps", "unscheduled"))) << "an unbound pod";
  EXPECT_FALSE(allowed(resource_request(a, "get", "", "secrets", "other-ns", "pull")))
      << "same name, other namespace";
  EXPECT_FALSE(allowed(resource_request(a, "list", "", "secrets", "apps"))) << "only individual gets";
  EXPECT_FALSE(allowed(resource_request(a, "update", "", "secrets", "apps", "pull")));
  EXPECT_FALSE(allowed(resource_request(a, "get", "", "persistentvolumes", "", "pv-2")));
  EXPECT_FALSE(allowed(resource_request(a, "create", "", "serviceaccounts", "apps", "default", "token")));
  EXPECT_TRUE(allowed(resource_request(kubelet("node-b"), "get", "", "secrets", "apps", "b-only")));
}

TEST_F(NodeAuthorizerTest, DeletingOrMovingThePodRevokesAccess) {
  const UserInfo a = kubelet("node-a");
  ASSERT_TRUE(allowed(resource_request(a, "get", "", "secrets", "apps", "vol-secret")));
  graph_->put_pod(pod("apps", "web", "node-c", spec_using_everything()));
  EXPECT_FALSE(allowed(resource_request(a, "get", "", "secrets", "apps", "vol-secret")));
  EXPECT_TRUE(allowed(resource_request(kubelet("node-c"), "get", "", "secrets", "apps", "vol-secret")));
  graph_->remove_pod(pod("apps", "web", "node-c"));
  EXPECT_FALSE(allowed(resource_request(kubelet("node-c"), "get", "", "secrets", "apps", "vol-secret")));
}

TEST_F(NodeAuthorizerTest, LeasesCsiNodesAndTheSystemNodeRules) {
  const UserInfo a = kubelet("node-a");
  EXPECT_TRUE(
      allowed(resource_request(a, "update", "coordination.k8s.io", "leases", "kube-node-lease", "node-a")));
  EXPECT_TRUE(allowed(resource_request(a, "create", "coordination.k8s.io", "leases", "kube-node-lease")));
  EXPECT_FALSE(
      allowed(resource_request(a, "update", "coordination.k8s.io", "leases", "kube-node-lease", "node-b")));
  EXPECT_FALSE(allowed(resource_request(a, "get", "coordination.k8s.io", "leases", "default", "node-a")));
  EXPECT_TRUE(allowed(resource_request(a, "get", "storage.k8s.io", "csinodes", "", "node-a")));
  EXPECT_FALSE(allowed(resource_request(a, "get", "storage.k8s.io", "csinodes", "", "node-b")));
  EXPECT_TRUE(allowed(resource_request(a, "watch", "", "pods", "")));
  EXPECT_TRUE(allowed(resource_request(a, "create", "", "events", "apps")));
  EXPECT_FALSE(allowed(resource_request(a, "delete", "", "services", "apps", "x")));
}

TEST_F(NodeAuthorizerTest, OnlyKubeletsAreJudged) {
  AuthzResult r =
      authorizer_.authorize(resource_request(person("alice"), "get", "", "secrets", "apps", "pull"));
  EXPECT_EQ(r.decision, AuthzResult::Decision::NoOpinion);
  UserInfo impostor{"system:node:node-a", "", {"system:authenticated"}, {}};  // not in system:nodes
  EXPECT_FALSE(allowed(resource_request(impostor, "get", "", "secrets", "apps", "pull")));
}

// NodeRestriction, with lookups answered from fixed pods and nodes.
class NodeRestrictionTest : public ::testing::Test {
 protected:
  NodeRestriction plugin_{[](const std::string& ns,
                             const std::string& name) -> std::optional<std::pair<std::string, std::string>> {
                            if (ns == "apps" && name == "web")
                              return std::make_pair(std::string("node-a"), std::string("web-uid"));
                            if (ns == "apps" && name == "far")
                              return std::make_pair(std::string("node-b"), std::string("far-uid"));
                            return std::nullopt;
                          },
                          [](const std::string& node) -> std::optional<std::string> {
                            if (node == "node-a") return std::string("node-a-uid");
                            return std::nullopt;
                          }};
  TypeInfo type(const std::string& group, const std::string& plural) {
    TypeInfo t;
    t.group = group;
    t.version = "v1";
    t.plural = plural;
    return t;
  }
  // The Forbidden message, or "" when admitted.
  std::string judge(AdmissionOperation op, const TypeInfo& t, const std::string& ns, const std::string& name,
                    json::object* object, const json::object* old, const std::string& sub = "") {
    AdmissionRequest r{op, &t, sub, ns, name, object, old, &user_, false};
    try {
      plugin_.validate(r);
      return "";
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), 403) << e.what();
      return e.what();
    }
  }
  UserInfo user_ = kubelet("node-a");
  TypeInfo pods_ = type("", "pods"), nodes_ = type("", "nodes"),
           leases_ = type("coordination.k8s.io", "leases"), sas_ = type("", "serviceaccounts");
};

TEST_F(NodeRestrictionTest, MirrorPodsOnly) {
  json::object plain = pod("apps", "p", "node-a");
  EXPECT_EQ(
      judge(AdmissionOperation::Create, pods_, "apps", "", &plain, nullptr),
      R"(pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "node-a" can only create mirror pods)");
  json::object mirror = json::parse(R"({"metadata": {"name": "m", "namespace": "apps",
      "annotations": {"kubernetes.io/config.mirror": "x"},
      "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "node-a", "uid": "node-a-uid", "controller": true}]},
      "spec": {"nodeName": "node-a"}})")
                            .as_object();
  EXPECT_EQ(judge(AdmissionOperation::Create, pods_, "apps", "", &mirror, nullptr), "");
  mirror["spec"].as_object()["nodeName"] = "node-b";
  EXPECT_EQ(judge(AdmissionOperation::Create, pods_, "apps", "", &mirror, nullptr),
            R"(pods "m" is forbidden: node "node-a" can only create pods with spec.nodeName set to itself)");
  mirror["spec"] =
      json::parse(R"({"nodeName": "node-a", "volumes": [{"name": "s", "secret": {"secretName": "x"}}]})");
  EXPECT_EQ(judge(AdmissionOperation::Create, pods_, "apps", "", &mirror, nullptr),
            R"(pods "m" is forbidden: node "node-a" can not create pods that reference secrets)");

  json::object far = pod("apps", "far", "node-b");
  EXPECT_EQ(
      judge(AdmissionOperation::Delete, pods_, "apps", "far", nullptr, &far),
      R"(pods "far" is forbidden: node "node-a" can only delete pods with spec.nodeName set to itself)");
  json::object mine = pod("apps", "web", "node-a");
  EXPECT_EQ(judge(AdmissionOperation::Delete, pods_, "apps", "web", nullptr, &mine), "");
}

TEST_F(NodeRestrictionTest, PodStatusOfItsOwnPodsOnly) {
  json::object old_far = pod("apps", "far", "node-b"), new_far = old_far;
  EXPECT_NE(judge(AdmissionOperation::Update, pods_, "apps", "far", &new_far, &old_far, "status")
                .find("can only update pod status for pods with spec.nodeName set to itself"),
            std::string::npos);
  json::object old_mine = pod("apps", "web", "node-a"), new_mine = old_mine;
  EXPECT_EQ(judge(AdmissionOperation::Update, pods_, "apps", "web", &new_mine, &old_mine, "status"), "");
  new_mine["metadata"].as_object()["labels"] = json::object{{"sneaky", "yes"}};
  EXPECT_NE(judge(AdmissionOperation::Update, pods_, "apps", "web", &new_mine, &old_mine, "status")
                .find("cannot update labels through pod status"),
            std::string::npos);
}

TEST_F(NodeRestrictionTest, ItsOwnNodeWithoutTaintOrRestrictedLabelChanges) {
  json::object other = json::parse(R"({"metadata": {"name": "node-b"}})").as_object();
  EXPECT_EQ(judge(AdmissionOperation::Create, nodes_, "", "", &other, nullptr),
            R"(nodes "node-b" is forbidden: node "node-a" is not allowed to modify node "node-b")");
  json::object self =
      json::parse(
          R"({"metadata": {"name": "node-a", "labels": {"kubernetes.io/hostname": "a", "team": "x"}}})")
          .as_object();
  EXPECT_EQ(judge(AdmissionOperation::Create, nodes_, "", "", &self, nullptr), "");
  json::object restricted =
      json::parse(
          R"({"metadata": {"name": "node-a", "labels": {"node-restriction.kubernetes.io/secure": "true"}}})")
          .as_object();
  EXPECT_NE(judge(AdmissionOperation::Create, nodes_, "", "", &restricted, nullptr)
                .find("is not allowed to set the following labels: node-restriction.kubernetes.io/secure"),
            std::string::npos);
  json::object tainted = self;
  tainted["spec"] = json::parse(R"({"taints": [{"key": "k", "effect": "NoSchedule"}]})");
  EXPECT_EQ(judge(AdmissionOperation::Update, nodes_, "", "node-a", &self, &tainted),
            R"(nodes "node-a" is forbidden: node "node-a" is not allowed to modify taints)");
  json::object relabelled = self;
  relabelled["metadata"].as_object()["labels"].as_object()["node-role.kubernetes.io/control-plane"] = "";
  EXPECT_NE(judge(AdmissionOperation::Update, nodes_, "", "node-a", &relabelled, &self)
                .find("is not allowed to modify labels: node-role.kubernetes.io/control-plane"),
            std::string::npos);
}

TEST_F(NodeRestrictionTest, LeasesAndTokens) {
  json::object lease = json::parse(R"({"metadata": {"name": "node-b"}})").as_object();
  EXPECT_NE(judge(AdmissionOperation::Create, leases_, "kube-node-lease", "", &lease, nullptr)
                .find("can only access node lease with the same name as the requesting node"),
            std::string::npos);
  lease["metadata"].as_object()["name"] = "node-a";
  EXPECT_EQ(judge(AdmissionOperation::Create, leases_, "kube-node-lease", "", &lease, nullptr), "");
  EXPECT_NE(
      judge(AdmissionOperation::Create, leases_, "default", "", &lease, nullptr).find("kube-node-lease"),
      std::string::npos);

  json::object sa = json::parse(R"({"metadata": {"name": "runner"}})").as_object();
  json::object unbound = json::parse(R"({"spec": {}})").as_object();
  EXPECT_NE(judge(AdmissionOperation::Create, sas_, "apps", "runner", &unbound, &sa, "token")
                .find("not bound to a pod"),
            std::string::npos);
  json::object bound =
      json::parse(
          R"({"spec": {"boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": "web", "uid": "web-uid"}}})")
          .as_object();
  EXPECT_EQ(judge(AdmissionOperation::Create, sas_, "apps", "runner", &bound, &sa, "token"), "");
  json::object far =
      json::parse(
          R"({"spec": {"boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": "far", "uid": "far-uid"}}})")
          .as_object();
  EXPECT_NE(judge(AdmissionOperation::Create, sas_, "apps", "runner", &far, &sa, "token")
                .find("scheduled on a different node"),
            std::string::npos);
}

TEST_F(NodeRestrictionTest, OthersAreNotJudged) {
  user_ = person("alice");
  json::object plain = pod("apps", "p", "node-z");
  EXPECT_EQ(judge(AdmissionOperation::Create, pods_, "apps", "", &plain, nullptr), "");
}

}  // namespace
}  // namespace ukube::rbac::testing
