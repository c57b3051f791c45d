// A kubelet's identity (system:node:<name> in system:nodes) against the real daemon with
// the Node authorizer, RBAC and NodeRestriction: it reads what its pods use and nothing
// else, and changes only its own objects.
#include <gtest/gtest.h>

#include "tests/integration/kubectl_harness.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;

class NodeAuthzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(node_.ready()) << node_.log();
    binary_ = kubectl_binary("1.33");
    ASSERT_FALSE(binary_.empty()) << "kubectl.1.33 not found beside the kubectl on PATH";
    admin_ = std::make_unique<Kubectl>(binary_, node_);
    CommandResult issued = run_command(ukube_binary().string() + " kubeconfig --data-dir " +
                                       shell_quote((node_.dir() / "data").string()) +
                                       " --user system:node:worker-1 --group system:nodes");
    ASSERT_EQ(issued.exit_code, 0) << issued.out;
    fs::path config = node_.dir() / "kubelet.kubeconfig";
    std::ofstream(config) << issued.out;
    kubelet_ = std::make_unique<Kubectl>(binary_, node_, config);
  }

  Node node_{"  - uri: ukube.authorizer.v1.node\n  - uri: ukube.admission.v1.node-restriction\n"};
  std::string binary_;
  std::unique_ptr<Kubectl> admin_, kubelet_;
};

TEST_F(NodeAuthzTest, AKubeletReadsOnlyTheSecretsOfItsOwnPods) {
  for (const char* secret : {"mine", "theirs"})
    ASSERT_EQ((*admin_)(std::string("create secret generic ") + secret + " --from-literal=k=v").exit_code, 0);
  const std::string pod = R"(apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  nodeName: NODE
  containers: [{name: c, image: busybox}]
  volumes: [{name: s, secret: {secretName: SECRET}}]
)";
  auto pod_yaml = [&](const std::string& name, const std::string& node_name, const std::string& secret) {
    std::string y = pod;
    y.replace(y.find("NAME"), 4, name);
    y.replace(y.find("NODE"), 4, node_name);
    y.replace(y.find("SECRET"), 6, secret);
    return y;
  };
  ASSERT_EQ((*admin_)("apply -f -", pod_yaml("on-1", "worker-1", "mine")).exit_code, 0);
  ASSERT_EQ((*admin_)("apply -f -", pod_yaml("on-2", "worker-2", "theirs")).exit_code, 0);

  CommandResult r;
  EXPECT_TRUE(eventually([&] { return (r = (*kubelet_)("get secret mine")).exit_code == 0; })) << r.out;
  r = (*kubelet_)("get secret theirs");
  EXPECT_NE(
      r.out.find(
          R"(secrets "theirs" is forbidden: User "system:node:worker-1" cannot get resource "secrets")"),
      std::string::npos)
      << r.out;
  EXPECT_NE((*kubelet_)("get secrets").out.find("Forbidden"), std::string::npos) << "no listing";
  EXPECT_EQ((*kubelet_)("get pods").exit_code, 0) << "system:node's rules allow reading pods";

  // Once the pod is gone, so is the access it gave. No kubelet runs it, so the delete is
  // forced: a graceful one would wait for that kubelet, as upstream.
  ASSERT_EQ((*admin_)("delete pod on-1 --grace-period=0 --force --wait=false").exit_code, 0);
  EXPECT_TRUE(
      eventually([&] { return (*kubelet_)("get secret mine").out.find("Forbidden") != std::string::npos; }));
}

TEST_F(NodeAuthzTest, NodeRestrictionKeepsAKubeletToItself) {
  CommandResult r = (*kubelet_)("run sneaky --image=busybox --restart=Never");
  EXPECT_NE(
      r.out.find(
          R"(pod does not have "kubernetes.io/config.mirror" annotation, node "worker-1" can only create mirror pods)"),
      std::string::npos)
      << r.out;
  const std::string other = "apiVersion: v1\nkind: Node\nmetadata: {name: worker-2}\n";
  r = (*kubelet_)("create -f -", other);
  EXPECT_NE(r.out.find(R"(node "worker-1" is not allowed to modify node "worker-2")"), std::string::npos)
      << r.out;
  r = (*kubelet_)("create -f -",
                  "apiVersion: v1\nkind: Node\nmetadata: {name: worker-1, labels: {team: a}}\n");
  EXPECT_EQ(r.exit_code, 0) << "a kubelet registers its own Node: " << r.out;
  r = (*kubelet_)("label node worker-1 node-restriction.kubernetes.io/trusted=yes");
  EXPECT_NE(r.out.find("is not allowed to modify labels: node-restriction.kubernetes.io/trusted"),
            std::string::npos)
      << r.out;
  r = (*kubelet_)("taint node worker-1 dedicated=x:NoSchedule");
  EXPECT_NE(r.out.find(R"(node "worker-1" is not allowed to modify taints)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ukube::testing
