// The cluster's answers (plugins/dns/cluster_answers.h) from an index fed with objects as the
// informers feed it, checked against what CoreDNS's kubernetes plugin answers (its
// handler_test.go cases) and the Kubernetes DNS specification.
#include <gtest/gtest.h>

#include <array>

#include "dns/cluster_answers.h"
#include "dns/cluster_index.h"
#include "tests/unit/dns/dns_test_support.h"

namespace ukube::dns_test {
namespace {

class ClusterDns : public ::testing::Test {
 protected:
  void SetUp() override {
    index_.put_namespace(namespace_object("default"));
    index_.put_namespace(namespace_object("kube-system"));
    index_.put_service(
        service_object("web", "default", "10.43.0.50", {{"http", "TCP", 80}, {"metrics", "TCP", 9090}}));
    index_.put_service(service_object("db", "default", "None", {{"pg", "TCP", 5432}}));
    index_.put_endpoint_slice(slice_object(
        "db-abc", "default", "db", {{"10.42.0.5", "pet-0"}, {"10.42.0.6", ""}, {"10.42.0.7", "pet-2", false}},
        {{"pg", "TCP", 5432}}));
    index_.put_service(service_object("empty", "default", "None", {}));
    index_.put_service(service_object("ext", "default", "", {}, "ExternalName", "www.example.com"));
    index_.put_service(
        service_object("alias", "default", "", {}, "ExternalName", "web.default.svc.cluster.local"));
    index_.put_service(service_object("v6", "default", "fd00::10", {{"http", "TCP", 80}}));
    index_.put_service(service_object("kube-dns", "kube-system", "10.43.0.10", {{"dns", "UDP", 53}}));
    make(PodMode::insecure);
  }
  void make(PodMode pods, uint32_t ttl = 5) {
    ClusterAnswers::Settings s;
    s.zone = *Name::from_text("cluster.local");
    s.ttl = ttl;
    s.pods = pods;
    s.own_addresses = {*IpAddress::parse("127.0.0.1")};
    answers_ = std::make_unique<ClusterAnswers>(s);
  }
  // Asks as the server does: a name in the zone, else a reverse PTR.
  Message ask(std::string_view name, uint16_t qtype, std::optional<Opt> opt = std::nullopt,
              bool synced = true) {
    Query q;
    EXPECT_EQ(parse_query(make_query(name, qtype, 7, opt), q), QueryStatus::ok);
    const Name zone = *Name::from_text("cluster.local");
    if (auto at = zone_offset(q.lower.wire(), zone.wire()))
      answers_->answer(index_.read(), synced, 1234, q, *at, last_);
    else
      answers_->reverse(index_.read(), q, last_);
    std::array<uint8_t, kMaxMessageSize> buf;
    MessageWriter w(buf.data(), buf.size());
    w.set_limit(q.udp_limit(4096));
    if (q.edns) w.set_edns(1232, q.dnssec_ok);
    write_cluster_answer(q, last_, nullptr, w);
    auto m = parse_message({buf.data(), w.finish()});
    EXPECT_TRUE(m) << "the answer must parse";
    return m.value_or(Message{});
  }
  // NXDOMAIN or NODATA: the rcode, no answers, the zone's SOA in the authority section.
  void expect_negative(const Message& m, uint16_t rc, std::string_view what) {
    EXPECT_EQ(m.rcode(), rc) << what;
    EXPECT_TRUE(m.answer.empty()) << what;
    EXPECT_TRUE(m.flags & flag::kAA) << what;
    ASSERT_EQ(m.authority.size(), 1u) << what;
    const Record& soa = m.authority[0];
    EXPECT_EQ(soa.type, type::kSOA);
    EXPECT_EQ(soa.name.text(), "cluster.local.");
    EXPECT_EQ(soa.ttl, 5u);
    EXPECT_EQ(rdata_name(soa, 0), "ns.dns.cluster.local.");
    EXPECT_EQ(rdata_name(soa, Name::from_text("ns.dns.cluster.local")->size()), "hostmaster.cluster.local.");
    const size_t numbers = soa.rdata.size() - 20;
    EXPECT_EQ(rdata32(soa, numbers), 1234u) << "serial";
    EXPECT_EQ(rdata32(soa, numbers + 4), 7200u);
    EXPECT_EQ(rdata32(soa, numbers + 8), 1800u);
    EXPECT_EQ(rdata32(soa, numbers + 12), 86400u);
    EXPECT_EQ(rdata32(soa, numbers + 16), 5u) << "minimum: the ttl";
  }

