// Which pods a set of NetworkPolicies isolates and what each one's chains allow, as the
// nftables text the plugin applies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <deque>

#include "network-policy/policy_rules.h"

namespace ukube::network_policy {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

class PolicyRules : public ::testing::Test {
 protected:
  void pod(const std::string& ns, const std::string& name, const std::string& ip, const std::string& labels,
           const std::string& node = "n1", const std::string& extra_spec = "") {
    objects_.push_back(json::parse(R"({"metadata":{"namespace":")" + ns + R"(","name":")" + name +
                                   R"(","labels":)" + labels + R"(},"spec":{"nodeName":")" + node + "\"" +
                                   extra_spec + R"(},"status":{"phase":"Running","podIPs":[{"ip":")" + ip +
                                   R"("}]}})")
                           .as_object());
    in_.pods.push_back(&objects_.back());
  }
  void ns(const std::string& name, const std::string& labels) {
    objects_.push_back(
        json::parse(R"({"metadata":{"name":")" + name + R"(","labels":)" + labels + "}}").as_object());
    in_.namespaces.push_back(&objects_.back());
  }
  void policy(const std::string& ns, const std::string& spec) {
    objects_.push_back(
        json::parse(R"({"metadata":{"namespace":")" + ns + R"(","name":"p"},"spec":)" + spec + "}")
            .as_object());
    in_.policies.push_back(&objects_.back());
  }
  PolicyTable table() { return policy_table(in_, "ukt-np", "n1"); }

  std::deque<json::object> objects_;
  PolicyInputs in_;
};

TEST_F(PolicyRules, WithoutPoliciesNothingIsIsolated) {
  pod("shop", "web", "10.42.0.2", R"({"app":"web"})");
  const auto t = table();
  EXPECT_EQ(t.isolated, 0u);
  EXPECT_THAT(t.script, HasSubstr("add table ip ukt-np\ndelete table ip ukt-np\ntable ip ukt-np {"));
  EXPECT_THAT(t.script, Not(HasSubstr("elements")));
  EXPECT_THAT(t.script, HasSubstr("type filter hook forward priority filter; policy accept;"));
  EXPECT_THAT(t.script, HasSubstr("ct state established,related accept"));
}

TEST_F(PolicyRules, ADefaultDenyIsolatesTheSelectedPodsOfThisNodeOnly) {
  pod("shop", "web", "10.42.0.2", R"({"app":"web"})");
  pod("shop", "db", "10.42.0.3", R"({"app":"db"})");
  pod("shop", "far", "10.42.1.2", R"({"app":"web"})", "n2");
  pod("shop", "host", "192.168.1.5", R"({"app":"web"})", "n1", R"(,"hostNetwork":true)");
  pod("other", "web", "10.42.0.4", R"({"app":"web"})");
  policy("shop", R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"]})");
  const auto t = table();
  EXPECT_EQ(t.isolated, 1u);
  EXPECT_THAT(t.script, HasSubstr("elements = { 10.42.0.2 : jump in-10.42.0.2 }"));
  EXPECT_THAT(t.script,
              HasSubstr("chain in-10.42.0.2 {\n\t\tcomment \"ingress of shop/web\"\n\t\tdrop\n\t}"));
  for (const char* ip : {"10.42.0.3", "10.42.1.2", "192.168.1.5", "10.42.0.4"})
    EXPECT_THAT(t.script, Not(HasSubstr(std::string("jump in-") + ip)));
}

TEST_F(PolicyRules, PeersArePodsOfTheNamespaceOrOfSelectedNamespaces) {
  ns("shop", R"({"kubernetes.io/metadata.name":"shop"})");
  ns("ops", R"({"team":"ops"})");
  pod("shop", "web", "10.42.0.2", R"({"app":"web"})");
  pod("shop", "client", "10.42.0.3", R"({"role":"client"})");
  pod("ops", "client", "10.42.0.4", R"({"role":"client"})");
  pod("ops", "monitor", "10.42.0.5", R"({"role":"monitor"})");
  policy("shop", R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"],"ingress":[
      {"from":[{"podSelector":{"matchLabels":{"role":"client"}}}]},
      {"from":[{"namespaceSelector":{"matchLabels":{"team":"ops"}},"podSelector":{"matchLabels":{"role":"monitor"}}}]},
      {"from":[{"namespaceSelector":{"matchLabels":{"team":"ops"}}}],"ports":[{"protocol":"TCP","port":9090}]}]})");
  const auto t = table();
  EXPECT_THAT(t.script, HasSubstr("\t\tip saddr { 10.42.0.3 } accept\n"));
  EXPECT_THAT(t.script, HasSubstr("\t\tip saddr { 10.42.0.5 } accept\n"));
  EXPECT_THAT(t.script,
              HasSubstr("\t\tip saddr { 10.42.0.4, 10.42.0.5 } meta l4proto tcp th dport 9090 accept\n"));
  EXPECT_EQ(t.rules, 3u);
}

