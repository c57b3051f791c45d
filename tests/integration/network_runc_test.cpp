// Pod networking in the real daemon, observed with real kubectl: runc pods on the bridge of
// cni-bridge, with addresses of the podCIDR the nodeipam controller gave the node. Needs
// root, runc and the CNI plugins (CI runs it as root); elsewhere it skips, saying why. The
// test's bridge and pod CIDR are its own (10.42.252.0/24 on ukt-net-e2e); TearDown removes
// them, the containers and the NAT rules, even after a failure.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/integration/kubectl_fixture.h"
#include "tests/support/pod_network.h"
#include "tests/support/runc_leftovers.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBridge = "ukt-net-e2e";
constexpr const char* kSubnet = "10.42.252.";

class PodNetworkE2E : public KubectlFixture<> {
 protected:
  void SetUp() override {
    if (std::string why = runc_unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    if (std::string why = pod_network_unavailable(); !why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
    remove_pod_network(kBridge, kBridge);
    metrics_port_ = free_loopback_port();
    start_node(newest_kubectl(),
               "  - uri: ukube.authorizer.v1.node\n"
               "  - uri: ukube.admission.v1.node-restriction\n"
               "  - uri: ukube.authenticator.v1.serviceaccount\n"
               "  - uri: ukube.admission.v1.service-account\n"
               "  - uri: ukube.controller.v1.serviceaccount\n"
               "  - uri: ukube.controller.v1.root-ca-cert-publisher\n"
               "  - uri: ukube.scheduler.v1.default\n"
               "  - uri: ukube.controller.v1.endpointslice\n"
               "  - uri: ukube.admission.v1.service-allocator\n"
               "    config: {service_cidr: 10.43.252.0/24}\n"
               "  - uri: ukube.controller.v1.nodeipam\n"
               "    config: {cluster_cidr: 10.42.252.0/24, node_cidr_mask_size: 24}\n"
               "  - uri: ukube.runtime.v1.runc\n"
               "  - uri: ukube.network.v1.cni-bridge\n"
               "    config: {bridge: ukt-net-e2e, network_name: ukt-net-e2e}\n"
               "  - uri: ukube.proxy.v1.proxy\n"
               "    config: {node_name: net-node, table: ukt-net-e2e, cluster_cidr: 10.42.252.0/24,"
               " service_cidr: 10.43.252.0/24, metrics_address: '127.0.0.1:" +
                   std::to_string(metrics_port_) +
                   "'}\n"
                   "  - uri: ukube.networkpolicy.v1.nftables\n"
                   "    config: {node_name: net-node, table: ukt-net-e2e-np}\n"
                   "  - uri: ukube.dns.v1.dns\n"
                   "    config: {listen: ['127.0.0.1:0'], service_ip: 10.43.252.53}\n"
                   "  - uri: ukube.kubelet.v1.kubelet\n"
                   "    config: {node_name: net-node, port: 0, cluster_dns: [10.43.252.53]}\n");
    started_ = true;
  }

  void TearDown() override {
    if (!started_) return;
    KubectlFixture<>::TearDown();
    (*kubectl_)("delete pods --all --timeout=60s");
    node_->kill_daemon();
    remove_node_runc_leftovers(node_->dir());
    remove_pod_network(kBridge, kBridge);
    shell(std::string("nft delete table ip ") + kBridge);
    shell(std::string("nft delete table ip ") + kBridge + "-np");
  }

  // A Service over the web pods, at `cluster_ip` (in the test's service CIDR).
  std::string web_service(const std::string& name, const std::string& cluster_ip,
                          const std::string& extra = "") {
    return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name +
           "}\nspec:\n  selector: {app: web}\n"
           "  clusterIP: " +
           cluster_ip + "\n  ports:\n  - {name: http, port: 80, targetPort: 8080" + extra + "}\n";
  }
  // The proxy programmed `element` (an address . protocol . port) into the table.
  bool proxied(const std::string& element) {
    return eventually([&] {
      return shell(std::string("nft list map ip ") + kBridge + " service-ips").out.find(element) !=
             std::string::npos;
    });
  }

  // busybox httpd serving "<name>" on :8080, and a shell to send requests from.
  std::string web_pod(const std::string& name) {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name +
           ", labels: {app: web}}\nspec:\n"
           "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.35\n"
           "    command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h "
           "/www']\n";
  }
  std::string running_ip(const std::string& pod) {
    EXPECT_TRUE(
        eventually([&] { return get("pod " + pod, ".status.phase") == "Running"; }, std::chrono::seconds(60)))
        << ok("describe pod " + pod);
    return get("pod " + pod, ".status.podIP");
  }
  std::string fetch_from(const std::string& pod, const std::string& url) {
    return (*kubectl_)("exec " + pod + " -- timeout 5 wget -q -O - " + url).out;
  }
  // Ten requests from `pod` in a row all got `answer`.
  bool only_answer(const std::string& pod, const std::string& url, const std::string& answer) {
    for (int i = 0; i < 10; ++i)
      if (fetch_from(pod, url) != answer) return false;
    return true;
  }
  size_t log_count(const std::string& line) const {
    const std::string log = node_->log();
    size_t n = 0;
    for (size_t at = log.find(line); at != std::string::npos; at = log.find(line, at + line.size())) ++n;
    return n;
  }
  fs::path leases() const { return node_->dir() / "data/plugins/ukube.network.v1.cni-bridge/ipam" / kBridge; }

  bool started_ = false;
  int metrics_port_ = 0;  // the proxy's /metrics
};

TEST_F(PodNetworkE2E, PodsGetAddressesOfTheNodesPodCidrAndReachEachOther) {
  EXPECT_TRUE(eventually([&] { return get("node net-node", ".spec.podCIDR") == "10.42.252.0/24"; }))
      << ok("get node net-node -o yaml");
  ok("create -f -", web_pod("alpha"));
  ok("create -f -", web_pod("beta"));
  const std::string alpha = running_ip("alpha");
  const std::string beta = running_ip("beta");
  EXPECT_TRUE(alpha.starts_with(kSubnet)) << alpha;
  EXPECT_TRUE(beta.starts_with(kSubnet)) << beta;
  EXPECT_NE(alpha, beta);
  EXPECT_EQ(get("pod alpha", ".status.podIPs[0].ip"), alpha);
  EXPECT_EQ(fetch_from("alpha", "http://" + beta + ":8080/"), "beta\n");
  EXPECT_EQ(fetch_from("beta", "http://" + alpha + ":8080/"), "alpha\n");
  // The pod's interfaces: lo and eth0 with its address; the node reaches it too.
  EXPECT_NE(ok("exec alpha -- ip -4 addr show eth0").find(alpha + "/24"), std::string::npos);
  EXPECT_EQ(shell("timeout 5 busybox wget -q -O - http://" + alpha + ":8080/").out, "alpha\n");
  EXPECT_EQ(get("node net-node", R"(.status.conditions[?(@.type=="Ready")].status)"), "True");
}

TEST_F(PodNetworkE2E, ADeletedPodLeavesNoLeaseOrLinkBehind) {
  ok("create -f -", web_pod("brief"));
  const std::string ip = running_ip("brief");
  ASSERT_TRUE(fs::exists(leases() / ip));
  EXPECT_NE(shell(std::string("ip -o link show master ") + kBridge).out.find("veth"), std::string::npos);
  ok("delete pod brief --timeout=60s");
  EXPECT_FALSE(fs::exists(leases() / ip));
  EXPECT_EQ(shell(std::string("ip -o link show master ") + kBridge).out.find("veth"), std::string::npos);
  EXPECT_EQ(shell("iptables -t nat -S POSTROUTING").out.find(std::string("\\\"") + kBridge + "\\\""),
            std::string::npos)
      << "the pod's masquerade rule went with it";
}

TEST_F(PodNetworkE2E, AKilledDaemonLeavesPodsConnectedAndTheRestartKeepsTheirAddresses) {
  ok("create -f -", web_pod("steady"));
  ok("create -f -", web_service("steady", "10.43.252.40"));
  const std::string steady = running_ip("steady");
  // The Service answers before the client starts asking, so every answer it notes counts.
  ASSERT_TRUE(eventually([&] {
    return shell("timeout 5 busybox wget -q -O - http://10.43.252.40/").out == "steady\n";
  })) << "the Service never answered";
  // The client asks the Service five times a second and notes each answer, daemon or not.
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  terminationGracePeriodSeconds: 1\n"
     "  containers:\n  - name: c\n    image: busybox:1.35\n    command: [sh, -c, 'while true; do "
     "timeout 2 wget -q -O - http://10.43.252.40/ >> /answers || echo failed >> /answers; sleep 0.2; "
     "done']\n");
  running_ip("client");
  ASSERT_TRUE(eventually([&] {
    return ok("exec client -- cat /answers").find("steady") != std::string::npos;
  })) << ok("exec client -- cat /answers");
  const size_t before = ok("exec client -- cat /answers").size();
  node_->kill_daemon();
  // Without the daemon, the pods still answer, directly and through the Service.
  EXPECT_EQ(shell("timeout 5 busybox wget -q -O - http://" + steady + ":8080/").out, "steady\n");
  EXPECT_EQ(shell("timeout 5 busybox wget -q -O - http://10.43.252.40/").out, "steady\n");
  ::sleep(2);
  node_->start_daemon();
  // Through the outage and the restart's full resync, every answer came from the Service.
  std::string answers;
  ASSERT_TRUE(eventually([&] {
    auto r = (*kubectl_)("exec client -- cat /answers");
    answers = r.out;
    return r.exit_code == 0 && answers.size() > before + 10 * std::string("steady\n").size();
  })) << answers;
  EXPECT_EQ(answers.find("failed", before), std::string::npos) << answers;
  // kubectl exec needs the restarted API server; the pods never stopped answering.
  EXPECT_TRUE(eventually([&] { return fetch_from("client", "http://" + steady + ":8080/") == "steady\n"; }))
      << fetch_from("client", "http://" + steady + ":8080/");
  EXPECT_EQ(get("pod steady", ".status.podIP"), steady);
  ok("create -f -", web_pod("later"));
  const std::string later = running_ip("later");
  EXPECT_TRUE(later.starts_with(kSubnet));
  EXPECT_NE(later, steady) << "a restarted daemon does not hand out an address in use";
  EXPECT_EQ(fetch_from("later", "http://" + steady + ":8080/"), "steady\n");
}

// A config reload that re-creates the network driver (a changed setting; a new build alike)
// re-creates the kubelet with it; running pods keep their links and addresses.
TEST_F(PodNetworkE2E, AReloadedNetworkDriverKeepsPodsReachable) {
  ok("create -f -", web_pod("first"));
  ok("create -f -", web_pod("second"));
  const std::string first = running_ip("first");
  running_ip("second");
  const fs::path config = node_->dir() / "ukube.yaml";
  std::string text = read_file(config);
  const std::string entry = "network_name: ukt-net-e2e}";
  ASSERT_NE(text.find(entry), std::string::npos);
  text.replace(text.find(entry), entry.size(), "network_name: ukt-net-e2e, hairpin_mode: false}");
  std::ofstream(config) << text;
  node_->daemon().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return log_count("plugin ukube.kubelet.v1.kubelet running") == 2; },
                         std::chrono::seconds(60)))
      << node_->log();
  EXPECT_EQ(log_count("plugin ukube.network.v1.cni-bridge running"), 2u);
  EXPECT_EQ(fetch_from("second", "http://" + first + ":8080/"), "first\n");
  ok("create -f -", web_pod("third"));
  const std::string third = running_ip("third");
  EXPECT_TRUE(third.starts_with(kSubnet)) << third;
  EXPECT_EQ(fetch_from("third", "http://" + first + ":8080/"), "first\n");
  EXPECT_EQ(get("pod first", ".status.podIP"), first);
}

