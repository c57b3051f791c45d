#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proxy/service_ports.h"

namespace ukube::proxy {
namespace {
namespace json = boost::json;

json::object parsed(const std::string& text) {
  return json::parse(text).as_object();
}

json::object web_service(const std::string& extra_spec = "") {
  return parsed(
      R"({"metadata":{"name":"web","namespace":"shop"},"spec":{"type":"NodePort","clusterIP":"10.43.0.7",
    "clusterIPs":["10.43.0.7"],"ports":[{"name":"http","port":80,"protocol":"TCP","nodePort":30080},
    {"name":"dns","port":53,"protocol":"UDP"}])" +
      extra_spec + "}}");
}

json::object slice(const std::string& endpoints) {
  return parsed(
      R"({"metadata":{"name":"web-x","namespace":"shop","labels":{"kubernetes.io/service-name":"web"}},
    "addressType":"IPv4","ports":[{"name":"http","port":8080,"protocol":"TCP"},{"name":"dns","port":5353,"protocol":"UDP"}],
    "endpoints":)" +
      endpoints + "}");
}

std::vector<std::string> ips(const std::vector<Endpoint>& endpoints) {
  std::vector<std::string> out;
  for (const auto& e : endpoints) out.push_back(e.ip + ":" + std::to_string(e.port) + (e.local ? "L" : ""));
  return out;
}

TEST(ServicePorts, EachPortGetsItsSlicePortAndReadyEndpoints) {
  auto s = slice(R"([{"addresses":["10.42.0.5"],"conditions":{"ready":true},"nodeName":"n1"},
                     {"addresses":["10.42.0.6"],"conditions":{"ready":false,"serving":false},"nodeName":"n2"},
                     {"addresses":["10.42.0.7"],"nodeName":"n2"}])");
  auto ports = service_ports(web_service(), {&s}, "n1");
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].service, "shop/web");
  EXPECT_EQ(ports[0].protocol, "tcp");
  EXPECT_EQ(ports[0].port, 80);
  EXPECT_EQ(ports[0].node_port, 30080);
  EXPECT_THAT(ports[0].cluster_ips, ::testing::ElementsAre("10.43.0.7"));
  EXPECT_THAT(ips(ports[0].internal_endpoints), ::testing::ElementsAre("10.42.0.5:8080L", "10.42.0.7:8080"))
      << "unset conditions count as ready";
  EXPECT_EQ(ports[1].protocol, "udp");
  EXPECT_THAT(ips(ports[1].internal_endpoints), ::testing::ElementsAre("10.42.0.5:5353L", "10.42.0.7:5353"));
}

TEST(ServicePorts, ServingTerminatingEndpointsStandInWhenNoneIsReady) {
  auto s =
      slice(R"([{"addresses":["10.42.0.5"],"conditions":{"ready":false,"serving":true,"terminating":true}},
                     {"addresses":["10.42.0.6"],"conditions":{"ready":false,"serving":false,"terminating":true}}])");
  auto ports = service_ports(web_service(), {&s}, "n1");
  EXPECT_THAT(ips(ports[0].internal_endpoints), ::testing::ElementsAre("10.42.0.5:8080"));
  auto ready =
      slice(R"([{"addresses":["10.42.0.5"],"conditions":{"ready":false,"serving":true,"terminating":true}},
                         {"addresses":["10.42.0.9"],"conditions":{"ready":true}}])");
  EXPECT_THAT(ips(service_ports(web_service(), {&ready}, "n1")[0].internal_endpoints),
              ::testing::ElementsAre("10.42.0.9:8080"));
}

TEST(ServicePorts, LocalPoliciesKeepThisNodesEndpoints) {
  auto s =
      slice(R"([{"addresses":["10.42.0.5"],"nodeName":"n1"},{"addresses":["10.42.0.6"],"nodeName":"n2"}])");
  auto ports = service_ports(web_service(R"(,"externalTrafficPolicy":"Local")"), {&s}, "n2");
  EXPECT_TRUE(ports[0].external_local);
  EXPECT_THAT(ips(ports[0].external_endpoints), ::testing::ElementsAre("10.42.0.6:8080L"));
  EXPECT_EQ(ports[0].internal_endpoints.size(), 2u);
  auto internal = service_ports(web_service(R"(,"internalTrafficPolicy":"Local")"), {&s}, "n3");
  EXPECT_TRUE(internal[0].internal_endpoints.empty());
  EXPECT_EQ(internal[0].external_endpoints.size(), 2u);
}

TEST(ServicePorts, HeadlessAndExternalNameServicesAreNotProxied) {
  auto headless = parsed(
      R"({"metadata":{"name":"h","namespace":"d"},"spec":{"clusterIP":"None","ports":[{"port":80}]}})");
  EXPECT_TRUE(service_ports(headless, {}, "n").empty());
  auto external = parsed(
      R"({"metadata":{"name":"e","namespace":"d"},"spec":{"type":"ExternalName","externalName":"x.example"}})");
  EXPECT_TRUE(service_ports(external, {}, "n").empty());
}

TEST(ServicePorts, AffinityExternalAndLoadBalancerAddresses) {
  auto svc = parsed(
      R"({"metadata":{"name":"lb","namespace":"d"},"spec":{"type":"LoadBalancer","clusterIP":"10.43.0.9",
    "externalIPs":["192.0.2.10"],"sessionAffinity":"ClientIP","ports":[{"port":443,"nodePort":31443}]},
    "status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.1"}]}}})");
  auto ports = service_ports(svc, {}, "n");
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0].affinity_seconds, 10800);
  EXPECT_THAT(ports[0].external_ips, ::testing::ElementsAre("192.0.2.10"));
  EXPECT_THAT(ports[0].load_balancer_ips, ::testing::ElementsAre("127.0.0.1"));
  EXPECT_EQ(ports[0].protocol, "tcp");
}

}  // namespace
}  // namespace ukube::proxy
