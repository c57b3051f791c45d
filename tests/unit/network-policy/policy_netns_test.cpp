// The policy table in a real kernel: a "node" namespace routing between two "pod"
// namespaces (a client and a server running busybox httpd), the table applied with nft
// inside the node's namespace, and requests sent from the client. Nothing leaves the three
// namespaces; all are deleted afterwards. Root only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <deque>
#include <filesystem>
#include <fstream>

#include "network-policy/policy_rules.h"
#include "tests/support/pod_network.h"
#include "tests/support/processes.h"

namespace ukube::network_policy {
namespace {
namespace json = boost::json;
using ukube::testing::TestNetns;

class PolicyInNamespaces : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ukube::testing::pod_network_unavailable(); !why.empty())
      GTEST_SKIP() << "SKIPPED: " << why;
    if (::access("/usr/sbin/nft", X_OK) != 0) GTEST_SKIP() << "SKIPPED: nft is not installed";
    node_ = std::make_unique<TestNetns>("ukt-np-node");
    client_ = std::make_unique<TestNetns>("ukt-np-client");
    server_ = std::make_unique<TestNetns>("ukt-np-server");
    ASSERT_TRUE(ukube::testing::join_node_and_pod(*node_, *client_, "ukt-np0", "10.42.247"));
    ASSERT_TRUE(ukube::testing::join_node_and_pod(*node_, *server_, "ukt-np1", "10.42.246"));
    // Each pod is a /24 of its own: the node routes between them, through its forward hook.
    node_->exec("ip route del default");
    node_->exec("sysctl -qw net.ipv4.ip_forward=1");
    www_ = std::filesystem::temp_directory_path() / ("ukt-np-www-" + std::to_string(::getpid()));
    std::filesystem::create_directories(www_);
    std::ofstream(www_ / "index.html") << "from-server\n";
    ASSERT_TRUE(server_->exec("busybox httpd -p 8080 -h " + www_.string()).ok());
    ASSERT_EQ(fetch(), "from-server\n") << "without a table the node forwards";
  }
  void TearDown() override {
    if (!www_.empty()) ukube::testing::kill_processes_with(www_.string());
    server_.reset();
    client_.reset();
    node_.reset();
    if (!www_.empty()) std::filesystem::remove_all(www_);
  }

  void add(const std::string& text, std::vector<const json::object*>& into) {
    objects_.push_back(json::parse(text).as_object());
    into.push_back(&objects_.back());
  }
  void apply_policies(const std::vector<std::string>& specs) {
    PolicyInputs in;
    add(R"({"metadata":{"namespace":"shop","name":"client","labels":{"role":"client"}},"spec":{"nodeName":"n1"},
            "status":{"podIPs":[{"ip":"10.42.247.2"}]}})",
        in.pods);
    add(R"({"metadata":{"namespace":"shop","name":"server","labels":{"app":"web"}},"spec":{"nodeName":"n1",
            "containers":[{"name":"c","ports":[{"name":"http","containerPort":8080}]}]},
            "status":{"podIPs":[{"ip":"10.42.246.2"}]}})",
        in.pods);
    add(R"({"metadata":{"name":"shop","labels":{"kubernetes.io/metadata.name":"shop"}}})", in.namespaces);
    for (const auto& spec : specs)
      add(R"({"metadata":{"namespace":"shop","name":"p"},"spec":)" + spec + "}", in.policies);
    const auto file = www_.parent_path() / ("ukt-np-" + std::to_string(::getpid()) + ".nft");
    const std::string script = policy_table(in, "ukt-np", "n1").script;
    std::ofstream(file) << script;
    auto result = node_->exec("nft -f " + file.string());
    std::filesystem::remove(file);
    ASSERT_TRUE(result.ok()) << result.out << "\n" << script;
  }
  std::string fetch() { return client_->exec("timeout 2 busybox wget -q -O - http://10.42.246.2:8080/").out; }

  std::unique_ptr<TestNetns> node_, client_, server_;
  std::filesystem::path www_;
  std::deque<json::object> objects_;
};

TEST_F(PolicyInNamespaces, IngressIsDeniedThenAllowedByPeerAndNamedPort) {
  apply_policies({R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"]})"});
  EXPECT_NE(fetch(), "from-server\n") << "default deny";
  apply_policies({R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"]})",
                  R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"],"ingress":[
                      {"from":[{"podSelector":{"matchLabels":{"role":"client"}}}],"ports":[{"protocol":"TCP","port":"http"}]}]})"});
  EXPECT_EQ(fetch(), "from-server\n") << "allowed from role=client to the port named http";
  apply_policies({R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"],"ingress":[
                      {"from":[{"podSelector":{"matchLabels":{"role":"client"}}}],"ports":[{"protocol":"TCP","port":9090}]}]})"});
  EXPECT_NE(fetch(), "from-server\n") << "another port only";
  apply_policies({R"({"podSelector":{},"policyTypes":["Ingress"],"ingress":[
                      {"from":[{"ipBlock":{"cidr":"10.42.0.0/16","except":["10.42.246.0/24"]}}]}]})"});
  EXPECT_EQ(fetch(), "from-server\n") << "the client's range minus another";
}

TEST_F(PolicyInNamespaces, EgressIsDeniedThenAllowedByDestination) {
  apply_policies({R"({"podSelector":{"matchLabels":{"role":"client"}},"policyTypes":["Egress"]})"});
  EXPECT_NE(fetch(), "from-server\n");
  apply_policies({R"({"podSelector":{"matchLabels":{"role":"client"}},"policyTypes":["Egress"],"egress":[
                      {"to":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"shop"}},
                              "podSelector":{"matchLabels":{"app":"web"}}}]}]})"});
  EXPECT_EQ(fetch(), "from-server\n");
}

}  // namespace
}  // namespace ukube::network_policy
