// sdk/machinery's service_endpoints.h and trigger_time_tracker.h: what a pod means to a
// Service, which both endpoint controllers share.
#include <gtest/gtest.h>

#include "service_test_objects.h"
#include "ukube/machinery/service_endpoints.h"
#include "ukube/machinery/trigger_time_tracker.h"

namespace ukube::endpoints_test {
namespace {

using machinery::IPFamily;

json::object service_port(json::value target, const std::string& protocol = "TCP") {
  json::object port{{"name", "p"}, {"port", 80}, {"protocol", protocol}};
  if (!target.is_null()) port["targetPort"] = std::move(target);
  return port;
}

TEST(FindTargetPort, NumericTargetIsTakenAsItIs) {
  TestPod pod("p", "10.0.0.1");
  EXPECT_EQ(machinery::find_target_port(pod.object(), service_port(9376)), 9376);
}

TEST(FindTargetPort, MissingTargetMeansThePort) {
  TestPod pod("p", "10.0.0.1");
  EXPECT_EQ(machinery::find_target_port(pod.object(), service_port(nullptr)), 80);
}

TEST(FindTargetPort, NamedTargetResolvesPerPodByNameAndProtocol) {
  TestPod a("a", "10.0.0.1"), b("b", "10.0.0.2");
  a.port("http", 8080);
  b.port("dns", 53, "UDP").port("http", 9090);
  EXPECT_EQ(machinery::find_target_port(a.object(), service_port("http")), 8080);
  EXPECT_EQ(machinery::find_target_port(b.object(), service_port("http")), 9090);
  // Same name, other protocol: no match.
  EXPECT_EQ(machinery::find_target_port(b.object(), service_port("dns")), std::nullopt);
  EXPECT_EQ(machinery::find_target_port(b.object(), service_port("dns", "UDP")), 53);
  EXPECT_EQ(machinery::find_target_port(a.object(), service_port("metrics")), std::nullopt);
}

TEST(FindTargetPort, NamedTargetFindsSidecarPortsButNotPlainInitContainers) {
  TestPod pod("p", "10.0.0.1");
  pod.sidecar_port("proxy", 15001);
  EXPECT_EQ(machinery::find_target_port(pod.object(), service_port("proxy")), 15001);
  json::object plain = pod.object();
  plain["spec"].as_object()["initContainers"].as_array()[0].as_object().erase("restartPolicy");
  EXPECT_EQ(machinery::find_target_port(plain, service_port("proxy")), std::nullopt);
}

TEST(ResolvePorts, LeavesOutPortsThatDoNotResolveAndKeepsServiceOrder) {
  TestService service;
  service.ports(json::array{
      json::object{{"name", "web"}, {"port", 80}, {"targetPort", "http"}, {"appProtocol", "http"}},
      json::object{{"name", "admin"}, {"port", 81}, {"targetPort", "admin"}},
      json::object{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}, {"targetPort", 5353}}});
  TestPod pod("p", "10.0.0.1");
  pod.port("http", 8080);
  auto ports = machinery::resolve_ports(service.object(), pod.object());
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0], (machinery::EndpointPort{"web", 8080, "TCP", "http"}));
  EXPECT_EQ(ports[1], (machinery::EndpointPort{"dns", 5353, "UDP", std::nullopt}));
}

TEST(PodIps, PodIPsFirstElsePodIP) {
  EXPECT_EQ(machinery::pod_ips(TestPod("p", "10.0.0.1").object()), std::vector<std::string>{"10.0.0.1"});
  TestPod dual("d", "");
  dual.ips({"10.0.0.2", "fd00::2"});
  EXPECT_EQ(machinery::pod_ips(dual.object()), (std::vector<std::string>{"10.0.0.2", "fd00::2"}));
  EXPECT_EQ(machinery::pod_ip_of_family(dual.object(), IPFamily::IPv6), "fd00::2");
  EXPECT_TRUE(machinery::pod_ips(TestPod("n", "").object()).empty());
}