TEST_F(PodNetworkE2E, APodReachesAServiceByItsClusterIpAndTrafficIsSpread) {
  ok("create -f -", web_pod("web-1"));
  ok("create -f -", web_pod("web-2"));
  ok("create -f -", web_pod("client"));
  for (const char* pod : {"web-1", "web-2", "client"}) running_ip(pod);
  ok("create -f -", web_service("web", "10.43.252.10"));
  ASSERT_TRUE(proxied("10.43.252.10 . tcp . 80")) << shell(std::string("nft list table ip ") + kBridge).out;
  ASSERT_TRUE(eventually([&] {
    return shell(std::string("nft list chain ip ") + kBridge + " svc-default/web/tcp/http")
               .out.find("mod 3") != std::string::npos;
  })) << "the client pod has app=web too: three endpoints";
  std::set<std::string> answered;
  for (int i = 0; i < 30 && answered.size() < 3; ++i)
    answered.insert(fetch_from("client", "http://10.43.252.10/"));
  EXPECT_EQ(answered, (std::set<std::string>{"web-1\n", "web-2\n", "client\n"}));
  // From the node too, and a pod through its own Service (hairpin).
  EXPECT_NE(shell("timeout 5 busybox wget -q -O - http://10.43.252.10/").out, "");
  std::set<std::string> from_web1;
  for (int i = 0; i < 30 && !from_web1.count("web-1\n"); ++i)
    from_web1.insert(fetch_from("web-1", "http://10.43.252.10/"));
  EXPECT_TRUE(from_web1.count("web-1\n")) << "hairpin: web-1 reaches itself through the Service";
  // The proxy's own figures, where kube-proxy serves them.
  const std::string metrics =
      shell("timeout 5 busybox wget -q -O - http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics")
          .out;
  EXPECT_NE(metrics.find("\nkubeproxy_sync_proxy_rules_duration_seconds_count "), std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("\nkubeproxy_sync_proxy_rules_duration_seconds_count 0\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nukube_proxy_nftables_rules "), std::string::npos) << metrics;
  EXPECT_EQ(
      shell("timeout 5 busybox wget -q -O - http://127.0.0.1:" + std::to_string(metrics_port_) + "/healthz")
          .out,
      "ok");
  // An address of the service CIDR that no Service holds is refused, not routed away.
  EXPECT_NE((*kubectl_)("exec client -- timeout 5 wget -q -O - http://10.43.252.99/").out.find("refused"),
            std::string::npos);
}

