// Service cluster IPs, node ports and the kubernetes Service in the real daemon, as real
// kubectl sees them: what `kubectl create service` and `kubectl expose` get, upstream's
// errors as kubectl prints them, releases, and consistency across a kill -9.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

// The allocator with a short grace period, so leftovers go within the test, and the
// controllers that would take the kubernetes Service's endpoints for theirs if they could.
const char* kPlugins =
    "  - uri: ukube.admission.v1.service-allocator\n"
    "    config: {ip_grace_seconds: 2, repair_interval_seconds: 2}\n"
    "  - uri: ukube.controller.v1.endpoints\n"
    "  - uri: ukube.controller.v1.endpointslice\n";

std::map<std::string, std::string> pairs(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string key, value; in >> key >> value;) out[key] = value;
  return out;
}

class ServicesKubectl : public KubectlFixture<::testing::TestWithParam<std::string>> {
 protected:
  void SetUp() override {
    const std::string binary = kubectl_binary(GetParam());
    ASSERT_FALSE(binary.empty()) << "kubectl." << GetParam() << " not found beside the kubectl on PATH";
    start_node(binary, kPlugins);
  }
  // The API server's real port, from the kubeconfig the daemon wrote.
  std::string api_port() {
    const std::string url = kubeconfig_server(node_->kubeconfig());
    return url.substr(url.rfind(':') + 1);
  }
  // Runs kubectl, expects it to fail, and to say `text`.
  void refused_saying(const std::string& args, const std::string& text) {
    CommandResult r = refused(args);
    EXPECT_NE(r.out.find(text), std::string::npos) << "kubectl " << args << "\n" << r.out;
  }
  bool gone(const std::string& what) {
    return eventually([&] { return (*kubectl_)("get " + what).exit_code != 0; }, std::chrono::seconds(30));
  }
  // name -> clusterIP of every Service, and address -> parent Service of every IPAddress.
  std::map<std::string, std::string> service_ips() {
    return pairs(get("svc -A", R"(range .items[*]}{.metadata.name} {.spec.clusterIP}{"\n"}{end)"));
  }
  std::map<std::string, std::string> ip_parents() {
    return pairs(get("ipaddresses", R"(range .items[*]}{.metadata.name} {.spec.parentRef.name}{"\n"}{end)"));
  }
};

TEST_P(ServicesKubectl, TheKubernetesServicePointsAtTheAPIServer) {
  EXPECT_TRUE(reads("svc kubernetes", ".spec.clusterIP", "10.43.0.1")) << ok("get svc -A");
  EXPECT_EQ(get("svc kubernetes", ".spec.ports[0].name"), "https");
  EXPECT_EQ(get("svc kubernetes", ".spec.ports[0].port"), "443");
  EXPECT_EQ(get("svc kubernetes", ".spec.ports[0].targetPort"), api_port());
  EXPECT_EQ(get("svc kubernetes", ".metadata.labels.component"), "apiserver");
  EXPECT_EQ(get("svc kubernetes", ".metadata.labels.provider"), "kubernetes");
  EXPECT_TRUE(reads("endpoints kubernetes", ".subsets[0].addresses[0].ip", "127.0.0.1"));
  EXPECT_EQ(get("endpoints kubernetes", ".subsets[0].ports[0].port"), api_port());
  EXPECT_TRUE(reads("endpointslices kubernetes", ".endpoints[0].addresses[0]", "127.0.0.1"));
  EXPECT_EQ(get("endpointslices kubernetes", ".ports[0].port"), api_port());
  EXPECT_EQ(get("endpointslices kubernetes", ".metadata.labels.kubernetes\\.io/service-name"), "kubernetes");
  const std::string services = ok("get svc kubernetes");
  EXPECT_NE(services.find("ClusterIP   10.43.0.1    <none>        443/TCP"), std::string::npos) << services;
  const std::string cidrs = ok("get servicecidrs");
  EXPECT_NE(cidrs.find("kubernetes   10.43.0.0/16"), std::string::npos) << cidrs;
  const std::string ips = ok("get ipaddresses");
  EXPECT_NE(ips.find("10.43.0.1   services/default/kubernetes"), std::string::npos) << ips;

  // The endpoints controllers leave the API server's objects alone, and a deleted one
  // comes back.
  ok("delete endpointslice kubernetes");
  EXPECT_TRUE(reads("endpointslices kubernetes", ".endpoints[0].addresses[0]", "127.0.0.1"));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(get("endpoints kubernetes", ".subsets[0].addresses[0].ip"), "127.0.0.1");
  EXPECT_EQ(get("endpointslices kubernetes", ".endpoints[0].addresses[0]"), "127.0.0.1");
  EXPECT_EQ(get("endpointslices -l kubernetes.io/service-name=kubernetes", ".items[*].metadata.name"),
            "kubernetes");
}

