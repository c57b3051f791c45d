// The server (plugins/dns/dns_server.h) over real sockets on 127.0.0.1: UDP and TCP,
// truncation and the TCP retry, forwarding to fake upstream resolvers on loopback with the
// cache (hits, negative answers, the DO bit), failover and SERVFAIL, ExternalName targets,
// malformed queries, idle TCP connections.
#include <gtest/gtest.h>

#include "dns/dns_server.h"
#include "tests/support/eventually.h"
#include "tests/unit/dns/dns_test_support.h"

namespace ukube::dns_test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

asio::ip::udp::endpoint local(uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// An upstream answering every A question with 192.0.2.<n> (TTL 300) and NXDOMAIN (with an
// SOA, TTL 60) for names under nx.test.
FakeUpstream::Respond example_answers(int n = 1) {
  return [n](const Message& q, bool) {
    const std::string name = q.questions[0].name.text();
    if (name.find("nx.test.") != std::string::npos)
      return AnswerBuilder(q, rcode::kNXDomain).soa("nx.test", 60, 60).bytes();
    if (name.find("nosoa.test.") != std::string::npos) return AnswerBuilder(q, rcode::kNXDomain).bytes();
    if (name.find("broken.test.") != std::string::npos) return AnswerBuilder(q, rcode::kServFail).bytes();
    if (q.questions[0].type != type::kA) return AnswerBuilder(q).soa("test", 60, 60).bytes();
    return AnswerBuilder(q).a(name, "192.0.2." + std::to_string(n), 300).bytes();
  };
}

class DnsServerTest : public ::testing::Test {
 protected:
  DnsServerTest() {
    index_.put_namespace(namespace_object("default"));
    index_.put_service(service_object("web", "default", "10.43.0.50"));
    index_.put_service(service_object("ext", "default", "", {}, "ExternalName", "www.example.com"));
    std::vector<EndpointSpec> many;
    for (int i = 0; i < 100; ++i) many.push_back({"10.42.2." + std::to_string(i), ""});
    index_.put_service(service_object("big", "default", "None", {{"http", "TCP", 80}}));
    index_.put_endpoint_slice(slice_object("big-1", "default", "big", many, {{"http", "TCP", 80}}));
    ClusterAnswers::Settings s;
    s.zone = *Name::from_text("cluster.local");
    answers_ = std::make_unique<ClusterAnswers>(s);
  }
  ~DnsServerTest() override {
    if (server_) server_->stop();
  }
  // `name` has `records` A records: over UDP without EDNS as many as fit in 512 bytes, with TC;
  // over TCP all of them.
  void expect_cut_over_udp_and_whole_over_tcp(const std::string& name, size_t records) {
    auto udp = ask_udp(port_, make_query(name, type::kA));
    ASSERT_TRUE(udp);
    EXPECT_TRUE(udp->truncated());
    EXPECT_GT(udp->answer.size(), 0u);
    EXPECT_LT(udp->answer.size(), records);
    auto tcp = ask_tcp(port_, make_query(name, type::kA));
    ASSERT_TRUE(tcp);
    EXPECT_FALSE(tcp->truncated());
    EXPECT_EQ(tcp->answer.size(), records);
  }
  void start(std::vector<uint16_t> upstream_ports, std::chrono::milliseconds timeout = 2000ms,
             std::chrono::milliseconds idle = 10000ms, uint32_t cache_seconds = 30) {
    ServerOptions o;
    o.listen = {local(0)};
    for (uint16_t p : upstream_ports) o.upstreams.push_back(local(p));
    o.upstream_timeout = timeout;
    o.tcp_idle = idle;
    o.cache_seconds = cache_seconds;
    server_ = std::make_unique<DnsServer>(o, index_, *answers_, nullptr);
    server_->start();
    port_ = server_->endpoints().at(0).port();
    ASSERT_NE(port_, 0);
  }

  ClusterIndex index_;
  std::unique_ptr<ClusterAnswers> answers_;
  std::unique_ptr<DnsServer> server_;
  uint16_t port_ = 0;
};

TEST_F(DnsServerTest, AnswersClusterNamesOverUdpAndTcp) {
  start({dead_udp_port()});
  auto m = ask_udp(port_, make_query("web.default.svc.cluster.local", type::kA, 11));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, 11);
  EXPECT_EQ(addresses(*m), std::vector<std::string>{"10.43.0.50"});

  // Several queries on one connection, each answered in its frame.
  TcpClient tcp(port_);
  ASSERT_TRUE(tcp.connected());
  tcp.send(make_query("web.default.svc.cluster.local", type::kA, 21));
  tcp.send(make_query("missing.default.svc.cluster.local", type::kA, 22));
  tcp.send(make_query("web.default.svc.cluster.local", type::kAAAA, 23));
  for (uint16_t id : {21, 22, 23}) {
    auto bytes = tcp.receive();
    ASSERT_TRUE(bytes) << id;
    auto a = parse_message(*bytes);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->id, id);
    EXPECT_EQ(a->rcode(), id == 22 ? rcode::kNXDomain : rcode::kNoError);
  }
  EXPECT_GE(server_->counters().tcp_queries.load(), 3u);
  EXPECT_GE(server_->counters().udp_queries.load(), 1u);
}

