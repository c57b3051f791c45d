// Cluster DNS in the real daemon: Services and an EndpointSlice created with real kubectl are
// answered on the DNS plugin's loopback port, asked through glibc's resolver (libresolv);
// names outside the cluster go to a fake upstream resolver on 127.0.0.1.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/kubectl_fixture.h"
#include "tests/support/loopback_dns.h"

namespace ukube::testing {
namespace {

// ClusterIPs are given: nothing allocates them in this test's daemon.
const char* kManifest = R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: 10.43.0.50
  ports: [{name: http, port: 80, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  ports: [{name: pg, port: 5432, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  labels: {kubernetes.io/service-name: db}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints:
- addresses: [10.42.0.5]
  hostname: pet-0
  conditions: {ready: true}
- addresses: [10.42.0.6]
  hostname: pet-1
  conditions: {ready: true}
- addresses: [10.42.0.7]
  hostname: pet-2
  conditions: {ready: false}
---
apiVersion: v1
kind: Service
metadata: {name: search}
spec:
  type: ExternalName
  externalName: search.example.test
)";

class DnsKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override {
    port_ = static_cast<uint16_t>(free_loopback_port());
    start_node(newest_kubectl(),
               "  - uri: ukube.dns.v1.dns\n    config: {listen: [\"127.0.0.1:" + std::to_string(port_) +
                   "\"], upstream: [\"127.0.0.1:" + std::to_string(upstream_.port()) + "\"]}\n");
  }
  DnsReply ask(const std::string& name, int type = ns_t_a) { return loopback_query(port_, name, type); }
  // Waits until `name` has exactly `records`.
  bool answers(const std::string& name, const std::vector<std::string>& records, int type = ns_t_a) {
    return eventually([&] { return ask(name, type).records == records; }, std::chrono::seconds(30));
  }

  StaticUpstream upstream_{"192.0.2.10", 300};
  uint16_t port_ = 0;
};

TEST_F(DnsKubectl, ServicesCreatedWithKubectlAreAnswered) {
  ok("create -f -", kManifest);

  EXPECT_TRUE(answers("web.default.svc.cluster.local", {"A 10.43.0.50"})) << node_->log();
  const DnsReply web = ask("web.default.svc.cluster.local");
  EXPECT_TRUE(web.authoritative);
  EXPECT_EQ(ask("_http._tcp.web.default.svc.cluster.local", ns_t_srv).records,
            std::vector<std::string>{"SRV 0 100 80 web.default.svc.cluster.local"});
  EXPECT_EQ(ask("50.0.43.10.in-addr.arpa", ns_t_ptr).records,
            std::vector<std::string>{"PTR web.default.svc.cluster.local"});

  // The headless Service: its ready endpoints, each by hostname too.
  EXPECT_TRUE(answers("db.default.svc.cluster.local", {"A 10.42.0.5", "A 10.42.0.6"}));
  EXPECT_EQ(ask("pet-1.db.default.svc.cluster.local").records, std::vector<std::string>{"A 10.42.0.6"});
  EXPECT_EQ(ask("pet-2.db.default.svc.cluster.local").rcode, ns_r_nxdomain) << "not ready";
  EXPECT_EQ(ask("_pg._tcp.db.default.svc.cluster.local", ns_t_srv).records,
            (std::vector<std::string>{"SRV 0 50 5432 pet-0.db.default.svc.cluster.local",
                                      "SRV 0 50 5432 pet-1.db.default.svc.cluster.local"}));
  EXPECT_EQ(ask("6.0.42.10.in-addr.arpa", ns_t_ptr).records,
            std::vector<std::string>{"PTR pet-1.db.default.svc.cluster.local"});

  // NXDOMAIN and NODATA.
  EXPECT_EQ(ask("missing.default.svc.cluster.local").rcode, ns_r_nxdomain);
  const DnsReply nodata = ask("web.default.svc.cluster.local", ns_t_aaaa);
  EXPECT_TRUE(nodata.answered);
  EXPECT_EQ(nodata.rcode, ns_r_noerror);
  EXPECT_TRUE(nodata.records.empty());
  EXPECT_EQ(ask("10-42-3-4.default.pod.cluster.local").records, std::vector<std::string>{"A 10.42.3.4"});

  // Outside the cluster: the upstream on loopback, once, then the cache.
  EXPECT_EQ(ask("www.example.test").records, std::vector<std::string>{"A 192.0.2.10"});
  EXPECT_EQ(ask("www.example.test").records, std::vector<std::string>{"A 192.0.2.10"});
  EXPECT_EQ(upstream_.queries(), 1);
  // An ExternalName: its CNAME and the target's address from upstream.
  EXPECT_EQ(ask("search.default.svc.cluster.local").records,
            (std::vector<std::string>{"CNAME search.example.test", "A 192.0.2.10"}));

  // Deleted with kubectl: gone.
  ok("delete service web");
  EXPECT_TRUE(eventually([&] { return ask("web.default.svc.cluster.local").rcode == ns_r_nxdomain; },
                         std::chrono::seconds(30)));
  ok("delete endpointslice db-1");
  EXPECT_TRUE(eventually([&] { return ask("db.default.svc.cluster.local").rcode == ns_r_nxdomain; },
                         std::chrono::seconds(30)));
}

}  // namespace
}  // namespace ukube::testing
