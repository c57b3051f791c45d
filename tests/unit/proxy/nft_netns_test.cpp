// The proxy's rules in a real kernel: a "node" namespace and a "pod" namespace joined by a
// veth pair, the rules applied with nft inside the node's namespace, and traffic sent there.
// Nothing leaves the two namespaces; both are deleted afterwards. Root only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "proxy/nft_rules.h"
#include "proxy/stale_flows.h"
#include "tests/support/eventually.h"
#include "tests/support/pod_network.h"
#include "tests/support/processes.h"

namespace ukube::proxy {
namespace {
using ::testing::HasSubstr;
using ukube::testing::TestNetns;

// Port 80/TCP of `service` at `cluster_ip`, its traffic inside and from outside going to `endpoints`.
ServicePort service_port(const std::string& service, const std::string& cluster_ip,
                         std::vector<Endpoint> endpoints) {
  ServicePort sp;
  sp.service = service;
  sp.protocol = "tcp";
  sp.port = 80;
  sp.cluster_ips = {cluster_ip};
  sp.internal_endpoints = sp.external_endpoints = std::move(endpoints);
  return sp;
}

class NftInNamespaces : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ukube::testing::pod_network_unavailable(); !why.empty())
      GTEST_SKIP() << "SKIPPED: " << why;
    if (::access("/usr/sbin/nft", X_OK) != 0) GTEST_SKIP() << "SKIPPED: nft is not installed";
    node_ = std::make_unique<TestNetns>("ukt-px-node");
    pod_ = std::make_unique<TestNetns>("ukt-px-pod");
    ASSERT_TRUE(ukube::testing::join_node_and_pod(*node_, *pod_, "ukt-px0", "10.42.250"));
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
  ukube::testing::ShellResult get(const std::string& url) {
    return node_->exec("timeout 5 busybox wget -q -O - " + url);
  }
  std::string fetch(const std::string& url) { return get(url).out; }

  std::unique_ptr<TestNetns> node_, pod_;
  std::filesystem::path www_;
};

TEST_F(NftInNamespaces, ClusterIpsNodePortsAndRefusalsWork) {
  EndpointKeys keys;
  RulesetSettings settings;
  settings.table = "ukt-proxy";
  ServicePort sp = service_port("shop/web", "10.43.0.7", {{"10.42.250.2", 8080}});
  sp.node_port = 30080;
  ServicePort empty = service_port("shop/none", "10.43.0.8", {});
  empty.node_port = 30081;
  Transaction::ElementCounts counts;
  Transaction tx(settings.table);
  tx.use_counts(&counts);
  ServicePort pair = service_port("shop/pair", "10.43.0.10", {{"10.42.250.2", 8080}, {"10.42.250.2", 8080}});
  ServiceRules web = rules_for({sp}, settings, keys), none = rules_for({empty}, settings, keys);
  tx.change({}, web);
  tx.change({}, none);
  tx.change({}, rules_for({pair}, settings, keys));
  apply(fresh_table(settings) + tx.text());

  EXPECT_EQ(fetch("http://10.43.0.7/"), "from-pod\n");
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(fetch("http://10.43.0.10/"), "from-pod\n") << "through the shared endpoint map";
  EXPECT_EQ(fetch("http://127.0.0.1:30080/"), "from-pod\n") << "a node port answers on localhost";
  EXPECT_EQ(fetch("http://10.42.250.1:30080/"), "from-pod\n");
  auto refused = get("http://10.43.0.8/");
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.out, HasSubstr("refused"));
  EXPECT_THAT(fetch("http://10.43.0.99/"), HasSubstr("refused"))
      << "an address of the service CIDR that no Service holds";
  EXPECT_THAT(fetch("http://127.0.0.1:30081/"), HasSubstr("refused"));

  // The endpoint goes: the cluster IP is refused from then on; then it is back.
  Transaction gone(settings.table);
  gone.use_counts(&counts);
  ServicePort without = sp;
  without.internal_endpoints = without.external_endpoints = {};
  ServiceRules emptied = rules_for({without}, settings, keys);
  gone.change(web, emptied);
  apply(gone.text());
  EXPECT_THAT(fetch("http://10.43.0.7/"), HasSubstr("refused"));
  Transaction back(settings.table);
  back.use_counts(&counts);
  back.change(emptied, web);
  apply(back.text());
  EXPECT_EQ(fetch("http://10.43.0.7/"), "from-pod\n");
  // A fresh table replaces the old one in the same transaction.
  apply(fresh_table(settings));
  EXPECT_THAT(fetch("http://10.43.0.7/"), HasSubstr("refused"));
}

