// What upstream's Service storage does to a Service before allocating for it: allocated
// values a client left out are kept, values a type change makes pointless go, and the IP
// family fields are filled in or refused for the families the cluster serves.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "admission/service-allocator/service_spec.h"
#include "ukube/errors.h"

namespace ukube::admission::service_allocator {
namespace {

json::object svc(std::string_view spec) {
  return json::object{{"metadata", {{"name", "web"}, {"namespace", "default"}}}, {"spec", json::parse(spec)}};
}

// Compared as JSON: members in any order.
json::value spec_of(const json::object& service) {
  return service.at("spec");
}

const std::vector<IPFamily> kV4{IPFamily::IPv4};
const std::vector<IPFamily> kDual{IPFamily::IPv4, IPFamily::IPv6};

TEST(ServiceSpec, TypeDefaultsAndNeeds) {
  EXPECT_EQ(service_type(svc("{}")), "ClusterIP");
  EXPECT_FALSE(needs_cluster_ip(svc(R"({"type":"ExternalName"})")));
  EXPECT_TRUE(is_headless(svc(R"({"clusterIP":"None"})")));
  EXPECT_TRUE(is_headless(svc(R"({"clusterIPs":["None"]})")));
  EXPECT_TRUE(allocates_node_ports(svc(R"({"type":"LoadBalancer"})")));
  EXPECT_FALSE(allocates_node_ports(svc(R"({"type":"LoadBalancer","allocateLoadBalancerNodePorts":false})")));
  EXPECT_TRUE(needs_node_ports(svc(R"({"type":"LoadBalancer","allocateLoadBalancerNodePorts":false})")));
  EXPECT_TRUE(
      needs_health_check_node_port(svc(R"({"type":"LoadBalancer","externalTrafficPolicy":"Local"})")));
  EXPECT_FALSE(needs_health_check_node_port(svc(R"({"type":"NodePort","externalTrafficPolicy":"Local"})")));
  EXPECT_EQ(
      node_ports(svc(R"({"ports":[{"port":80,"nodePort":30080},{"port":81}],"healthCheckNodePort":30100})")),
      (std::vector<int>{30080, 30100}));
}

TEST(ServiceSpec, AReplaceKeepsWhatWasAllocated) {
  auto old = svc(R"({"type":"NodePort","clusterIP":"10.43.0.9","clusterIPs":["10.43.0.9"],
    "ports":[{"name":"http","port":80,"nodePort":30080},{"name":"https","port":443,"nodePort":30443}]})");
  auto updated =
      svc(R"({"type":"NodePort","ports":[{"name":"http","port":8080},{"name":"https","port":443}]})");
  patch_allocated_values(updated, old);
  normalize_cluster_ips(updated, &old);
  EXPECT_EQ(
      spec_of(updated),
      json::parse(
          R"({"type":"NodePort","ports":[{"name":"http","port":8080,"nodePort":30080},)"
          R"({"name":"https","port":443,"nodePort":30443}],"clusterIP":"10.43.0.9","clusterIPs":["10.43.0.9"]})"));
  // A node port the update names itself stays where it put it; the other keeps its own
  // unless that one is now taken by a port of the update.
  auto moved = svc(
      R"({"type":"NodePort","ports":[{"name":"http","port":80,"nodePort":30443},{"name":"https","port":443}]})");
  patch_allocated_values(moved, old);
  EXPECT_FALSE(moved.at("spec").at("ports").at(1).as_object().contains("nodePort"));
}

TEST(ServiceSpec, ATypeChangeDropsWhatTheNewTypeDoesNotUse) {
  auto old = svc(R"({"type":"NodePort","clusterIP":"10.43.0.9","clusterIPs":["10.43.0.9"],
    "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","externalTrafficPolicy":"Cluster",
    "ports":[{"port":80,"nodePort":30080}]})");
  auto to_cluster_ip = old;
  to_cluster_ip["spec"].as_object()["type"] = "ClusterIP";
  drop_type_dependent_fields(to_cluster_ip, old);
  EXPECT_EQ(spec_of(to_cluster_ip),
            json::parse(R"({"type":"ClusterIP","clusterIP":"10.43.0.9","clusterIPs":["10.43.0.9"],)"
                        R"("ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":80}]})"));
  auto to_external = old;
  to_external["spec"].as_object()["type"] = "ExternalName";
  to_external["spec"].as_object()["externalName"] = "example.com";
  drop_type_dependent_fields(to_external, old);
  EXPECT_EQ(spec_of(to_external),
            json::parse(R"({"type":"ExternalName","ports":[{"port":80}],"externalName":"example.com"})"));
  // A node port the update brings is kept, for validation to refuse.
  auto new_port = to_cluster_ip;
  new_port["spec"].as_object()["ports"] = json::parse(R"([{"port":80,"nodePort":30999}])");
  drop_type_dependent_fields(new_port, old);
  EXPECT_EQ(new_port.at("spec").at("ports").at(0).at("nodePort"), 30999);
}