  ClusterIndex index_;
  std::unique_ptr<ClusterAnswers> answers_;
  ClusterAnswer last_;
};

TEST_F(ClusterDns, ServiceAddressIsItsClusterIp) {
  Message m = ask("Web.Default.svc.cluster.local", type::kA);
  EXPECT_EQ(m.rcode(), rcode::kNoError);
  EXPECT_TRUE(m.flags & flag::kAA);
  EXPECT_TRUE(m.flags & flag::kRD);
  EXPECT_FALSE(m.flags & flag::kRA);
  ASSERT_EQ(m.answer.size(), 1u) << "one record for two ports";
  EXPECT_EQ(ipv4(m.answer[0]), "10.43.0.50");
  EXPECT_EQ(m.answer[0].ttl, 5u);
  EXPECT_EQ(m.answer[0].name.text(), "Web.Default.svc.cluster.local.") << "the asker's spelling";
  EXPECT_TRUE(m.authority.empty());

  m = ask("v6.default.svc.cluster.local", type::kAAAA);
  EXPECT_EQ(addresses(m), std::vector<std::string>{"fd00::10"});
}

TEST_F(ClusterDns, NoDataAndNameErrorsCarryTheSoa) {
  struct Case {
    const char* name;
    uint16_t qtype;
    uint16_t rcode;
    const char* why;
  };
  const Case cases[] = {
      {"web.default.svc.cluster.local", type::kAAAA, rcode::kNoError, "AAAA of an IPv4 service"},
      {"v6.default.svc.cluster.local", type::kA, rcode::kNoError, "A of an IPv6 service"},
      {"web.default.svc.cluster.local", type::kMX, rcode::kNoError, "MX of a service"},
      {"web.default.svc.cluster.local", type::kPTR, rcode::kNoError, "PTR of a service name"},
      {"web.default.svc.cluster.local", type::kTXT, rcode::kNoError, "TXT of a service"},
      {"default.svc.cluster.local", type::kA, rcode::kNoError, "a namespace"},
      {"svc.cluster.local", type::kA, rcode::kNoError, "svc"},
      {"cluster.local", type::kA, rcode::kNoError, "the apex"},
      {"nothing.default.svc.cluster.local", type::kSOA, rcode::kNoError,
       "SOA below the apex, whatever the name"},
      {"missing.default.svc.cluster.local", type::kA, rcode::kNXDomain, "no such service"},
      {"web.nowhere.svc.cluster.local", type::kA, rcode::kNXDomain, "no such namespace"},
      {"nowhere.svc.cluster.local", type::kA, rcode::kNXDomain, "no such namespace alone"},
      {"web.default.other.cluster.local", type::kA, rcode::kNXDomain, "neither svc nor pod"},
      {"a.b.c.web.default.svc.cluster.local", type::kA, rcode::kNXDomain, "too many labels"},
      {"missing.default.svc.cluster.local", type::kTXT, rcode::kNXDomain, "TXT of nothing"},
      {"cluster.local", type::kTXT, rcode::kNXDomain, "TXT at the apex (CoreDNS)"},
      {"empty.default.svc.cluster.local", type::kA, rcode::kNXDomain,
       "a headless service, no ready endpoints"},
  };
  for (const Case& c : cases) expect_negative(ask(c.name, c.qtype), c.rcode, c.why);
  expect_negative(ask("missing.default.svc.cluster.local", type::kA, std::nullopt, false), rcode::kServFail,
                  "before the informers have listed");
}

TEST_F(ClusterDns, HeadlessServicesAnswerTheirReadyEndpoints) {
  Message m = ask("db.default.svc.cluster.local", type::kA);
  EXPECT_EQ(addresses(m), (std::vector<std::string>{"10.42.0.5", "10.42.0.6"})) << "10.42.0.7 is not ready";
  m = ask("pet-0.db.default.svc.cluster.local", type::kA);
  EXPECT_EQ(addresses(m), std::vector<std::string>{"10.42.0.5"});
  m = ask("10-42-0-6.db.default.svc.cluster.local", type::kA);
  EXPECT_EQ(addresses(m), std::vector<std::string>{"10.42.0.6"})
      << "an endpoint without hostname: dashed address";
  expect_negative(ask("pet-2.db.default.svc.cluster.local", type::kA), rcode::kNXDomain, "not ready");
  expect_negative(ask("pet-9.db.default.svc.cluster.local", type::kA), rcode::kNXDomain, "no such endpoint");
  expect_negative(ask("db.default.svc.cluster.local", type::kAAAA), rcode::kNoError, "IPv4 endpoints only");

  // Readiness and slices change: the answers follow.
  index_.put_endpoint_slice(
      slice_object("db-abc", "default", "db", {{"10.42.0.7", "pet-2", true}}, {{"pg", "TCP", 5432}}));
  index_.put_endpoint_slice(
      slice_object("db-def", "default", "db", {{"10.42.0.8", ""}}, {{"pg", "TCP", 5432}}));
  m = ask("db.default.svc.cluster.local", type::kA);
  EXPECT_EQ(addresses(m), (std::vector<std::string>{"10.42.0.7", "10.42.0.8"}));
  index_.remove_endpoint_slice(slice_object("db-abc", "default", "db", {}, {}));
  index_.remove_endpoint_slice(slice_object("db-def", "default", "db", {}, {}));
  expect_negative(ask("db.default.svc.cluster.local", type::kA), rcode::kNXDomain, "no endpoints left");
}

TEST_F(ClusterDns, ExternalNamesAreCnames) {
  Message m = ask("ext.default.svc.cluster.local", type::kCNAME);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].type, type::kCNAME);
  EXPECT_EQ(rdata_name(m.answer[0]), "www.example.com.");