TEST(ShouldPodBeInEndpoints, NeedsAnIpAndALivePhaseAndTerminatingOnlyWhenAsked) {
  EXPECT_TRUE(machinery::should_pod_be_in_endpoints(TestPod("p", "10.0.0.1").object(), false));
  EXPECT_FALSE(machinery::should_pod_be_in_endpoints(TestPod("p", "").object(), true));
  EXPECT_FALSE(
      machinery::should_pod_be_in_endpoints(TestPod("p", "10.0.0.1").phase("Succeeded").object(), true));
  EXPECT_FALSE(
      machinery::should_pod_be_in_endpoints(TestPod("p", "10.0.0.1").phase("Failed").object(), true));
  TestPod terminating("t", "10.0.0.1");
  terminating.terminating();
  EXPECT_FALSE(machinery::should_pod_be_in_endpoints(terminating.object(), false));
  EXPECT_TRUE(machinery::should_pod_be_in_endpoints(terminating.object(), true));
}

TEST(PodEndpoint, ConditionsFollowReadinessTerminationAndPublishNotReady) {
  TestService service;
  TestPod ready("r", "10.0.0.1"), unready("u", "10.0.0.2"), leaving("t", "10.0.0.3");
  ready.ready();
  unready.not_ready();
  leaving.ready().terminating();
  auto r = machinery::pod_endpoint(service.object(), ready.object(), IPFamily::IPv4, true);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ready && r->serving && !r->terminating);
  auto u = machinery::pod_endpoint(service.object(), unready.object(), IPFamily::IPv4, true);
  EXPECT_TRUE(!u->ready && !u->serving && !u->terminating);
  auto t = machinery::pod_endpoint(service.object(), leaving.object(), IPFamily::IPv4, true);
  EXPECT_TRUE(!t->ready && t->serving && t->terminating);
  EXPECT_FALSE(machinery::pod_endpoint(service.object(), leaving.object(), IPFamily::IPv4, false));

  TestService publish;
  publish.publish_not_ready();
  EXPECT_TRUE(machinery::pod_endpoint(publish.object(), unready.object(), IPFamily::IPv4, true)->ready);
  EXPECT_TRUE(machinery::pod_endpoint(publish.object(), leaving.object(), IPFamily::IPv4, true)->ready);
}

TEST(PodEndpoint, CarriesAddressNodeTargetAndHostnameOnlyForItsSubdomain) {
  TestService service;
  TestPod pod("p", "10.0.0.1");
  pod.hostname("p-0", "web");
  auto ep = machinery::pod_endpoint(service.object(), pod.object(), IPFamily::IPv4, false);
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->addresses, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(ep->node_name, "n1");
  EXPECT_EQ(ep->hostname, "p-0");
  EXPECT_EQ(ep->target_ref(),
            (json::object{{"kind", "Pod"}, {"namespace", "default"}, {"name", "p"}, {"uid", "uid-p"}}));
  TestPod other("o", "10.0.0.2");
  other.hostname("o-0", "other-service");
  EXPECT_EQ(machinery::pod_endpoint(service.object(), other.object(), IPFamily::IPv4, false)->hostname, "");
  // No address of the asked family: the endpoint has none.
  EXPECT_TRUE(
      machinery::pod_endpoint(service.object(), pod.object(), IPFamily::IPv6, false)->addresses.empty());
}

TEST(ServiceFamilies, FromIpFamiliesElseClusterIpElseBothForHeadless) {
  TestService v4;
  EXPECT_EQ(machinery::service_ip_families(v4.object()), std::vector<IPFamily>{IPFamily::IPv4});
  TestService v6;
  v6.ipv6();
  EXPECT_EQ(machinery::service_ip_families(v6.object()), std::vector<IPFamily>{IPFamily::IPv6});
  json::object legacy = v6.object();
  legacy["spec"].as_object().erase("ipFamilies");
  EXPECT_EQ(machinery::service_ip_families(legacy), std::vector<IPFamily>{IPFamily::IPv6});
  json::object headless = TestService().headless().object();
  headless["spec"].as_object().erase("ipFamilies");
  EXPECT_EQ(machinery::service_ip_families(headless),
            (std::vector<IPFamily>{IPFamily::IPv4, IPFamily::IPv6}));
  TestPod pod("p", "fd00::5");
  EXPECT_EQ(machinery::endpoints_ip_family(headless, pod.object()), IPFamily::IPv6);
}

