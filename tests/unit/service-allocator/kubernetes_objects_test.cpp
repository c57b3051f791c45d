// The objects the API server keeps about itself, as upstream's kube-apiserver writes them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "admission/service-allocator/kubernetes_objects.h"

namespace ukube::admission::service_allocator {
namespace {

IPAddress address_of(const char* text) {
  return *IPAddress::parse(text);
}

TEST(KubernetesObjects, ServiceEndpointsAndSlice) {
  auto service = kubernetes_service(address_of("10.43.0.1"), 6443);
  EXPECT_EQ(service.at("metadata"),
            json::parse(R"({"name":"kubernetes","namespace":"default","labels":{"component":"apiserver",)"
                        R"("provider":"kubernetes"}})"));
  EXPECT_EQ(service.at("spec"),
            json::parse(R"({"type":"ClusterIP","clusterIP":"10.43.0.1","sessionAffinity":"None",)"
                        R"("ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}]})"));
  auto endpoints = kubernetes_endpoints(address_of("192.168.1.10"), 6443);
  EXPECT_EQ(endpoints.at("metadata").at("labels"),
            json::parse(R"({"endpointslice.kubernetes.io/skip-mirror":"true"})"));
  EXPECT_EQ(endpoints.at("subsets"),
            json::parse(R"([{"addresses":[{"ip":"192.168.1.10"}],)"
                        R"("ports":[{"name":"https","port":6443,"protocol":"TCP"}]}])"));
  auto slice = kubernetes_endpoint_slice(address_of("fd00::10"), 6443);
  EXPECT_EQ(slice.at("addressType"), "IPv6");
  // Upstream's API server writes the slice with no managed-by label: the EndpointSlice
  // controller leaves it alone.
  EXPECT_EQ(slice.at("metadata").at("labels"), json::parse(R"({"kubernetes.io/service-name":"kubernetes"})"));
  EXPECT_EQ(slice.at("endpoints"),
            json::parse(R"([{"addresses":["fd00::10"],"conditions":{"ready":true}}])"));
}

TEST(KubernetesObjects, OnlyOwnedFieldsAreComparedAndPutBack) {
  auto desired = kubernetes_service(address_of("10.43.0.1"), 6443);
  json::object stored = desired;
  stored["metadata"].as_object()["resourceVersion"] = "12";
  stored["spec"].as_object()["clusterIPs"] = json::array{"10.43.0.1"};
  stored["spec"].as_object()["ipFamilies"] = json::array{"IPv4"};
  EXPECT_TRUE(owned_fields_match(stored, desired));
  stored["spec"].as_object()["ports"].as_array()[0].as_object()["targetPort"] = 8443;
  stored["spec"].as_object()["type"] = "NodePort";
  EXPECT_FALSE(owned_fields_match(stored, desired));
  auto fixed = with_owned_fields(stored, desired);
  EXPECT_TRUE(owned_fields_match(fixed, desired));
  EXPECT_EQ(fixed.at("metadata").at("resourceVersion"), "12");
  EXPECT_EQ(fixed.at("spec").at("ipFamilies"), json::parse(R"(["IPv4"])"));

  auto cidr = default_service_cidr({*IPPrefix::parse("10.43.0.0/16"), *IPPrefix::parse("fd00:43::/112")});
  EXPECT_EQ(cidr.at("spec"), json::parse(R"({"cidrs":["10.43.0.0/16","fd00:43::/112"]})"));
  EXPECT_FALSE(cidr.at("metadata").as_object().contains("namespace"));
}

}  // namespace
}  // namespace ukube::admission::service_allocator