  // A and AAAA: the CNAME, and the target's records from upstream (the server fetches them).
  m = ask("ext.default.svc.cluster.local", type::kA);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].type, type::kCNAME);
  ASSERT_GE(last_.external, 0);
  EXPECT_EQ(last_.names[static_cast<size_t>(last_.external)].text(), "www.example.com.");

  // A target inside the zone is followed here.
  m = ask("alias.default.svc.cluster.local", type::kA);
  ASSERT_EQ(m.answer.size(), 2u);
  EXPECT_EQ(m.answer[0].type, type::kCNAME);
  EXPECT_EQ(rdata_name(m.answer[0]), "web.default.svc.cluster.local.");
  EXPECT_EQ(m.answer[1].name.text(), "web.default.svc.cluster.local.");
  EXPECT_EQ(ipv4(m.answer[1]), "10.43.0.50");
  EXPECT_LT(last_.external, 0);

  // An external name has no SRV records, no endpoints and no ports.
  expect_negative(ask("_http._tcp.ext.default.svc.cluster.local", type::kSRV), rcode::kNXDomain,
                  "port of an ExternalName");
  expect_negative(ask("ext.default.svc.cluster.local", type::kSRV), rcode::kNoError,
                  "SRV of an ExternalName");
}

TEST_F(ClusterDns, SrvRecordsNameThePortsAndTheirTargets) {
  Message m = ask("_http._tcp.web.default.svc.cluster.local", type::kSRV);
  ASSERT_EQ(m.answer.size(), 1u);
  const Record& srv = m.answer[0];
  EXPECT_EQ(srv.type, type::kSRV);
  EXPECT_EQ(srv.name.text(), "_http._tcp.web.default.svc.cluster.local.");
  EXPECT_EQ(rdata16(srv, 0), 0) << "priority";
  EXPECT_EQ(rdata16(srv, 2), 100) << "weight";
  EXPECT_EQ(rdata16(srv, 4), 80) << "port";
  EXPECT_EQ(rdata_name(srv, 6), "web.default.svc.cluster.local.");
  ASSERT_EQ(m.additional.size(), 1u);
  EXPECT_EQ(m.additional[0].name.text(), "web.default.svc.cluster.local.");
  EXPECT_EQ(ipv4(m.additional[0]), "10.43.0.50");

  // Every port, each with an equal share of the weight.
  m = ask("web.default.svc.cluster.local", type::kSRV);
  ASSERT_EQ(m.answer.size(), 2u);
  EXPECT_EQ(rdata16(m.answer[0], 2), 50);
  EXPECT_EQ(rdata16(m.answer[0], 4), 80);
  EXPECT_EQ(rdata16(m.answer[1], 4), 9090);
  EXPECT_EQ(m.additional.size(), 1u) << "one address record per target";

  // Headless: one record per ready endpoint, its name as target.
  m = ask("_pg._tcp.db.default.svc.cluster.local", type::kSRV);
  ASSERT_EQ(m.answer.size(), 2u);
  EXPECT_EQ(rdata_name(m.answer[0], 6), "pet-0.db.default.svc.cluster.local.");
  EXPECT_EQ(rdata_name(m.answer[1], 6), "10-42-0-6.db.default.svc.cluster.local.");
  EXPECT_EQ(rdata16(m.answer[0], 4), 5432);
  ASSERT_EQ(m.additional.size(), 2u);
  EXPECT_EQ(m.additional[0].name.text(), "pet-0.db.default.svc.cluster.local.");
  EXPECT_EQ(ipv4(m.additional[0]), "10.42.0.5");

  expect_negative(ask("_http._udp.web.default.svc.cluster.local", type::kSRV), rcode::kNXDomain,
                  "wrong protocol");
  expect_negative(ask("_nope._tcp.web.default.svc.cluster.local", type::kSRV), rcode::kNXDomain,
                  "no such port");
  // The same name for an address: the service's address (CoreDNS matches the port).
  EXPECT_EQ(addresses(ask("_http._tcp.web.default.svc.cluster.local", type::kA)),
            std::vector<std::string>{"10.43.0.50"});
}

