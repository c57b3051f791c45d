// The node IPAM controller in the real daemon with real kubectl: the kubelet's node (on
// the fake runtime) and nodes created with kubectl get pod CIDRs from the cluster CIDR,
// the API keeps them fixed, and a deleted node's block goes to a node waiting for one.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const std::string kKubelet = kNodeSidePlugins +
                             "  - uri: ukube.runtime.v1.fake\n"
                             "  - uri: ukube.kubelet.v1.kubelet\n"
                             "    config: {node_name: live, port: 0, lease_renew_seconds: 1}\n"
                             "  - uri: ukube.controller.v1.nodeipam\n";

const std::string kNode = "apiVersion: v1\nkind: Node\nmetadata: {name: %}\n";

std::string node_named(const std::string& name) {
  std::string yaml = kNode;
  return yaml.replace(yaml.find('%'), 1, name);
}

class NodeIpamKubectl : public KubectlFixture<> {
 protected:
  void start(const std::string& ipam_config = "") { start_node(newest_kubectl(), kKubelet + ipam_config); }
};

TEST_F(NodeIpamKubectl, NodesGetTheNextBlockAndKeepIt) {
  start();
  EXPECT_TRUE(reads("node live", ".spec.podCIDR", "10.42.0.0/24")) << ok("get node live -o yaml");
  EXPECT_EQ(get("node live", ".spec.podCIDRs[*]"), "10.42.0.0/24");
  ok("create -f -", node_named("second"));
  EXPECT_TRUE(reads("node second", ".spec.podCIDR", "10.42.1.0/24")) << ok("get node second -o yaml");
  EXPECT_EQ(get("node second", ".spec.podCIDRs[*]"), "10.42.1.0/24");

  // Fixed once set, for the oldest kubectl as for the newest, with upstream's message.
  const std::string forbidden =
      "The Node \"second\" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except "
      "from \"\" to valid";
  const std::string change =
      "patch node second --type=merge -p " + shell_quote(R"({"spec":{"podCIDRs":["10.42.9.0/24"]}})");
  EXPECT_NE(refused(change).out.find(forbidden), std::string::npos);
  if (const std::string oldest = kubectl_binary("1.30"); !oldest.empty()) {
    const CommandResult r = Kubectl(oldest, *node_)(change);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.out.find(forbidden), std::string::npos) << r.out;
  }
  EXPECT_EQ(get("node second", ".spec.podCIDR"), "10.42.1.0/24");

  // A node made with a pod CIDR keeps it; one that is not a CIDR is refused.
  ok("create -f -", node_named("preset") + "spec: {podCIDR: 10.42.7.0/24}\n");
  EXPECT_EQ(get("node preset", ".spec.podCIDRs[*]"), "10.42.7.0/24");
  const CommandResult bad = refused("create -f -", node_named("bad") + "spec: {podCIDRs: [10.42.8.0]}\n");
  EXPECT_NE(bad.out.find("spec.podCIDRs[0]: Invalid value: \"10.42.8.0\": must be a valid CIDR value, (e.g. "
                         "10.9.8.0/24 or 2001:db8::/64)"),
            std::string::npos)
      << bad.out;
  ok("create -f -", node_named("third"));
  EXPECT_TRUE(reads("node third", ".spec.podCIDR", "10.42.2.0/24")) << ok("get node third -o yaml");
}

TEST_F(NodeIpamKubectl, ADeletedNodesBlockGoesToANodeWaitingForOne) {
  start("    config: {cluster_cidr: 10.42.0.0/23, node_cidr_mask_size: 24}\n");  // two blocks
  EXPECT_TRUE(reads("node live", ".spec.podCIDR", "10.42.0.0/24")) << ok("get node live -o yaml");
  ok("create -f -", node_named("second"));
  EXPECT_TRUE(reads("node second", ".spec.podCIDR", "10.42.1.0/24"));

  ok("create -f -", node_named("third"));
  EXPECT_TRUE(
      reads("events --field-selector involvedObject.name=third", ".items[0].reason", "CIDRNotAvailable"))
      << ok("get events -A");
  EXPECT_EQ(get("events --field-selector involvedObject.name=third", ".items[0].message"),
            "Node third status is now: CIDRNotAvailable");
  EXPECT_EQ(get("events --field-selector involvedObject.name=third", ".items[0].type"), "Warning");
  EXPECT_EQ(get("events --field-selector involvedObject.name=third", ".items[0].source.component"),
            "cidrAllocator");
  EXPECT_EQ(get("node third", ".spec.podCIDR"), "");

  ok("delete node second");
  EXPECT_TRUE(reads("node third", ".spec.podCIDR", "10.42.1.0/24")) << ok("get node third -o yaml");
}

}  // namespace
}  // namespace ukube::testing