TEST(ServiceSelection, EmptyOrMissingSelectorSelectsNothingAndNamespacesMustMatch) {
  TestPod pod("p", "10.0.0.1");
  EXPECT_TRUE(machinery::selects(TestService().object(), pod.object()));
  EXPECT_FALSE(machinery::selects(TestService().no_selector().object(), pod.object()));
  EXPECT_FALSE(machinery::selects(TestService().selector(json::object{}).object(), pod.object()));
  EXPECT_FALSE(machinery::selects(TestService().selector({{"app", "api"}}).object(), pod.object()));
  json::object elsewhere = pod.object();
  elsewhere["metadata"].as_object()["namespace"] = "other";
  EXPECT_FALSE(machinery::selects(TestService().object(), elsewhere));
  EXPECT_FALSE(machinery::publishes_selected_pods(TestService().external_name().object()));
}

TEST(ServicesForPodChange, AddAndDeleteConcernTheSelectingServices) {
  std::vector<ObjectPtr> services{TestService("web").ptr(),
                                  TestService("api").selector({{"app", "api"}}).ptr(),
                                  TestService("all-web").selector({{"app", "web"}}).ptr()};
  TestPod pod("p", "10.0.0.1");
  EXPECT_EQ(machinery::services_for_pod_change(services, nullptr, &pod.object()),
            (std::vector<std::string>{"default/all-web", "default/web"}));
  EXPECT_EQ(machinery::services_for_pod_change(services, &pod.object(), nullptr),
            (std::vector<std::string>{"default/all-web", "default/web"}));
}

TEST(ServicesForPodChange, UpdatesConcernServicesOnlyWhenEndpointsOrMembershipMove) {
  std::vector<ObjectPtr> services{TestService("web").ptr(),
                                  TestService("api").selector({{"app", "api"}}).ptr()};
  TestPod before("p", "10.0.0.1");
  before.resource_version("1");
  // An annotation-like change: nothing to do.
  TestPod same = before;
  same.resource_version("2");
  EXPECT_TRUE(machinery::services_for_pod_change(services, &before.object(), &same.object()).empty());
  // Readiness moved: the Services selecting it.
  TestPod ready = before;
  ready.ready().resource_version("3");
  EXPECT_EQ(machinery::services_for_pod_change(services, &before.object(), &ready.object()),
            std::vector<std::string>{"default/web"});
  // A resync (same resourceVersion) concerns none.
  EXPECT_TRUE(machinery::services_for_pod_change(services, &ready.object(), &ready.object()).empty());
  // Relabelled: the Service it left and the one it joined.
  TestPod moved = before;
  moved.labels({{"app", "api"}}).resource_version("4");
  EXPECT_EQ(machinery::services_for_pod_change(services, &before.object(), &moved.object()),
            (std::vector<std::string>{"default/api", "default/web"}));
}

TEST(TriggerTimeTracker, FirstSyncIsTheServiceCreationThenTheEarliestChange) {
  machinery::TriggerTimeTracker tracker;
  TestService service;
  std::vector<ObjectPtr> pods{TestPod("a", "10.0.0.1").ready("2024-05-01T10:00:00Z").ptr()};
  auto first = tracker.compute(service.object(), pods);
  ASSERT_TRUE(first);
  EXPECT_EQ(machinery::format_rfc3339_nano(*first), "2024-05-01T09:00:00Z");
  EXPECT_FALSE(tracker.compute(service.object(), pods));
  pods.push_back(TestPod("b", "10.0.0.2").ready("2024-05-01T10:05:00Z").ptr());
  pods[0] = TestPod("a", "10.0.0.1").not_ready("2024-05-01T10:03:00Z").ptr();
  auto next = tracker.compute(service.object(), pods);
  ASSERT_TRUE(next);
  EXPECT_EQ(machinery::format_rfc3339_nano(*next), "2024-05-01T10:03:00Z");
  tracker.forget("default", "web");
  EXPECT_EQ(machinery::format_rfc3339_nano(*tracker.compute(service.object(), pods)), "2024-05-01T09:00:00Z");
}

TEST(TriggerTimeTracker, FormatsFractionsAsGoDoes) {
  auto t = *machinery::parse_time("2024-05-01T10:00:00Z") + std::chrono::milliseconds(500);
  EXPECT_EQ(machinery::format_rfc3339_nano(t), "2024-05-01T10:00:00.5Z");
}

}  // namespace
}  // namespace ukube::endpoints_test