TEST_F(DnsServerTest, TooLargeForUdpIsTruncatedAndComplete) {
  start({dead_udp_port()});
  expect_cut_over_udp_and_whole_over_tcp("big.default.svc.cluster.local", 100);
  EXPECT_GE(server_->counters().truncated.load(), 1u);
}

TEST_F(DnsServerTest, ForwardsAndCachesUpstreamAnswers) {
  FakeUpstream upstream(example_answers());
  start({upstream.port()});
  auto first = ask_udp(port_, make_query("WWW.Example.COM", type::kA, 1, Opt{}));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->rcode(), rcode::kNoError);
  EXPECT_EQ(addresses(*first), std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(first->answer[0].ttl, 30u) << "bounded by cache_seconds, as CoreDNS's cache 30";
  EXPECT_EQ(first->questions.at(0).name.text(), "WWW.Example.COM.");
  EXPECT_TRUE(first->flags & flag::kRA);
  EXPECT_TRUE(first->edns);

  // Again, in other spelling: from the cache; upstream was asked once.
  auto second = ask_udp(port_, make_query("www.example.com", type::kA, 2));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, 2);
  EXPECT_EQ(addresses(*second), std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(second->questions.at(0).name.text(), "www.example.com.");
  EXPECT_EQ(second->answer[0].name.text(), "www.example.com.") << "the owner follows the asker's spelling";
  EXPECT_LE(second->answer[0].ttl, 30u);
  EXPECT_FALSE(second->edns) << "no OPT record for an asker without EDNS";
  EXPECT_EQ(upstream.udp_queries(), 1);
  EXPECT_EQ(server_->counters().cache_hits.load(), 1u);

  // Over TCP, still the cache.
  auto third = ask_tcp(port_, make_query("www.example.com", type::kA, 3));
  ASSERT_TRUE(third);
  EXPECT_EQ(addresses(*third), std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(upstream.udp_queries(), 1);

  // The DO bit is part of the key: another question upstream.
  auto with_do = ask_udp(port_, make_query("www.example.com", type::kA, 4, Opt{1232, true}));
  ASSERT_TRUE(with_do);
  EXPECT_EQ(upstream.udp_queries(), 2);
  // So is the type.
  auto aaaa = ask_udp(port_, make_query("www.example.com", type::kAAAA, 5));
  ASSERT_TRUE(aaaa);
  EXPECT_EQ(aaaa->rcode(), rcode::kNoError);
  EXPECT_TRUE(aaaa->answer.empty());
  EXPECT_EQ(upstream.udp_queries(), 3);
}

TEST_F(DnsServerTest, NegativeAnswersAreCachedWithTheirSoa) {
  FakeUpstream upstream(example_answers());
  start({upstream.port()});
  for (int i = 0; i < 3; ++i) {
    auto m = ask_udp(port_, make_query("missing.nx.test", type::kA, static_cast<uint16_t>(i)));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rcode(), rcode::kNXDomain);
    ASSERT_EQ(m->authority.size(), 1u);
    EXPECT_EQ(m->authority[0].type, type::kSOA);
  }
  EXPECT_EQ(upstream.udp_queries(), 1);
  // NODATA too.
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(ask_udp(port_, make_query("www.example.com", type::kTXT)));
  EXPECT_EQ(upstream.udp_queries(), 2);
  // A name error without an SOA is not kept (CoreDNS's cache does not either).
  for (int i = 0; i < 2; ++i) {
    auto m = ask_udp(port_, make_query("x.nosoa.test", type::kA));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rcode(), rcode::kNXDomain);
  }
  EXPECT_EQ(upstream.udp_queries(), 4);
  // Upstream's SERVFAIL is passed on, and kept a few seconds.
  for (int i = 0; i < 2; ++i) {
    auto m = ask_udp(port_, make_query("x.broken.test", type::kA));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rcode(), rcode::kServFail);
  }
  EXPECT_EQ(upstream.udp_queries(), 5);
}

