#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proxy/nft_rules.h"

namespace ukube::proxy {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;

ServicePort web(std::vector<Endpoint> endpoints) {
  ServicePort sp;
  sp.service = "shop/web";
  sp.port_name = "http";
  sp.protocol = "tcp";
  sp.port = 80;
  sp.cluster_ips = {"10.43.0.7"};
  sp.internal_endpoints = endpoints;
  sp.external_endpoints = endpoints;
  return sp;
}

TEST(NftRules, OneRulePicksAmongTheEndpoints) {
  EndpointKeys keys;
  RulesetSettings settings;
  ServiceRules rules = rules_for({web({{"10.42.0.5", 8080}, {"10.42.0.6", 8080}})}, settings, keys);
  ASSERT_EQ(rules.chains.count("svc-shop/web/tcp/http"), 1u);
  const KeyBlock block = keys.block("svc|shop/web/tcp/http", 2);
  const std::string map = "endpoints-" + std::to_string(block.shard);
  EXPECT_EQ(rules.chains.at("svc-shop/web/tcp/http"),
            "meta l4proto tcp dnat ip to numgen random mod 2 offset 0 map @" + map + "\n");
  EXPECT_EQ(rules.elements.at(map),
            (std::map<std::string, std::string>{{"0", "10.42.0.5 . 8080"}, {"1", "10.42.0.6 . 8080"}}));
  EXPECT_THAT(
      base_table(settings),
      HasSubstr("ct status dnat ct original ip daddr 10.43.0.0/16 ip saddr != 10.42.0.0/16 masquerade"))
      << "one rule masquerades what comes to a cluster IP from outside the pods";
  EXPECT_EQ(rules.elements.at("service-ips").at("10.43.0.7 . tcp . 80"), "goto svc-shop/web/tcp/http");
  EXPECT_EQ(rules.elements.at("hairpin").count("10.42.0.5 . 10.42.0.5"), 1u);
  EXPECT_FALSE(rules.elements.count("service-nodeports"));
}

TEST(NftRules, AChangedEndpointRewritesMapElementsOnlyAndANewCountTakesANewBlock) {
  EndpointKeys keys;
  RulesetSettings settings;
  ServiceRules two = rules_for({web({{"10.42.0.5", 8080}, {"10.42.0.6", 8080}})}, settings, keys);
  ServiceRules moved = rules_for({web({{"10.42.0.5", 8080}, {"10.42.0.7", 8080}})}, settings, keys);
  EXPECT_EQ(moved.chains, two.chains) << "same count, same keys: the rule stays";
  Transaction tx("t");
  tx.change(two, moved);
  EXPECT_EQ(tx.rule_count(), 0u);
  EXPECT_THAT(tx.text(), HasSubstr(" { 1 }\n"));
  EXPECT_THAT(tx.text(), HasSubstr(" { 1 : 10.42.0.7 . 8080 }\n"));
  ServiceRules three =
      rules_for({web({{"10.42.0.5", 8080}, {"10.42.0.6", 8080}, {"10.42.0.7", 8080}})}, settings, keys);
  EXPECT_THAT(three.chains.at("svc-shop/web/tcp/http"), HasSubstr("numgen random mod 3 offset 2 map @"));
  keys.forget("shop/web/");
  ServiceRules again = rules_for({web({{"10.42.0.5", 8080}, {"10.42.0.6", 8080}})}, settings, keys);
  EXPECT_THAT(again.chains.at("svc-shop/web/tcp/http"), HasSubstr("mod 2 offset 5 map @"))
      << "a forgotten port gets a fresh block; keys are not reused while elements may linger";
}

TEST(NftRules, NoEndpointsMeansNoChainAndNodePortsAreRefused) {
  EndpointKeys keys;
  ServicePort sp = web({});
  sp.node_port = 30080;
  ServiceRules rules = rules_for({sp}, RulesetSettings{}, keys);
  EXPECT_TRUE(rules.chains.empty());
  EXPECT_FALSE(rules.elements.count("service-ips"));
  EXPECT_EQ(rules.elements.at("no-endpoint-nodeports").count("tcp . 30080"), 1u);
}

TEST(NftRules, NodePortsAndLoadBalancersGoThroughAMasqueradingChain) {
  EndpointKeys keys;
  ServicePort sp = web({{"10.42.0.5", 8080}});
  sp.node_port = 30080;
  sp.load_balancer_ips = {"192.0.2.1"};
  ServiceRules rules = rules_for({sp}, RulesetSettings{}, keys);
  EXPECT_EQ(rules.chains.at("ext-shop/web/tcp/http"),
            "jump mark-for-masquerade\nmeta l4proto tcp dnat ip to 10.42.0.5:8080\n");
  EXPECT_EQ(rules.elements.at("service-nodeports").at("tcp . 30080"), "goto ext-shop/web/tcp/http");
  EXPECT_EQ(rules.elements.at("service-ips").at("192.0.2.1 . tcp . 80"), "goto ext-shop/web/tcp/http");
  EXPECT_EQ(rules.elements.at("service-ips").at("127.0.0.1 . tcp . 80"), "goto ext-shop/web/tcp/http")
      << "load-balancer ports answer on localhost too";
}

TEST(NftRules, ClientIpAffinityRemembersEachEndpointsClients) {
  EndpointKeys keys;
  ServicePort sp = web({{"10.42.0.5", 8080}, {"10.42.0.6", 8080}});
  sp.affinity_seconds = 60;
  ServiceRules rules = rules_for({sp}, RulesetSettings{}, keys);
  EXPECT_EQ(rules.sets.size(), 2u);
  EXPECT_EQ(rules.sets.at("svc-aff60-0-shop/web/tcp/http"),
            "type ipv4_addr; flags dynamic,timeout; timeout 60s;");
  EXPECT_THAT(rules.chains.at("svc-shop/web/tcp/http"),
              HasSubstr("ip saddr @svc-aff60-1-shop/web/tcp/http goto svc-ep1-shop/web/tcp/http\n"));
  EXPECT_EQ(
      rules.chains.at("svc-ep0-shop/web/tcp/http"),
      "update @svc-aff60-0-shop/web/tcp/http { ip saddr }\nmeta l4proto tcp dnat ip to 10.42.0.5:8080\n");
}

TEST(NftRules, TransactionsOrderAdditionsAndRemovalsSafely) {
  EndpointKeys keys;
  RulesetSettings settings;
  ServiceRules before = rules_for({web({{"10.42.0.5", 8080}})}, settings, keys);
  Transaction::ElementCounts counts;
  Transaction add("t");
  add.use_counts(&counts);
  add.change({}, before);
  const std::string added = add.text();
  EXPECT_LT(added.find("add chain ip t svc-shop/web/tcp/http"), added.find("add element ip t service-ips"));
  EXPECT_EQ(add.rule_count(), 1u);

  Transaction remove("t");
  remove.use_counts(&counts);
  remove.change(before, {});
  const std::string removed = remove.text();
  EXPECT_LT(removed.find("delete element ip t service-ips { 10.43.0.7 . tcp . 80 }"),
            removed.find("delete chain ip t svc-shop/web/tcp/http"));
  EXPECT_TRUE(counts["service-ips"].empty());
}

TEST(NftRules, AnUnchangedChainIsNotRewrittenAndSharedElementsAreCounted) {
  EndpointKeys keys;
  RulesetSettings settings;
  Transaction::ElementCounts counts;
  ServiceRules a = rules_for({web({{"10.42.0.5", 8080}})}, settings, keys);
  ServicePort other = web({{"10.42.0.5", 8080}});
  other.service = "shop/admin";
  other.cluster_ips = {"10.43.0.8"};
  ServiceRules b = rules_for({other}, settings, keys);
  Transaction first("t");
  first.use_counts(&counts);
  first.change({}, a);
  first.change({}, b);
  EXPECT_EQ(first.text().find("hairpin"), first.text().rfind("hairpin"))
      << "the shared element is added once";

  Transaction drop_one("t");
  drop_one.use_counts(&counts);
  drop_one.change(b, {});
  EXPECT_THAT(drop_one.text(), Not(HasSubstr("hairpin"))) << "still used by shop/web";
  Transaction same("t");
  same.use_counts(&counts);
  same.change(a, a);
  EXPECT_TRUE(same.empty());
  Transaction drop_last("t");
  drop_last.use_counts(&counts);
  drop_last.change(a, {});
  EXPECT_THAT(drop_last.text(), HasSubstr("delete element ip t hairpin { 10.42.0.5 . 10.42.0.5 }"));
}

}  // namespace
}  // namespace ukube::proxy