TEST_P(ServicesKubectl, ClusterIPsAreAllocatedWithUpstreamsErrors) {
  ok("create service clusterip web --tcp=80:8080");
  const std::string web = get("svc web", ".spec.clusterIP");
  EXPECT_EQ(web.rfind("10.43.", 0), 0u) << web;
  EXPECT_NE(web, "10.43.0.1");
  EXPECT_EQ(get("svc web", ".spec.clusterIPs[0]"), web);
  EXPECT_EQ(get("svc web", ".spec.ipFamilies[0]"), "IPv4");
  EXPECT_EQ(get("svc web", ".spec.ipFamilyPolicy"), "SingleStack");
  EXPECT_EQ(get("ipaddress " + web, ".spec.parentRef.name"), "web");

  ok("create service clusterip pinned --tcp=80 --clusterip=10.43.0.5");
  EXPECT_EQ(get("svc pinned", ".spec.clusterIP"), "10.43.0.5");
  refused_saying("create service clusterip again --tcp=80 --clusterip=10.43.0.5",
                 "Service \"again\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.0.5\"}: "
                 "failed to allocate IP 10.43.0.5: provided IP is already allocated");
  refused_saying("create service clusterip again --tcp=80 --clusterip=10.44.0.5",
                 "failed to allocate IP 10.44.0.5: the provided network does not match the current "
                 "range");
  refused_saying("create service clusterip again --tcp=80 --clusterip=10.43.0.0",
                 "failed to allocate IP 10.43.0.0: the provided IP (10.43.0.0) is not in the valid "
                 "range. The range of valid IPs is 10.43.0.0/16");

  // Headless and ExternalName Services get no address.
  ok("create service clusterip db --clusterip=None --tcp=5432");
  EXPECT_EQ(get("svc db", ".spec.clusterIPs[0]"), "None");
  ok("create service externalname mail --external-name=mail.example.com");
  EXPECT_EQ(get("svc mail", ".spec.clusterIP"), "");
  const std::string table = ok("get svc db mail");
  EXPECT_NE(table.find("ClusterIP      None"), std::string::npos) << table;
  EXPECT_NE(table.find("ExternalName   <none>       mail.example.com"), std::string::npos) << table;

  // A deleted Service's address is released and can be asked for again.
  ok("delete svc pinned");
  EXPECT_TRUE(gone("ipaddress 10.43.0.5")) << ok("get ipaddresses");
  ok("create service clusterip again --tcp=80 --clusterip=10.43.0.5");
  EXPECT_EQ(get("ipaddress 10.43.0.5", ".spec.parentRef.name"), "again");
}