TEST(ServiceSpec, NormalizesClusterIPFields) {
  auto created = svc(R"({"clusterIP":"10.43.0.5"})");
  normalize_cluster_ips(created, nullptr);
  EXPECT_EQ(spec_of(created), json::parse(R"({"clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5"]})"));
  auto plural = svc(R"({"clusterIPs":["10.43.0.5"]})");
  normalize_cluster_ips(plural, nullptr);
  EXPECT_EQ(plural.at("spec").at("clusterIP"), "10.43.0.5");
}

TEST(ServiceSpec, FamiliesForASingleStackCluster) {
  auto plain = svc(R"({"selector":{"app":"web"}})");
  init_ip_family_fields(plain, nullptr, kV4);
  EXPECT_EQ(
      spec_of(plain),
      json::parse(R"({"selector":{"app":"web"},"ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"]})"));
  auto prefer = svc(R"({"ipFamilyPolicy":"PreferDualStack"})");
  init_ip_family_fields(prefer, nullptr, kV4);
  EXPECT_EQ(prefer.at("spec").at("ipFamilies"), json::parse(R"(["IPv4"])"));
  // Headless without a selector: its endpoints are the user's, in any family.
  auto headless = svc(R"({"clusterIP":"None","clusterIPs":["None"]})");
  init_ip_family_fields(headless, nullptr, kV4);
  EXPECT_EQ(headless.at("spec").at("ipFamilyPolicy"), "RequireDualStack");
  EXPECT_EQ(headless.at("spec").at("ipFamilies"), json::parse(R"(["IPv4","IPv6"])"));

  auto require = svc(R"({"ipFamilyPolicy":"RequireDualStack","selector":{"a":"b"}})");
  try {
    init_ip_family_fields(require, nullptr, kV4);
    ADD_FAILURE();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
    EXPECT_STREQ(
        e.what(),
        "Service \"web\" is invalid: spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster "
        "is not configured for dual-stack services");
  }
  auto v6 = svc(R"({"clusterIP":"fd00::5","clusterIPs":["fd00::5"]})");
  try {
    init_ip_family_fields(v6, nullptr, kV4);
    ADD_FAILURE();
  } catch (const ApiError& e) {
    EXPECT_STREQ(
        e.what(),
        "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"fd00::5\"}: IPv6 is not "
        "configured on this cluster");
  }
}

TEST(ServiceSpec, FamiliesForADualStackCluster) {
  auto prefer = svc(R"({"ipFamilyPolicy":"PreferDualStack","selector":{"a":"b"}})");
  init_ip_family_fields(prefer, nullptr, kDual);
  EXPECT_EQ(prefer.at("spec").at("ipFamilies"), json::parse(R"(["IPv4","IPv6"])"));
  auto v6_first = svc(R"({"ipFamilyPolicy":"RequireDualStack","ipFamilies":["IPv6"],"selector":{"a":"b"}})");
  init_ip_family_fields(v6_first, nullptr, kDual);
  EXPECT_EQ(v6_first.at("spec").at("ipFamilies"), json::parse(R"(["IPv6","IPv4"])"));
  auto single = svc(R"({"selector":{"a":"b"}})");
  init_ip_family_fields(single, nullptr, kDual);
  EXPECT_EQ(single.at("spec").at("ipFamilies"), json::parse(R"(["IPv4"])"));
  // Back to single-stack: the secondary address goes with the policy.
  auto old = svc(R"({"ipFamilyPolicy":"RequireDualStack","ipFamilies":["IPv4","IPv6"],
    "clusterIP":"10.43.0.5","clusterIPs":["10.43.0.5","fd00::5"]})");
  auto downgrade = old;
  downgrade["spec"].as_object()["ipFamilyPolicy"] = "SingleStack";
  init_ip_family_fields(downgrade, &old, kDual);
  EXPECT_EQ(downgrade.at("spec").at("clusterIPs"), json::parse(R"(["10.43.0.5"])"));
  EXPECT_EQ(downgrade.at("spec").at("ipFamilies"), json::parse(R"(["IPv4"])"));
}

}  // namespace
}  // namespace ukube::admission::service_allocator
