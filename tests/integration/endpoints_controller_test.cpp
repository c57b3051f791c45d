// The endpoints and EndpointSlice controllers in the real daemon, observed with real
// kubectl. No kubelet runs pods yet: the test creates the Node and writes the pod's status
// (its IP and readiness) as a kubelet would.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

const char* kEndpointControllers =
    "  - uri: ukube.controller.v1.endpoints\n"
    "  - uri: ukube.controller.v1.endpointslice\n"
    "  - uri: ukube.controller.v1.endpointslicemirroring\n"
    "  - uri: ukube.controller.v1.garbagecollector\n";

const char* kNode =
    "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels:\n"
    "    kubernetes.io/hostname: n1\n    topology.kubernetes.io/zone: zone-a\n";

const char* kPod =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web}\nspec:\n  nodeName: n1\n"
    "  containers:\n  - name: c\n    image: registry.k8s.io/pause:3.9\n"
    "    ports: [{name: http, containerPort: 80}]\n";

class EndpointsKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kEndpointControllers); }
  void set_status(bool ready) {
    ok("patch pod p --subresource=status --type=merge -p " +
       shell_quote(
           std::string(
               R"({"status":{"podIP":"10.42.0.5","phase":"Running","conditions":[{"type":"Ready","status":")") +
           (ready ? "True" : "False") + R"("}]}})"));
  }
  bool listed(const std::string& what, const std::string& text) {
    return eventually([&] { return (*kubectl_)("get " + what).out.find(text) != std::string::npos; },
                      std::chrono::seconds(30));
  }
};

TEST_F(EndpointsKubectl, ExposedPodIsListedInEndpointsAndEndpointSlices) {
  ok("create -f -", kNode);
  ok("create -f -", kPod);
  set_status(true);
  ok("expose pod p --port=80");

  EXPECT_TRUE(listed("endpoints p", "10.42.0.5:80")) << ok("get endpoints -o yaml");
  EXPECT_EQ(get("endpoints p", ".subsets[0].addresses[0].targetRef.name"), "p");
  EXPECT_EQ(get("endpoints p", ".subsets[0].addresses[0].nodeName"), "n1");

  EXPECT_TRUE(listed("endpointslices -l kubernetes.io/service-name=p", "10.42.0.5"))
      << ok("get endpointslices -o yaml");
  const std::string slice = "endpointslices -l kubernetes.io/service-name=p";
  EXPECT_EQ(get(slice, ".items[0].addressType"), "IPv4");
  EXPECT_EQ(get(slice, ".items[0].ports[0].port"), "80");
  EXPECT_EQ(get(slice, ".items[0].endpoints[0].conditions.ready"), "true");
  EXPECT_EQ(get(slice, ".items[0].endpoints[0].zone"), "zone-a");
  EXPECT_EQ(get(slice, ".items[0].metadata.labels.endpointslice\\.kubernetes\\.io/managed-by"),
            "endpointslice-controller.k8s.io");
  EXPECT_EQ(get(slice, ".items[0].metadata.ownerReferences[0].kind"), "Service");
  const std::string wide = ok("get " + slice);
  EXPECT_NE(wide.find("80"), std::string::npos) << wide;

  // Not ready any more: the address moves to notReadyAddresses, the endpoint is not ready.
  set_status(false);
  EXPECT_TRUE(reads("endpoints p", ".subsets[0].notReadyAddresses[0].ip", "10.42.0.5"))
      << ok("get endpoints p -o yaml");
  EXPECT_TRUE(reads(slice, ".items[0].endpoints[0].conditions.ready", "false"))
      << ok("get " + slice + " -o yaml");

  // The Service goes: its Endpoints are deleted, its slices go with it (they are owned by it).
  ok("delete service p");
  EXPECT_TRUE(
      eventually([&] { return (*kubectl_)("get endpoints p").exit_code != 0; }, std::chrono::seconds(30)))
      << ok("get endpoints");
  EXPECT_TRUE(reads(slice, ".items[*].metadata.name", "")) << ok("get endpointslices");
}

// A Service without a selector: the user writes its Endpoints, and the mirroring
// controller publishes them as an EndpointSlice, which goes when the Endpoints go.
TEST_F(EndpointsKubectl, EndpointsOfAServiceWithoutSelectorAreMirrored) {
  ok("apply -f -",
     "apiVersion: v1\nkind: Service\nmetadata:\n  name: external\nspec:\n  ports: [{port: 80, targetPort: "
     "8080}]\n");
  ok("apply -f -",
     "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: external\nsubsets:\n"
     "- addresses: [{ip: 192.0.2.10}, {ip: 192.0.2.11}]\n  ports: [{port: 8080, protocol: TCP}]\n");
  const std::string selector = "endpointslices -l kubernetes.io/service-name=external";
  ASSERT_TRUE(listed(selector, "192.0.2.10,192.0.2.11")) << ok("get " + selector + " -o yaml");
  EXPECT_EQ(ok("get " + selector + " -o jsonpath=" +
               shell_quote(R"({.items[0].metadata.labels.endpointslice\.kubernetes\.io/managed-by})")),
            "endpointslicemirroring-controller.k8s.io");
  EXPECT_EQ(ok("get " + selector + " -o jsonpath={.items[0].ports[0].port}"), "8080");

  ok("delete endpoints external");
  EXPECT_TRUE(
      eventually([&] { return ok("get " + selector + " -o name").empty(); }, std::chrono::seconds(30)))
      << ok("get " + selector + " -o yaml");
}

}  // namespace
}  // namespace ukube::testing