TEST_F(PodNetworkE2E, APodResolvesServicesByNameThroughTheClusterDns) {
  ok("create -f -", web_pod("web-1"));
  running_ip("web-1");
  ok("create -f -", web_service("web", "10.43.252.11"));
  ok("create -f -", web_pod("asker"));  // after the Service: it gets the Service's variables
  running_ip("asker");
  ASSERT_TRUE(proxied("10.43.252.53 . udp . 53")) << ok("get svc,endpointslices -n kube-system");
  const std::string resolv = ok("exec asker -- cat /etc/resolv.conf");
  EXPECT_NE(resolv.find("nameserver 10.43.252.53\n"), std::string::npos) << resolv;
  EXPECT_NE(resolv.find("search default.svc.cluster.local svc.cluster.local cluster.local"),
            std::string::npos)
      << resolv;
  EXPECT_NE(resolv.find("options ndots:5"), std::string::npos) << resolv;
  const std::string answer = ok("exec asker -- nslookup web.default.svc.cluster.local");
  EXPECT_NE(answer.find("10.43.252.11"), std::string::npos) << answer;
  EXPECT_TRUE(eventually([&] {
    return fetch_from("asker", "http://web.default.svc.cluster.local/") == "web-1\n";
  })) << fetch_from("asker", "http://web.default.svc.cluster.local/");
  EXPECT_EQ(ok("exec asker -- sh -c 'echo $WEB_SERVICE_HOST:$WEB_SERVICE_PORT'"), "10.43.252.11:80\n");
}

