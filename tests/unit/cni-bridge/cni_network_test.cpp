#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cni-bridge/cni_network.h"
#include "cni-bridge/config.pb.h"
#include "cni-bridge/settings.h"

namespace ukube::network::cni {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;

CniBridgeSettings defaults() {
  return settings_from(cni_bridge::CniBridgeConfig(), "/state");
}

TEST(CniNetwork, ListRunsBridgeWithHostLocalOverTheNodeCidrsThenPortmap) {
  json::object list = network_list(defaults(), {"10.42.3.0/24", "fd00:42:0:3::/64"});
  EXPECT_EQ(list.at("name"), "ukube");
  EXPECT_EQ(list.at("cniVersion"), "1.0.0");
  const auto& plugins = list.at("plugins").as_array();
  ASSERT_EQ(plugins.size(), 2u);
  const auto& bridge = plugins[0].as_object();
  EXPECT_EQ(bridge.at("type"), "bridge");
  EXPECT_EQ(bridge.at("bridge"), "cni0");
  EXPECT_EQ(bridge.at("isGateway"), true);
  EXPECT_EQ(bridge.at("ipMasq"), true);
  EXPECT_EQ(bridge.at("hairpinMode"), true);
  EXPECT_FALSE(bridge.contains("mtu"));
  const auto& ipam = bridge.at("ipam").as_object();
  EXPECT_EQ(ipam.at("type"), "host-local");
  EXPECT_EQ(ipam.at("dataDir"), "/state/ipam");
  EXPECT_EQ(json::serialize(ipam.at("ranges")),
            R"([[{"subnet":"10.42.3.0/24"}],[{"subnet":"fd00:42:0:3::/64"}]])");
  EXPECT_EQ(json::serialize(ipam.at("routes")), R"([{"dst":"0.0.0.0/0"},{"dst":"::/0"}])");
  EXPECT_EQ(plugins[1].at("type"), "portmap");
}

TEST(CniNetwork, RefusesACidrThatIsNotOne) {
  EXPECT_THROW(network_list(defaults(), {"10.42.3.0/33"}), std::invalid_argument);
  EXPECT_THROW(network_list(defaults(), {"cni0"}), std::invalid_argument);
}

TEST(CniNetwork, PluginConfigCarriesTheListsNameResultAndHostPorts) {
  json::object list = network_list(defaults(), {"10.42.3.0/24"});
  PodNetwork pod;
  pod.port_mappings.push_back({"UDP", 53, 5353, "127.0.0.1"});
  json::value prev = json::parse(R"({"cniVersion":"1.0.0","ips":[]})");
  json::object portmap = plugin_config(list, list.at("plugins").as_array()[1].as_object(), prev, pod);
  EXPECT_EQ(portmap.at("name"), "ukube");
  EXPECT_EQ(portmap.at("cniVersion"), "1.0.0");
  EXPECT_EQ(portmap.at("prevResult"), prev);
  EXPECT_EQ(
      json::serialize(portmap.at("runtimeConfig")),
      R"({"portMappings":[{"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"}]})");
  json::object bridge = plugin_config(list, list.at("plugins").as_array()[0].as_object(), nullptr, pod);
  EXPECT_FALSE(bridge.contains("runtimeConfig")) << "the bridge asks for no capability";
  EXPECT_FALSE(bridge.contains("prevResult"));
}

TEST(CniNetwork, AttachmentReadsTheResultsAddressesAndTheirInterface) {
  json::value result = json::parse(R"({"cniVersion":"1.0.0",
    "interfaces":[{"name":"cni0"},{"name":"veth1"},{"name":"eth0","sandbox":"/proc/1/ns/net"}],
    "ips":[{"address":"10.42.3.7/24","gateway":"10.42.3.1","interface":2},
           {"address":"fd00:42:0:3::7/64","interface":2}]})");
  Attachment a = attachment_from_result(result);
  EXPECT_THAT(a.ips, ::testing::ElementsAre("10.42.3.7", "fd00:42:0:3::7"));
  EXPECT_EQ(a.gateway, "10.42.3.1");
  EXPECT_EQ(a.interface, "eth0");
  EXPECT_TRUE(attachment_from_result(json::value(nullptr)).ips.empty());
}

TEST(CniNetwork, ArgsNameThePodAsCriRuntimesDo) {
  PodNetwork pod;
  pod.sandbox_id = "abc";
  pod.pod_name = "web";
  pod.pod_namespace = "shop";
  pod.pod_uid = "u-1";
  EXPECT_EQ(cni_args(pod),
            "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_"
            "UID=u-1");
}

TEST(CniSettings, DefaultsAndRefusals) {
  CniBridgeSettings s = defaults();
  EXPECT_EQ(s.bridge, "cni0");
  EXPECT_EQ(s.bin_dir, "/usr/lib/cni");
  EXPECT_EQ(s.conflist_path, "/state/10-ukube.conflist");
  cni_bridge::CniBridgeConfig config;
  config.set_bridge("a-much-too-long-bridge");
  try {
    settings_from(config, "/state");
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("cni-bridge config: bridge: \"a-much-too-long-bridge\" is not a Linux interface name"));
  }
  config.Clear();
  config.set_mtu(100);
  EXPECT_THROW(settings_from(config, "/state"), std::invalid_argument);
  config.Clear();
  config.set_ip_masq(false);
  config.set_mtu(1400);
  s = settings_from(config, "/state");
  EXPECT_FALSE(s.ip_masq);
  EXPECT_EQ(network_list(s, {"10.42.3.0/24"}).at("plugins").as_array()[0].at("mtu"), 1400);
}

}  // namespace
}  // namespace ukube::network::cni