TEST_P(ServicesKubectl, NodePortsAreAllocatedWithUpstreamsErrors) {
  ok("create service nodeport web --tcp=80:8080 --node-port=30080");
  EXPECT_EQ(get("svc web", ".spec.ports[0].nodePort"), "30080");
  const std::string table = ok("get svc web");
  EXPECT_NE(table.find("80:30080/TCP"), std::string::npos) << table;
  refused_saying("create service nodeport api --tcp=80 --node-port=30080",
                 "Service \"api\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port "
                 "is already allocated");
  refused_saying("create service nodeport api --tcp=80 --node-port=29999",
                 "spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid "
                 "range. The range of valid ports is 30000-32767");
  ok("create service nodeport api --tcp=80");
  const int picked = std::stoi(get("svc api", ".spec.ports[0].nodePort"));
  EXPECT_GE(picked, 30000);
  EXPECT_LE(picked, 32767);
  EXPECT_NE(picked, 30080);
  // The port is free once its Service is gone.
  ok("delete svc web");
  EXPECT_TRUE(eventually(
      [&] { return (*kubectl_)("create service nodeport other --tcp=80 --node-port=30080").exit_code == 0; },
      std::chrono::seconds(30)));
}

TEST_P(ServicesKubectl, ExposedDeploymentsGetAnAddress) {
  ok("create deployment web --image=registry.k8s.io/pause:3.9 --port=8080");
  ok("expose deployment web --port=80 --target-port=8080");
  const std::string ip = get("svc web", ".spec.clusterIP");
  EXPECT_EQ(ip.rfind("10.43.", 0), 0u) << ip;
  EXPECT_EQ(get("svc web", ".spec.selector.app"), "web");
  EXPECT_EQ(get("ipaddress " + ip, ".spec.parentRef.name"), "web");
  // A second expose with the type NodePort, through the same admission step.
  ok("expose deployment web --name=web-np --type=NodePort --port=80 --target-port=8080");
  EXPECT_NE(get("svc web-np", ".spec.ports[0].nodePort"), "");
}

TEST_P(ServicesKubectl, AKillDuringCreatesLeavesNoDuplicateAndNoLeak) {
  ASSERT_TRUE(reads("svc kubernetes", ".spec.clusterIP", "10.43.0.1"));
  // A burst of creates, cut short by kill -9.
  std::string burst = "for i in $(seq 1 30); do " +
                      kubectl_->command("create service clusterip s$i --tcp=80") + " >/dev/null 2>&1; done";
  {
    BackgroundCommand creates("sh -c " + shell_quote(burst), node_->dir() / "burst.log");
    eventually([&] { return service_ips().size() >= 6; }, std::chrono::seconds(30));
    node_->kill_daemon();
  }
  // What a crash right after the IPAddress write leaves, put in the store by hand: an
  // address for a Service that was never written.
  node_->start_daemon();
  ASSERT_TRUE(
      eventually([&] { return (*kubectl_)("get svc kubernetes").exit_code == 0; }, std::chrono::seconds(30)))
      << node_->log();
  ok("create -f -",
     "apiVersion: networking.k8s.io/v1\nkind: IPAddress\nmetadata:\n  name: 10.43.200.1\n  labels:\n"
     "    ipaddress.kubernetes.io/managed-by: ipallocator.k8s.io\n    ipaddress.kubernetes.io/ip-family: "
     "IPv4\n"
     "spec:\n  parentRef: {resource: services, namespace: default, name: ghost}\n");
  for (int i = 0; i < 5; ++i) ok("create service clusterip after" + std::to_string(i) + " --tcp=80");

  // Every Service holds its own address, and every IPAddress belongs to the Service that
  // holds it: nothing shared, nothing leaked once the grace period is over.
  EXPECT_TRUE(eventually(
      [&] {
        auto services = service_ips();
        auto parents = ip_parents();
        std::set<std::string> distinct;
        for (const auto& [name, ip] : services) distinct.insert(ip);
        if (distinct.size() != services.size() || parents.size() != services.size()) return false;
        for (const auto& [name, ip] : services)
          if (parents[ip] != name) return false;
        return true;
      },
      std::chrono::seconds(30)))
      << ok("get svc -A") << ok("get ipaddresses");
  EXPECT_TRUE(gone("ipaddress 10.43.200.1"));
}

INSTANTIATE_TEST_SUITE_P(Versions, ServicesKubectl, ::testing::Values("1.30", "1.33"), [](const auto& info) {
  return "kubectl_" + std::string(info.param).replace(1, 1, "_");
});

}  // namespace
}  // namespace ukube::testing