TEST_F(PolicyRules, PortsAreNumbersRangesOrTheTargetsNamedPorts) {
  pod("shop", "web", "10.42.0.2", R"({"app":"web"})", "n1",
      R"(,"containers":[{"name":"c","ports":[{"name":"http","containerPort":8080}]}])");
  policy("shop", R"({"podSelector":{},"policyTypes":["Ingress"],"ingress":[
      {"ports":[{"protocol":"TCP","port":"http"},{"protocol":"UDP","port":5000,"endPort":5010},{"protocol":"SCTP"}]},
      {"ports":[{"protocol":"TCP","port":"metrics"}]}]})");
  const auto t = table();
  EXPECT_THAT(t.script, HasSubstr("\t\tmeta l4proto tcp th dport 8080 accept\n"));
  EXPECT_THAT(t.script, HasSubstr("\t\tmeta l4proto udp th dport 5000-5010 accept\n"));
  EXPECT_THAT(t.script, HasSubstr("\t\tmeta l4proto sctp accept\n"));
  EXPECT_EQ(t.rules, 3u) << "a port the pod does not name allows nothing";
}

TEST_F(PolicyRules, IpBlocksAllowTheirRangeButTheExceptions) {
  pod("shop", "web", "10.42.0.2", R"({"app":"web"})");
  policy("shop", R"({"podSelector":{},"policyTypes":["Ingress"],"ingress":[
      {"from":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.42.0.0/16","10.43.0.0/16"]}}]}]})");
  EXPECT_THAT(table().script,
              HasSubstr("\t\tip saddr 10.0.0.0/8 ip saddr != { 10.42.0.0/16, 10.43.0.0/16 } accept\n"));
}

TEST_F(PolicyRules, EgressRulesReturnToTheForwardChainForTheDestinationsIngress) {
  pod("shop", "web", "10.42.0.2", R"({"app":"web"})");
  pod("shop", "db", "10.42.0.3", R"({"app":"db"})", "n2",
      R"(,"containers":[{"name":"c","ports":[{"name":"sql","containerPort":5432}]}])");
  policy("shop", R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Egress"],"egress":[
      {"ports":[{"protocol":"UDP","port":53}]},
      {"to":[{"podSelector":{"matchLabels":{"app":"db"}}}],"ports":[{"protocol":"TCP","port":"sql"}]}]})");
  const auto t = table();
  EXPECT_EQ(t.isolated, 1u);
  EXPECT_THAT(t.script, HasSubstr("elements = { 10.42.0.2 : jump out-10.42.0.2 }"));
  EXPECT_THAT(t.script, HasSubstr("\t\tmeta l4proto udp th dport 53 return\n"));
  EXPECT_THAT(t.script, HasSubstr("\t\tip daddr 10.42.0.3 meta l4proto tcp th dport 5432 return\n"))
      << "a named port is the destination pod's, wherever it runs";
  EXPECT_THAT(t.script, HasSubstr("\t\tdrop\n"));
}

TEST_F(PolicyRules, AnEmptyRuleAllowsEverythingAndPoliciesAddUp) {
  pod("shop", "web", "10.42.0.2", R"({"app":"web"})");
  policy("shop", R"({"podSelector":{},"policyTypes":["Ingress"]})");
  policy(
      "shop",
      R"({"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress","Egress"],"ingress":[{}]})");
  const auto t = table();
  EXPECT_EQ(t.isolated, 2u) << "ingress by both, egress by the second";
  EXPECT_THAT(t.script, HasSubstr("\t\taccept\n\t\tdrop\n"));
  EXPECT_THAT(t.script,
              HasSubstr("chain out-10.42.0.2 {\n\t\tcomment \"egress of shop/web\"\n\t\tdrop\n\t}"));
}

}  // namespace
}  // namespace ukube::network_policy