TEST_F(ClusterDns, ReverseNamesOfClusterIpsAndEndpoints) {
  Message m = ask("50.0.43.10.in-addr.arpa", type::kPTR);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].type, type::kPTR);
  EXPECT_EQ(m.answer[0].ttl, 5u);
  EXPECT_EQ(rdata_name(m.answer[0]), "web.default.svc.cluster.local.");
  m = ask("5.0.42.10.in-addr.arpa", type::kPTR);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(rdata_name(m.answer[0]), "pet-0.db.default.svc.cluster.local.");
  m = ask("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", type::kPTR);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(rdata_name(m.answer[0]), "v6.default.svc.cluster.local.");
  // Addresses the cluster does not have are upstream's to answer.
  ask("9.9.9.10.in-addr.arpa", type::kPTR);
  EXPECT_EQ(last_.outcome, ClusterAnswer::Outcome::forward);
  ask("7.0.42.10.in-addr.arpa", type::kPTR);
  EXPECT_EQ(last_.outcome, ClusterAnswer::Outcome::forward) << "not ready";
  // A deleted service's address goes with it.
  index_.remove_service(service_object("web", "default", "10.43.0.50"));
  ask("50.0.43.10.in-addr.arpa", type::kPTR);
  EXPECT_EQ(last_.outcome, ClusterAnswer::Outcome::forward);
}

TEST_F(ClusterDns, PodNamesPerMode) {
  EXPECT_EQ(addresses(ask("10-42-1-9.default.pod.cluster.local", type::kA)),
            std::vector<std::string>{"10.42.1.9"});
  EXPECT_EQ(addresses(ask("fd00--9.default.pod.cluster.local", type::kAAAA)),
            std::vector<std::string>{"fd00::9"});
  expect_negative(ask("10-42-1-9.default.pod.cluster.local", type::kAAAA), rcode::kNoError,
                  "an IPv4 pod's AAAA");
  expect_negative(ask("10-42-1.default.pod.cluster.local", type::kA), rcode::kNXDomain, "not an address");
  expect_negative(ask("10-42-1-9.nowhere.pod.cluster.local", type::kA), rcode::kNXDomain,
                  "no such namespace");
  expect_negative(ask("default.pod.cluster.local", type::kA), rcode::kNoError, "a namespace of pods");

  make(PodMode::disabled);
  expect_negative(ask("10-42-1-9.default.pod.cluster.local", type::kA), rcode::kNXDomain, "disabled");

  make(PodMode::verified);
  index_.put_pod(
      json::parse(R"({"metadata":{"name":"p","namespace":"default"},"status":{"podIP":"10.42.1.9"}})")
          .as_object());
  EXPECT_EQ(addresses(ask("10-42-1-9.default.pod.cluster.local", type::kA)),
            std::vector<std::string>{"10.42.1.9"});
  expect_negative(ask("10-42-1-8.default.pod.cluster.local", type::kA), rcode::kNXDomain, "no pod there");
  expect_negative(ask("10-42-1-9.kube-system.pod.cluster.local", type::kA), rcode::kNXDomain,
                  "another namespace");
  index_.remove_pod(json::parse(R"({"metadata":{"name":"p","namespace":"default"}})").as_object());
  expect_negative(ask("10-42-1-9.default.pod.cluster.local", type::kA), rcode::kNXDomain, "the pod went");
}