TEST_F(NftInNamespaces, AffinityKeepsAClientOnOneEndpoint) {
  EndpointKeys keys;
  RulesetSettings settings;
  settings.table = "ukt-proxy";
  ServicePort sp = service_port("shop/sticky", "10.43.0.9", {{"10.42.250.2", 8080}, {"10.42.250.2", 8080}});
  sp.affinity_seconds = 30;
  Transaction tx(settings.table);
  tx.change({}, rules_for({sp}, settings, keys));
  apply(fresh_table(settings) + tx.text());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fetch("http://10.43.0.9/"), "from-pod\n");
  const std::string listed = node_->exec("nft list set ip ukt-proxy svc-aff30-0-shop/sticky/tcp/80").out +
                             node_->exec("nft list set ip ukt-proxy svc-aff30-1-shop/sticky/tcp/80").out;
  EXPECT_THAT(listed, HasSubstr("10.42.250.1")) << "the client is remembered: " << listed;
}

// A UDP client keeps its flow on the endpoint it first reached until the stale entry is
// deleted: what the proxy does after a sync that took the endpoint away.
TEST_F(NftInNamespaces, StaleUdpFlowsMoveToTheNewEndpointOnceDeleted) {
  if (::access("/usr/sbin/conntrack", X_OK) != 0) GTEST_SKIP() << "SKIPPED: conntrack is not installed";
  pod_->exec("ip addr add 10.42.250.3/24 dev eth0");
  // Two UDP servers, one per address, each answering with its own letter.
  const auto server = www_ / "udp_server.py";
  std::ofstream(server) << "import socket, sys\n"
                           "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                           "s.bind((sys.argv[1], 5353))\n"
                           "while True:\n"
                           "    data, peer = s.recvfrom(100)\n"
                           "    s.sendto(sys.argv[2].encode(), peer)\n";
  for (const char* which : {"10.42.250.2 A", "10.42.250.3 B"})
    ASSERT_TRUE(
        pod_->exec("sh -c '/usr/bin/python3 " + server.string() + " " + which + " >/dev/null 2>&1 &'").ok());
  const auto client = www_ / "udp_client.py";
  std::ofstream(client) << "import socket\n"
                           "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                           "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                           "s.bind(('10.42.250.1', 40053))\n"
                           "s.settimeout(2)\n"
                           "s.sendto(b'?', ('10.43.0.20', 53))\n"
                           "print(s.recvfrom(100)[0].decode(), end='')\n";
  auto ask = [&] { return node_->exec("/usr/bin/python3 " + client.string()).out; };

  RulesetSettings settings;
  settings.table = "ukt-proxy";
  ServicePort a = service_port("shop/dns", "10.43.0.20", {{"10.42.250.2", 5353}});
  a.protocol = "udp";
  a.port = 53;
  ServicePort b = a;
  b.internal_endpoints = b.external_endpoints = {{"10.42.250.3", 5353}};
  EndpointKeys keys;
  const ServiceRules on_a = rules_for({a}, settings, keys), on_b = rules_for({b}, settings, keys);
  Transaction first(settings.table);
  first.change({}, on_a);
  apply(fresh_table(settings) + first.text());
  ASSERT_TRUE(ukube::testing::eventually([&] { return ask() == "A"; })) << ask();

  Transaction moved(settings.table);
  moved.change(on_a, on_b);
  apply(moved.text());
  EXPECT_EQ(ask(), "A") << "the flow's conntrack entry still leads to the old endpoint";
  for (const auto& filter : stale_udp_flows({a}, {b})) {
    std::string command = "conntrack";
    for (const auto& arg : conntrack_delete_args(filter)) command += " " + arg;
    node_->exec(command);
  }
  EXPECT_EQ(ask(), "B");
}

}  // namespace
}  // namespace ukube::proxy
