// Which UDP conntrack entries a Service's change leaves stale, and how conntrack(8) is told.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proxy/stale_flows.h"

namespace ukube::proxy {
namespace {
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

ServicePort dns(std::vector<Endpoint> endpoints, int node_port = 0) {
  ServicePort sp;
  sp.service = "kube-system/dns";
  sp.port_name = "dns";
  sp.protocol = "udp";
  sp.port = 53;
  sp.cluster_ips = {"10.43.0.10"};
  sp.node_port = node_port;
  sp.internal_endpoints = sp.external_endpoints = std::move(endpoints);
  return sp;
}

TEST(StaleFlows, AGoneEndpointsFlowsGoThroughEveryAddressOfThePort) {
  const auto filters = stale_udp_flows({dns({{"10.42.0.5", 5353}, {"10.42.0.6", 5353}}, 30053)},
                                       {dns({{"10.42.0.6", 5353}}, 30053)});
  EXPECT_THAT(filters, UnorderedElementsAre(ConntrackFilter{"10.43.0.10", 53, "10.42.0.5"},
                                            ConntrackFilter{"", 30053, "10.42.0.5"}));
}

TEST(StaleFlows, AServiceThatGetsItsFirstEndpointLosesWhatItsRefusalLeft) {
  EXPECT_THAT(stale_udp_flows({dns({})}, {dns({{"10.42.0.5", 5353}})}),
              ElementsAre(ConntrackFilter{"10.43.0.10", 53, ""}));
  EXPECT_THAT(stale_udp_flows({}, {dns({{"10.42.0.5", 5353}})}),
              ElementsAre(ConntrackFilter{"10.43.0.10", 53, ""}))
      << "a new Service: nothing may have reached its address before";
}

TEST(StaleFlows, UnchangedEndpointsAndTcpLeaveNothing) {
  EXPECT_TRUE(stale_udp_flows({dns({{"10.42.0.5", 5353}})}, {dns({{"10.42.0.5", 5353}})}).empty());
  ServicePort tcp = dns({{"10.42.0.5", 5353}});
  tcp.protocol = "tcp";
  ServicePort tcp_after = tcp;
  tcp_after.internal_endpoints = tcp_after.external_endpoints = {};
  EXPECT_TRUE(stale_udp_flows({tcp}, {tcp_after}).empty()) << "TCP connections end by themselves";
}

TEST(StaleFlows, ADeletedServiceLeavesItsEndpointsFlows) {
  EXPECT_THAT(stale_udp_flows({dns({{"10.42.0.5", 5353}})}, {}),
              ElementsAre(ConntrackFilter{"10.43.0.10", 53, "10.42.0.5"}));
}

TEST(StaleFlows, ConntrackDeletesByOriginalDestinationAndTranslation) {
  EXPECT_THAT(conntrack_delete_args({"10.43.0.10", 53, "10.42.0.5"}),
              ElementsAre("-D", "-p", "udp", "--orig-dst", "10.43.0.10", "--orig-port-dst", "53",
                          "--reply-src", "10.42.0.5"));
  EXPECT_THAT(conntrack_delete_args({"", 30053, ""}),
              ElementsAre("-D", "-p", "udp", "--orig-port-dst", "30053"));
}

}  // namespace
}  // namespace ukube::proxy