TEST_F(ClusterDns, ZoneApexSchemaVersionAndTransfers) {
  Message m = ask("dns-version.cluster.local", type::kTXT);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].ttl, 28800u);
  EXPECT_EQ(m.answer[0].rdata, std::string("\x05"
                                           "1.1.0"));

  m = ask("Cluster.Local", type::kSOA);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].type, type::kSOA);
  EXPECT_EQ(m.answer[0].name.text(), "Cluster.Local.");
  EXPECT_EQ(rdata_name(m.answer[0]), "ns.dns.Cluster.Local.") << "the zone as the asker wrote it, as CoreDNS";

  // NS: the kube-dns Service, its address as glue.
  m = ask("cluster.local", type::kNS);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(rdata_name(m.answer[0]), "kube-dns.kube-system.svc.cluster.local.");
  ASSERT_EQ(m.additional.size(), 1u);
  EXPECT_EQ(ipv4(m.additional[0]), "10.43.0.10");
  EXPECT_EQ(addresses(ask("ns.dns.cluster.local", type::kA)), std::vector<std::string>{"10.43.0.10"});
  // Without it: ns.dns.<zone> at our own address.
  index_.remove_service(service_object("kube-dns", "kube-system", "10.43.0.10"));
  m = ask("cluster.local", type::kNS);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(rdata_name(m.answer[0]), "ns.dns.cluster.local.");
  EXPECT_EQ(ipv4(m.additional.at(0)), "127.0.0.1");

  m = ask("cluster.local", type::kAXFR);
  EXPECT_EQ(m.rcode(), rcode::kRefused);
}

TEST_F(ClusterDns, ChangesShowAndMoveTheSerial) {
  const uint32_t before = index_.serial();
  index_.put_service(service_object("web", "default", "10.43.0.51"));
  EXPECT_EQ(addresses(ask("web.default.svc.cluster.local", type::kA)),
            std::vector<std::string>{"10.43.0.51"});
  EXPECT_GE(index_.serial(), before);
  ask("50.0.43.10.in-addr.arpa", type::kPTR);
  EXPECT_EQ(last_.outcome, ClusterAnswer::Outcome::forward) << "the old address is no longer the service's";
  index_.remove_service(service_object("web", "default", ""));
  expect_negative(ask("web.default.svc.cluster.local", type::kA), rcode::kNXDomain, "deleted");
  index_.remove_namespace(namespace_object("default"));
  expect_negative(ask("default.svc.cluster.local", type::kA), rcode::kNXDomain, "namespace deleted");
}

TEST_F(ClusterDns, LargeAnswersAreCutToWholeRecordsWithTC) {
  std::vector<EndpointSpec> many;
  for (int i = 0; i < 100; ++i) many.push_back({"10.42.2." + std::to_string(i), ""});
  index_.put_service(service_object("big", "default", "None", {{"http", "TCP", 80}}));
  index_.put_endpoint_slice(slice_object("big-1", "default", "big", many, {{"http", "TCP", 80}}));
  Message m = ask("big.default.svc.cluster.local", type::kA);
  EXPECT_TRUE(m.truncated());
  EXPECT_GT(m.answer.size(), 20u);
  EXPECT_LT(m.answer.size(), 100u);
  m = ask("big.default.svc.cluster.local", type::kA, Opt{4096});
  EXPECT_FALSE(m.truncated());
  EXPECT_EQ(m.answer.size(), 100u);
  EXPECT_TRUE(m.edns);
}

}  // namespace
}  // namespace ukube::dns_test