TEST_F(PodNetworkE2E, NodePortAndLoadBalancerServicesAnswerOnTheNodeAndOnLocalhost) {
  ok("create -f -", web_pod("web-1"));
  running_ip("web-1");
  const int node_port = 30000 + (::getpid() % 2700);
  const int lb_port = free_loopback_port();
  ok("create -f -",
     "apiVersion: v1\nkind: Service\nmetadata: {name: np}\nspec:\n  type: NodePort\n  selector: {app: web}\n"
     "  clusterIP: 10.43.252.20\n  ports:\n  - {port: 80, targetPort: 8080, nodePort: " +
         std::to_string(node_port) + "}\n");
  ok("create -f -",
     "apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nspec:\n  type: LoadBalancer\n  selector: {app: "
     "web}\n"
     "  clusterIP: 10.43.252.21\n  ports:\n  - {port: " +
         std::to_string(lb_port) + ", targetPort: 8080, nodePort: " + std::to_string(node_port + 1) + "}\n");
  ASSERT_TRUE(proxied("10.43.252.20 . tcp . 80"));
  EXPECT_TRUE(eventually([&] { return get("svc lb", ".status.loadBalancer.ingress[0].ip") == "127.0.0.1"; }))
      << ok("get svc lb -o yaml");
  EXPECT_TRUE(eventually([&] {
    return shell("timeout 5 busybox wget -q -O - http://127.0.0.1:" + std::to_string(node_port) + "/").out ==
           "web-1\n";
  })) << shell(std::string("nft list table ip ") + kBridge).out;
  EXPECT_TRUE(eventually([&] {
    return shell("timeout 5 busybox wget -q -O - http://127.0.0.1:" + std::to_string(lb_port) + "/").out ==
           "web-1\n";
  }));
  EXPECT_EQ(shell(std::string("timeout 5 busybox wget -q -O - http://") + kSubnet +
                  "1:" + std::to_string(node_port) + "/")
                .out,
            "web-1\n")
      << "the node port answers on the node's other addresses too";
}