TEST_F(DnsServerTest, NothingIsKeptWithTheCacheOff) {
  FakeUpstream upstream(example_answers());
  start({upstream.port()}, 2000ms, 10000ms, 0);
  for (int i = 0; i < 2; ++i) {
    auto m = ask_udp(port_, make_query("www.example.com", type::kA));
    ASSERT_TRUE(m);
    EXPECT_EQ(addresses(*m), std::vector<std::string>{"192.0.2.1"});
  }
  EXPECT_EQ(upstream.udp_queries(), 2);
}

TEST_F(DnsServerTest, SilentUpstreamMeansServfailAfterTheTimeout) {
  FakeUpstream silent([](const Message&, bool) { return Bytes{}; });
  start({silent.port()}, 200ms);
  const auto t0 = std::chrono::steady_clock::now();
  auto m = ask_udp(port_, make_query("www.example.com", type::kA, 9, Opt{}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, 9);
  EXPECT_EQ(m->rcode(), rcode::kServFail);
  EXPECT_EQ(m->questions.at(0).name.text(), "www.example.com.");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  EXPECT_EQ(silent.udp_queries(), 1);
  EXPECT_EQ(server_->forwarder_counters().failures.load(), 1u);
}

TEST_F(DnsServerTest, UnreachableUpstreamMeansServfail) {
  start({dead_udp_port()}, 5000ms);
  const auto t0 = std::chrono::steady_clock::now();
  auto m = ask_udp(port_, make_query("www.example.com", type::kA), 8000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode(), rcode::kServFail);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4000ms)
      << "port unreachable fails at once, not after the timeout";
}

TEST_F(DnsServerTest, TheNextUpstreamAnswersWhenOneFails) {
  FakeUpstream silent([](const Message&, bool) { return Bytes{}; });
  FakeUpstream good(example_answers(7));
  start({silent.port(), good.port()}, 200ms);
  for (const char* name : {"a.example.com", "b.example.com", "c.example.com"}) {
    auto m = ask_udp(port_, make_query(name, type::kA));
    ASSERT_TRUE(m) << name;
    EXPECT_EQ(addresses(*m), std::vector<std::string>{"192.0.2.7"}) << name;
  }
  EXPECT_EQ(good.udp_queries(), 3);
  EXPECT_GE(silent.udp_queries(), 1);
}

TEST_F(DnsServerTest, TruncatedUpstreamAnswersAreFetchedOverTcp) {
  FakeUpstream upstream([](const Message& q, bool tcp) {
    AnswerBuilder b(q);
    if (!tcp) return b.truncated().bytes();
    for (int i = 0; i < 60; ++i) b.a(q.questions[0].name.text(), "192.0.2." + std::to_string(i), 300);
    return b.bytes();
  });
  start({upstream.port()});
  auto udp = ask_udp(port_, make_query("many.example.com", type::kA, 1, Opt{4096}));
  ASSERT_TRUE(udp);
  EXPECT_FALSE(udp->truncated());
  EXPECT_EQ(udp->answer.size(), 60u);
  EXPECT_EQ(upstream.udp_queries(), 1);
  EXPECT_EQ(upstream.tcp_queries(), 1);
  // An asker without EDNS gets as much as fits in 512 bytes, with TC, and all over TCP.
  expect_cut_over_udp_and_whole_over_tcp("many.example.com", 60);
  EXPECT_EQ(upstream.udp_queries(), 1) << "both from the cache";
}

