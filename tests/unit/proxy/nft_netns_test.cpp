// The proxy's rules in a real kernel: a "node" namespace and a "pod" namespace joined by a
// veth pair, the rules applied with nft inside the node's namespace, and traffic sent there.
// Nothing leaves the two namespaces; both are deleted afterwards. Root only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "proxy/nft_rules.h"
#include "tests/support/pod_network.h"
#include "tests/support/processes.h"

namespace ukube::proxy {
namespace {
using ukube::testing::shell;
using ukube::testing::TestNetns;

class NftInNamespaces : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ukube::testing::pod_network_unavailable(); !why.empty())
      GTEST_SKIP() << "SKIPPED: " << why;
    if (::access("/usr/sbin/nft", X_OK) != 0) GTEST_SKIP() << "SKIPPED: nft is not installed";
    node_ = std::make_unique<TestNetns>("ukt-px-node");
    pod_ = std::make_unique<TestNetns>("ukt-px-pod");
    ASSERT_TRUE(shell("ip -n ukt-px-node link add ukt-px0 type veth peer name eth0 netns ukt-px-pod").ok());
    ASSERT_TRUE(node_->exec("ip addr add 10.42.250.1/24 dev ukt-px0").ok());
    node_->exec("ip link set ukt-px0 up");
    node_->exec("ip link set lo up");
    // Service addresses are routed towards the pod, as a node's default route would take them.
    node_->exec("ip route add default dev ukt-px0");
    pod_->exec("ip addr add 10.42.250.2/24 dev eth0");
    pod_->exec("ip link set eth0 up");
    pod_->exec("ip link set lo up");
    pod_->exec("ip route add default via 10.42.250.1");
    node_->exec("sysctl -qw net.ipv4.conf.all.route_localnet=1");
    www_ = std::filesystem::temp_directory_path() / ("ukt-px-www-" + std::to_string(::getpid()));
    std::filesystem::create_directories(www_);
    std::ofstream(www_ / "index.html") << "from-pod\n";
    // busybox httpd without -f goes to the background; the marker finds it afterwards.
    ASSERT_TRUE(pod_->exec("busybox httpd -p 8080 -h " + www_.string()).ok());
  }
  void TearDown() override {
    if (!www_.empty()) ukube::testing::kill_processes_with(www_.string());
    pod_.reset();
    node_.reset();  // the veth pair goes with the namespaces
    if (!www_.empty()) std::filesystem::remove_all(www_);
  }
  void apply(const std::string& script) {
    const auto file = www_.parent_path() / ("ukt-px-" + std::to_string(::getpid()) + ".nft");
    std::ofstream(file) << script;
    auto result = node_->exec("nft -f " + file.string());
    std::filesystem::remove(file);
    ASSERT_TRUE(result.ok()) << result.out << "\n" << script;
  }
  std::string fetch(const std::string& url) {
    return node_->exec("timeout 5 busybox wget -q -O - " + url).out;
  }

  std::unique_ptr<TestNetns> node_, pod_;
  std::filesystem::path www_;
};

TEST_F(NftInNamespaces, ClusterIpsNodePortsAndRefusalsWork) {
  RulesetSettings settings;
  settings.table = "ukt-proxy";
  ServicePort sp;
  sp.service = "shop/web";
  sp.protocol = "tcp";
  sp.port = 80;
  sp.cluster_ips = {"10.43.0.7"};
  sp.node_port = 30080;
  sp.internal_endpoints = sp.external_endpoints = {{"10.42.250.2", 8080}};
  ServicePort empty = sp;
  empty.service = "shop/none";
  empty.cluster_ips = {"10.43.0.8"};
  empty.node_port = 30081;
  empty.internal_endpoints = empty.external_endpoints = {};
  Transaction::ElementCounts counts;
  Transaction tx(settings.table);
  tx.use_counts(&counts);
  ServiceRules web = rules_for({sp}, settings), none = rules_for({empty}, settings);
  tx.change({}, web);
  tx.change({}, none);
  apply(fresh_table(settings) + tx.text());

  EXPECT_EQ(fetch("http://10.43.0.7/"), "from-pod\n");
  EXPECT_EQ(fetch("http://127.0.0.1:30080/"), "from-pod\n") << "a node port answers on localhost";
  EXPECT_EQ(fetch("http://10.42.250.1:30080/"), "from-pod\n");
  auto refused = node_->exec("timeout 5 busybox wget -q -O - http://10.43.0.8/");
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.out, ::testing::HasSubstr("refused"));
  EXPECT_THAT(node_->exec("timeout 5 busybox wget -q -O - http://10.43.0.99/").out,
              ::testing::HasSubstr("refused"))
      << "an address of the service CIDR that no Service holds";
  EXPECT_THAT(node_->exec("timeout 5 busybox wget -q -O - http://127.0.0.1:30081/").out,
              ::testing::HasSubstr("refused"));

  // The endpoint goes: the cluster IP is refused from then on; then it is back.
  Transaction gone(settings.table);
  gone.use_counts(&counts);
  ServicePort without = sp;
  without.internal_endpoints = without.external_endpoints = {};
  ServiceRules emptied = rules_for({without}, settings);
  gone.change(web, emptied);
  apply(gone.text());
  EXPECT_THAT(node_->exec("timeout 5 busybox wget -q -O - http://10.43.0.7/").out,
              ::testing::HasSubstr("refused"));
  Transaction back(settings.table);
  back.use_counts(&counts);
  back.change(emptied, web);
  apply(back.text());
  EXPECT_EQ(fetch("http://10.43.0.7/"), "from-pod\n");
  // A fresh table replaces the old one in the same transaction.
  apply(fresh_table(settings));
  EXPECT_THAT(node_->exec("timeout 5 busybox wget -q -O - http://10.43.0.7/").out,
              ::testing::HasSubstr("refused"));
}

TEST_F(NftInNamespaces, AffinityKeepsAClientOnOneEndpoint) {
  RulesetSettings settings;
  settings.table = "ukt-proxy";
  ServicePort sp;
  sp.service = "shop/sticky";
  sp.protocol = "tcp";
  sp.port = 80;
  sp.cluster_ips = {"10.43.0.9"};
  sp.affinity_seconds = 30;
  sp.internal_endpoints = sp.external_endpoints = {{"10.42.250.2", 8080}, {"10.42.250.2", 8080}};
  Transaction tx(settings.table);
  tx.change({}, rules_for({sp}, settings));
  apply(fresh_table(settings) + tx.text());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fetch("http://10.43.0.9/"), "from-pod\n");
  const std::string listed = node_->exec("nft list set ip ukt-proxy svc-aff30-0-shop/sticky/tcp/80").out +
                             node_->exec("nft list set ip ukt-proxy svc-aff30-1-shop/sticky/tcp/80").out;
  EXPECT_THAT(listed, ::testing::HasSubstr("10.42.250.1")) << "the client is remembered: " << listed;
}

}  // namespace
}  // namespace ukube::proxy