TEST_F(PodNetworkE2E, AnEndpointThatGoesStopsReceivingTraffic) {
  ok("create -f -", web_pod("stays"));
  ok("create -f -", web_pod("goes"));
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: caller}\nspec:\n  terminationGracePeriodSeconds: 1\n"
     "  containers:\n  - name: c\n    image: busybox:1.35\n    command: [sleep, '3600']\n");
  for (const char* pod : {"stays", "goes", "caller"}) running_ip(pod);
  ok("create -f -", web_service("web", "10.43.252.30"));
  ASSERT_TRUE(eventually([&] {
    return shell(std::string("nft list chain ip ") + kBridge + " svc-default/web/tcp/http")
               .out.find("mod 2") != std::string::npos;
  }));
  ok("delete pod goes --wait=false");
  // Once the slice lost it, no new connection goes there.
  ASSERT_TRUE(eventually([&] {
    return get("endpointslices -l kubernetes.io/service-name=web", ".items[0].endpoints[*].targetRef.name") ==
           "stays";
  }));
  EXPECT_TRUE(eventually([&] { return only_answer("caller", "http://10.43.252.30/", "stays\n"); },
                         std::chrono::seconds(5)));
  // An endpoint whose readiness probe fails leaves the rotation the same way.
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: wavers, labels: {app: web}}\nspec:\n"
     "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.35\n"
     "    command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && touch /ready && "
     "exec httpd -f -p 8080 -h /www']\n"
     "    readinessProbe: {exec: {command: [cat, /ready]}, periodSeconds: 1, failureThreshold: 1}\n");
  ASSERT_TRUE(eventually(
      [&] {
        return shell(std::string("nft list chain ip ") + kBridge + " svc-default/web/tcp/http")
                   .out.find("mod 2") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << ok("get endpointslices -o yaml");
  ok("exec wavers -- rm /ready");
  ASSERT_TRUE(eventually([&] {
    return get("endpointslices -l kubernetes.io/service-name=web",
               R"(.items[0].endpoints[?(@.targetRef.name=="wavers")].conditions.ready)") == "false";
  }));
  EXPECT_TRUE(eventually([&] { return only_answer("caller", "http://10.43.252.30/", "stays\n"); },
                         std::chrono::seconds(5)));
}

// hostPort through the portmap plugin, on the node's addresses and on 127.0.0.1; a
// hostNetwork pod shares the node's addresses and gets no link of its own.
TEST_F(PodNetworkE2E, HostPortsAndHostNetworkPodsAnswerOnTheNode) {
  const int host_port = free_loopback_port();
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: mapped}\nspec:\n  terminationGracePeriodSeconds: 1\n"
     "  containers:\n  - name: c\n    image: busybox:1.35\n"
     "    command: [sh, -c, 'echo mapped > /index.html && exec httpd -f -p 8080 -h /']\n"
     "    ports: [{containerPort: 8080, hostPort: " +
         std::to_string(host_port) + "}]\n");
  running_ip("mapped");
  EXPECT_TRUE(eventually([&] {
    return shell("timeout 5 busybox wget -q -O - http://127.0.0.1:" + std::to_string(host_port) + "/").out ==
           "mapped\n";
  })) << shell("iptables -t nat -S").out;
  EXPECT_EQ(shell(std::string("timeout 5 busybox wget -q -O - http://") + kSubnet +
                  "1:" + std::to_string(host_port) + "/")
                .out,
            "mapped\n");
  const int node_port = free_loopback_port();
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: on-host}\nspec:\n  hostNetwork: true\n"
     "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.35\n"
     "    command: [sh, -c, 'echo on-host > /index.html && exec httpd -f -p 127.0.0.1:" +
         std::to_string(node_port) + " -h /']\n");
  EXPECT_TRUE(
      eventually([&] { return get("pod on-host", ".status.phase") == "Running"; }, std::chrono::seconds(60)));
  EXPECT_FALSE(get("pod on-host", ".status.podIP").starts_with(kSubnet)) << "the node's address";
  EXPECT_TRUE(eventually([&] {
    return shell("timeout 5 busybox wget -q -O - http://127.0.0.1:" + std::to_string(node_port) + "/").out ==
           "on-host\n";
  }));
  ok("delete pod mapped --timeout=60s");
  EXPECT_EQ(shell("iptables -t nat -S").out.find(std::to_string(host_port)), std::string::npos)
      << "the port mapping went with the pod";
}