TEST_F(DnsServerTest, ExternalNameTargetsAreResolvedUpstream) {
  FakeUpstream upstream(example_answers(3));
  start({upstream.port()});
  auto m = ask_udp(port_, make_query("ext.default.svc.cluster.local", type::kA));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->answer.size(), 2u);
  EXPECT_EQ(m->answer[0].type, type::kCNAME);
  EXPECT_EQ(m->answer[0].ttl, 5u);
  EXPECT_EQ(rdata_name(m->answer[0]), "www.example.com.");
  EXPECT_EQ(m->answer[1].name.text(), "www.example.com.");
  EXPECT_EQ(ipv4(m->answer[1]), "192.0.2.3");
  EXPECT_TRUE(m->flags & flag::kAA);
  EXPECT_EQ(upstream.asked(), std::vector<std::string>{"www.example.com."});
  // The target's answer is in the cache now, for both ways of asking.
  ASSERT_TRUE(ask_udp(port_, make_query("ext.default.svc.cluster.local", type::kA)));
  ASSERT_TRUE(ask_udp(port_, make_query("www.example.com", type::kA)));
  EXPECT_EQ(upstream.udp_queries(), 1);
}

TEST_F(DnsServerTest, ExternalNameWithoutAnUpstreamAnswerIsNoData) {
  start({dead_udp_port()});
  auto m = ask_udp(port_, make_query("ext.default.svc.cluster.local", type::kA));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode(), rcode::kNoError);
  EXPECT_TRUE(m->answer.empty()) << "no CNAME without its target's records, as CoreDNS";
  ASSERT_EQ(m->authority.size(), 1u);
  EXPECT_EQ(m->authority[0].type, type::kSOA);
}

TEST_F(DnsServerTest, MalformedQueriesGetFormerrAndHarmNothing) {
  start({dead_udp_port()});
  Bytes bad = make_query("web.default.svc.cluster.local", type::kA, 77);
  put16(&bad[4], 2);  // two questions
  auto m = ask_udp(port_, bad);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, 77);
  EXPECT_EQ(m->rcode(), rcode::kFormErr);
  EXPECT_TRUE(m->questions.empty());
  // Shorter than a header, or a response: no answer at all.
  EXPECT_FALSE(udp_exchange(port_, Bytes{1, 2, 3}, 300ms));
  Bytes response = make_query("web.default.svc.cluster.local", type::kA);
  response[2] |= 0x80;
  EXPECT_FALSE(udp_exchange(port_, response, 300ms));
  // An EDNS version we do not speak.
  m = ask_udp(port_, make_query("web.default.svc.cluster.local", type::kA, 78, Opt{1232, false, 1}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode(), rcode::kBadVers);
  // Another opcode.
  Bytes notify = make_query("web.default.svc.cluster.local", type::kA, 79);
  notify[2] |= 4 << 3;
  m = ask_udp(port_, notify);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode(), rcode::kNotImp);
  // A frame too short for a header closes the TCP connection.
  TcpClient tcp(port_);
  tcp.send(Bytes{1, 2});
  EXPECT_TRUE(tcp.closed_by_peer(2000));
  // Still serving.
  m = ask_udp(port_, make_query("web.default.svc.cluster.local", type::kA));
  ASSERT_TRUE(m);
  EXPECT_EQ(addresses(*m), std::vector<std::string>{"10.43.0.50"});
}

TEST_F(DnsServerTest, IdleTcpConnectionsAreClosed) {
  start({dead_udp_port()}, 2000ms, 300ms);
  TcpClient idle(port_);
  ASSERT_TRUE(idle.connected());
  EXPECT_TRUE(idle.closed_by_peer(3000));
  TcpClient busy(port_);
  busy.send(make_query("web.default.svc.cluster.local", type::kA));
  EXPECT_TRUE(busy.receive());
  EXPECT_TRUE(busy.closed_by_peer(3000)) << "idle again after answering";
}

}  // namespace
}  // namespace ukube::dns_test
