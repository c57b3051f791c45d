#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "kubelet/pod_dns.h"
#include "kubelet/service_env.h"
#include "ukube/machinery/resources.h"
#include "ukube/testing/in_memory_client.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::kubelet {
namespace {
namespace json = boost::json;
using ::testing::ElementsAre;

json::object pod_with(const std::string& spec) {
  return json::parse(R"({"metadata":{"name":"p","namespace":"shop"},"spec":)" + spec + "}").as_object();
}

ClusterDns cluster() {
  ClusterDns dns;
  dns.servers = {"10.43.0.10"};
  dns.host.servers = {"192.0.2.53"};
  dns.host.searches = {"corp.example"};
  dns.host.options = {"edns0"};
  return dns;
}

TEST(PodDns, ClusterFirstSearchesTheNamespaceThenTheClusterThenTheHostsDomains) {
  auto dns = pod_dns_config(pod_with("{}"), cluster());
  EXPECT_THAT(dns.servers, ElementsAre("10.43.0.10"));
  EXPECT_THAT(dns.searches,
              ElementsAre("shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"));
  EXPECT_THAT(dns.options, ElementsAre("ndots:5"));
}

TEST(PodDns, HostNetworkPodsAndDefaultPolicyUseTheNodesResolvers) {
  EXPECT_THAT(pod_dns_config(pod_with(R"({"hostNetwork":true})"), cluster()).servers,
              ElementsAre("192.0.2.53"));
  EXPECT_THAT(pod_dns_config(pod_with(R"({"dnsPolicy":"Default"})"), cluster()).searches,
              ElementsAre("corp.example"));
  EXPECT_THAT(
      pod_dns_config(pod_with(R"({"hostNetwork":true,"dnsPolicy":"ClusterFirstWithHostNet"})"), cluster())
          .servers,
      ElementsAre("10.43.0.10"));
  ClusterDns none = cluster();
  none.servers.clear();
  EXPECT_THAT(pod_dns_config(pod_with("{}"), none).servers, ElementsAre("192.0.2.53"))
      << "without cluster DNS, ClusterFirst falls back to Default, as upstream";
}

TEST(PodDns, DnsConfigIsMergedAndNoneTakesOnlyIt) {
  auto merged = pod_dns_config(pod_with(R"({"dnsConfig":{"nameservers":["192.0.2.1"],"searches":["x.example"],
                 "options":[{"name":"ndots","value":"2"},{"name":"single-request"}]}})"),
                               cluster());
  EXPECT_THAT(merged.servers, ElementsAre("10.43.0.10", "192.0.2.1"));
  EXPECT_EQ(merged.searches.back(), "x.example");
  EXPECT_THAT(merged.options, ElementsAre("ndots:2", "single-request"));
  auto only = pod_with(
      R"({"dnsPolicy":"None","dnsConfig":{"nameservers":["192.0.2.1","192.0.2.2","192.0.2.3","192.0.2.4"]}})");
  auto dns = pod_dns_config(only, cluster());
  EXPECT_THAT(dns.servers, ElementsAre("192.0.2.1", "192.0.2.2", "192.0.2.3")) << "three at most";
  EXPECT_TRUE(dns.searches.empty());
}

TEST(PodDns, ReadsAResolvConf) {
  testing::TempDir dir;
  const auto path = dir.path() / "resolv.conf";
  std::ofstream(path)
      << "# comment\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch a.example b.example\n"
         "options ndots:1 edns0\noptions ndots:3\n";
  auto dns = read_resolv_conf(path.string());
  EXPECT_THAT(dns.servers, ElementsAre("192.0.2.53", "192.0.2.54"));
  EXPECT_THAT(dns.searches, ElementsAre("a.example", "b.example"));
  EXPECT_THAT(dns.options, ElementsAre("ndots:3", "edns0"));
  EXPECT_TRUE(read_resolv_conf((dir.path() / "missing").string()).servers.empty());
}

TEST(ServiceEnv, ServicesOfThePodsNamespaceAndTheApiServer) {
  auto client = std::make_shared<testing::InMemoryClient>();
  auto service = [&](const std::string& ns, const std::string& name, const std::string& spec) {
    client->create(machinery::kServices, ns,
                   json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name +
                               R"("},"spec":)" + spec + "}")
                       .as_object());
  };
  service("default", "kubernetes",
          R"({"clusterIP":"10.43.0.1","ports":[{"name":"https","port":443,"protocol":"TCP"}]})");
  service(
      "shop", "web-front",
      R"({"clusterIP":"10.43.0.7","ports":[{"name":"http","port":80,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]})");
  service("shop", "headless", R"({"clusterIP":"None","ports":[{"port":80}]})");
  service("other", "elsewhere", R"({"clusterIP":"10.43.0.9","ports":[{"port":80}]})");
  Informer services(client, machinery::kServices);
  services.start();
  ASSERT_TRUE(services.wait_for_sync(std::chrono::seconds(5)));
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : service_env(pod_with("{}"), services)) env[k] = v;
  EXPECT_EQ(env["KUBERNETES_SERVICE_HOST"], "10.43.0.1");
  EXPECT_EQ(env["KUBERNETES_SERVICE_PORT"], "443");
  EXPECT_EQ(env["KUBERNETES_SERVICE_PORT_HTTPS"], "443");
  EXPECT_EQ(env["WEB_FRONT_SERVICE_HOST"], "10.43.0.7");
  EXPECT_EQ(env["WEB_FRONT_SERVICE_PORT"], "80");
  EXPECT_EQ(env["WEB_FRONT_PORT"], "tcp://10.43.0.7:80");
  EXPECT_EQ(env["WEB_FRONT_PORT_53_UDP"], "udp://10.43.0.7:53");
  EXPECT_EQ(env["WEB_FRONT_PORT_53_UDP_PROTO"], "udp");
  EXPECT_EQ(env["WEB_FRONT_PORT_80_TCP_ADDR"], "10.43.0.7");
  EXPECT_FALSE(env.count("HEADLESS_SERVICE_HOST"));
  EXPECT_FALSE(env.count("ELSEWHERE_SERVICE_HOST"));
  std::map<std::string, std::string> unlinked;
  for (const auto& [k, v] : service_env(pod_with(R"({"enableServiceLinks":false})"), services))
    unlinked[k] = v;
  EXPECT_EQ(unlinked["KUBERNETES_SERVICE_HOST"], "10.43.0.1");
  EXPECT_FALSE(unlinked.count("WEB_FRONT_SERVICE_HOST"));
  services.stop();
}

}  // namespace
}  // namespace ukube::kubelet