// pods/proxy, services/proxy and nodes/proxy, as `kubectl get --raw` and kubectl proxy use them.
TEST_F(PodNetworkE2E, TheApiServerProxiesToPodsServicesAndNodes) {
  ok("create -f -", web_pod("web-1"));
  running_ip("web-1");
  ok("create -f -", web_service("web", "10.43.252.60"));
  EXPECT_EQ(ok("get --raw /api/v1/namespaces/default/pods/web-1:8080/proxy/"), "web-1\n");
  EXPECT_EQ(ok("get --raw /api/v1/namespaces/default/pods/web-1:8080/proxy/index.html"), "web-1\n");
  EXPECT_TRUE(eventually([&] {
    return (*kubectl_)("get --raw /api/v1/namespaces/default/services/web:http/proxy/").out == "web-1\n";
  })) << (*kubectl_)("get --raw /api/v1/namespaces/default/services/web:http/proxy/").out;
  EXPECT_EQ(ok("get --raw /api/v1/namespaces/default/services/web:80/proxy/index.html"), "web-1\n")
      << "a port number names the Service port that has it";
  EXPECT_EQ(ok("get --raw /api/v1/nodes/net-node/proxy/healthz"), "ok");
  const auto missing = (*kubectl_)("get --raw /api/v1/namespaces/default/services/web:81/proxy/");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.out.find("no service port 81 found for service \"web\""), std::string::npos)
      << missing.out;
}

TEST_F(PodNetworkE2E, ANetworkPolicyDeniesThenAllows) {
  ok("create -f -", web_pod("guarded"));
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: friend, labels: {role: friend}}\nspec:\n"
     "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.35\n"
     "    command: [sleep, '3600']\n");
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: stranger}\nspec:\n"
     "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.35\n"
     "    command: [sleep, '3600']\n");
  const std::string guarded = "http://" + running_ip("guarded") + ":8080/";
  running_ip("friend");
  running_ip("stranger");
  ASSERT_EQ(fetch_from("friend", guarded), "guarded\n");
  ok("create -f -",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-web}\n"
     "spec: {podSelector: {matchLabels: {app: web}}}\n");
  EXPECT_EQ(get("netpol deny-web", ".spec.policyTypes[*]"), "Ingress") << "defaulted as upstream does";
  EXPECT_TRUE(eventually([&] { return fetch_from("friend", guarded) != "guarded\n"; }))
      << shell(std::string("nft list table ip ") + kBridge + "-np").out;
  EXPECT_NE(fetch_from("stranger", guarded), "guarded\n");
  EXPECT_EQ(shell("timeout 5 busybox wget -q -O - " + guarded).out, "guarded\n")
      << "the node itself (probes, the kubelet) is not held";
  ok("create -f -",
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: friends-in}\n"
     "spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n"
     "  - from: [{podSelector: {matchLabels: {role: friend}}}]\n    ports: [{port: 8080}]\n");
  EXPECT_TRUE(eventually([&] { return fetch_from("friend", guarded) == "guarded\n"; }))
      << shell(std::string("nft list table ip ") + kBridge + "-np").out;
  EXPECT_NE(fetch_from("stranger", guarded), "guarded\n") << "still denied: not a friend";
  ok("delete netpol deny-web friends-in");
  EXPECT_TRUE(eventually([&] { return fetch_from("stranger", guarded) == "guarded\n"; }));
}

// In-cluster config as client-go builds it: the kubernetes Service's address from the
// environment, the pod's token and the cluster CA from its service-account volume. The
// real kubectl, mounted into a busybox pod, lists pods with nothing else to go on.
TEST_F(PodNetworkE2E, APodListsPodsThroughTheKubernetesServiceWithItsToken) {
  std::string kubectl = shell("readlink -f \"$(command -v " + newest_kubectl() + ")\"").out;
  while (!kubectl.empty() && kubectl.back() == '\n') kubectl.pop_back();
  ASSERT_TRUE(fs::exists(kubectl)) << "no kubectl binary to mount: " << kubectl;
  ok("create serviceaccount lister");
  ok("create role pod-reader --verb=get,list --resource=pods");
  ok("create rolebinding lister-reads --role=pod-reader --serviceaccount=default:lister");
  EXPECT_TRUE(eventually([&] { return get("svc kubernetes", ".spec.clusterIP") == "10.43.252.1"; }))
      << ok("get svc,endpoints -A");
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: in-cluster}\nspec:\n  serviceAccountName: lister\n"
     "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox:1.35\n"
     "    command: [sleep, '3600']\n    volumeMounts: [{name: kubectl, mountPath: /kubectl, readOnly: "
     "true}]\n"
     "  volumes: [{name: kubectl, hostPath: {path: '" +
         kubectl + "', type: File}}]\n");
  running_ip("in-cluster");
  EXPECT_EQ(ok("exec in-cluster -- sh -c 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT'"),
            "10.43.252.1:443\n");
  // The certificate names the Service's address and DNS names, so TLS is verified either way.
  const auto listed = (*kubectl_)("exec in-cluster -- /kubectl get pods -o name");
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find("pod/in-cluster"), std::string::npos) << listed.out;
  const auto by_name = (*kubectl_)(
      "exec in-cluster -- sh -c 'cd /var/run/secrets/kubernetes.io/serviceaccount && "
      "/kubectl --server=https://kubernetes.default.svc --certificate-authority=ca.crt "
      "--token=$(cat token) get pod in-cluster -o name'");
  EXPECT_EQ(by_name.out, "pod/in-cluster\n");
  // The token is the pod's, and RBAC holds it to what its account may do.
  const auto denied = (*kubectl_)("exec in-cluster -- /kubectl get secrets");
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.out.find("system:serviceaccount:default:lister"), std::string::npos) << denied.out;
}

}  // namespace
}  // namespace ukube::testing
