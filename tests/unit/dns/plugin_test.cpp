// The plugin (plugins/dns/dns_plugin.h): its settings and defaults, and the whole plugin fed by
// shared informers over an in-memory API, answering what is created, changed and deleted.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "dns/config.pb.h"
#include "dns/dns_plugin.h"
#include "dns/settings.h"
#include "tests/support/eventually.h"
#include "tests/unit/dns/dns_test_support.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/resources.h"
#include "ukube/testing/in_memory_client.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::dns_test {
namespace {

using namespace std::chrono_literals;

TEST(DnsSettings, Defaults) {
  testing::TempDir dir("dns");
  std::ofstream(dir.path() / "resolv.conf") << "# comment\nsearch example.com\nnameserver 192.0.2.53\n"
                                               "nameserver fe80::1%eth0\noptions ndots:5\n";
  DnsConfig config;
  config.set_resolv_conf((dir.path() / "resolv.conf").string());
  const DnsSettings s = settings_from(config);
  ASSERT_EQ(s.server.listen.size(), 1u);
  EXPECT_EQ(s.server.listen[0].address().to_string(), "127.0.0.1");
  EXPECT_EQ(s.server.listen[0].port(), 10053);
  EXPECT_EQ(s.cluster_domain, "cluster.local");
  ASSERT_EQ(s.server.upstreams.size(), 2u);
  EXPECT_EQ(s.server.upstreams[0].address().to_string(), "192.0.2.53");
  EXPECT_EQ(s.server.upstreams[0].port(), 53);
  EXPECT_EQ(s.server.upstreams[1].address().to_string(), "fe80::1");
  EXPECT_EQ(s.server.cache_seconds, 30u);
  EXPECT_EQ(s.ttl, 5u);
  EXPECT_EQ(s.pods, PodMode::insecure);
  EXPECT_EQ(s.server.upstream_timeout, 2000ms);
  EXPECT_EQ(s.server.tcp_idle, 10s);
}

TEST(DnsSettings, ExplicitValues) {
  DnsConfig config;
  config.add_listen("[::1]:5353");
  config.add_listen("127.0.0.2");
  config.set_cluster_domain("Example.Internal.");
  config.add_upstream("127.0.0.1:5300");
  config.set_cache_seconds(0);
  config.set_ttl(0);
  config.set_pods("verified");
  config.set_upstream_timeout_ms(250);
  const DnsSettings s = settings_from(config);
  EXPECT_EQ(s.server.listen[0].address().to_string(), "::1");
  EXPECT_EQ(s.server.listen[0].port(), 5353);
  EXPECT_EQ(s.server.listen[1].port(), 53);
  EXPECT_EQ(s.cluster_domain, "example.internal");
  EXPECT_EQ(s.server.upstreams[0].port(), 5300);
  EXPECT_EQ(s.server.cache_seconds, 0u) << "0 turns the cache off";
  EXPECT_EQ(s.ttl, 0u);
  EXPECT_EQ(s.pods, PodMode::verified);
  EXPECT_EQ(s.server.upstream_timeout, 250ms);
}

TEST(DnsSettings, RefusesBadValuesNamingTheField) {
  auto refused = [](auto set, const std::string& field) {
    DnsConfig config;
    config.add_upstream("127.0.0.1:5300");
    set(config);
    try {
      settings_from(config);
      ADD_FAILURE() << field << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  refused([](DnsConfig& c) { c.add_listen("localhost:53"); }, "listen");
  refused([](DnsConfig& c) { c.add_listen("127.0.0.1:99999"); }, "listen");
  refused([](DnsConfig& c) { c.add_upstream("dns.google"); }, "upstream");
  refused([](DnsConfig& c) { c.set_pods("sometimes"); }, "pods");
  refused([](DnsConfig& c) { c.set_ttl(4000); }, "ttl");
  refused([](DnsConfig& c) { c.set_cluster_domain("a..b"); }, "cluster_domain");
  refused([](DnsConfig& c) { c.add_listen("127.0.0.1:5300"); }, "forward to itself");
}

// An InitContext with nothing but a config and shared informers over an in-memory API.
class InformerContext final : public InitContext {
 public:
  InformerContext(const DnsConfig& config, std::shared_ptr<Client> client)
      : config_(config), informers_(std::move(client)) {}
  ~InformerContext() override { informers_.shutdown(); }
  const std::string& uri() const override { return uri_; }
  const google::protobuf::Message& config() const override { return config_; }
  const std::filesystem::path& state_dir() const override { return dir_; }
  const std::filesystem::path& data_dir() const override { return dir_; }
  const std::string& listen() const override { return uri_; }
  std::shared_ptr<spdlog::logger> logger() const override { return nullptr; }
  store::Store& store() const override { throw std::logic_error("no store"); }
  watch::WatchBus& watch_bus() const override { throw std::logic_error("no bus"); }
  TypeRegistry& types() const override { throw std::logic_error("no registry"); }
  AuthChains& auth() const override { throw std::logic_error("no auth"); }
  RequestPipeline& pipeline() const override { throw std::logic_error("no pipeline"); }
  std::shared_ptr<Client> client(const UserInfo&) const override { throw std::logic_error("no client"); }
  InformerFactory& informers() const override { return informers_; }
  Plugin* find(const std::string&) const override { return nullptr; }
  std::vector<Plugin*> all() const override { return {}; }
  std::vector<PluginStatus> plugin_statuses() const override { return {}; }

 private:
  std::string uri_ = "ukube.dns.v1.dns";
  std::filesystem::path dir_ = "/tmp";
  const DnsConfig& config_;
  mutable SharedInformerFactory informers_;
};

TEST(DnsPlugin, AnswersWhatTheInformersSee) {
  auto api = std::make_shared<testing::InMemoryClient>();
  api->add(machinery::kNamespaces, namespace_object("default"));
  api->add(machinery::kServices, service_object("web", "default", "10.43.0.50"));
  DnsConfig config;
  config.add_listen("127.0.0.1:0");
  config.add_upstream("127.0.0.1:" + std::to_string(dead_udp_port()));
  config.set_pods("verified");
  InformerContext ctx(config, api);
  DnsPlugin plugin;
  plugin.init(ctx);
  plugin.start();
  ASSERT_TRUE(plugin.server());
  const uint16_t port = plugin.server()->endpoints().at(0).port();
  auto a = [&](const std::string& name) {
    auto m = ask_udp(port, make_query(name, type::kA));
    return m ? addresses(*m) : std::vector<std::string>{"no answer"};
  };
  auto rcode_of = [&](const std::string& name) {
    auto m = ask_udp(port, make_query(name, type::kA));
    return m ? m->rcode() : 999;
  };
  EXPECT_EQ(a("web.default.svc.cluster.local"), std::vector<std::string>{"10.43.0.50"});

  // A headless service and its slice, created after start.
  api->add(machinery::kServices, service_object("db", "default", "None", {{"pg", "TCP", 5432}}));
  api->add(machinery::kEndpointSlices,
           slice_object("db-1", "default", "db", {{"10.42.0.5", "pet-0"}}, {{"pg", "TCP", 5432}}));
  EXPECT_TRUE(testing::eventually([&] { return a("pet-0.db.default.svc.cluster.local").size() == 1; }));
  EXPECT_EQ(a("db.default.svc.cluster.local"), std::vector<std::string>{"10.42.0.5"});

  // Pods, in verified mode.
  EXPECT_EQ(rcode_of("10-42-0-9.default.pod.cluster.local"), rcode::kNXDomain);
  api->add(machinery::kPods,
           json::parse(R"({"metadata":{"name":"p","namespace":"default"},"status":{"podIP":"10.42.0.9"}})")
               .as_object());
  EXPECT_TRUE(testing::eventually(
      [&] { return rcode_of("10-42-0-9.default.pod.cluster.local") == rcode::kNoError; }));

  // Deleted: gone.
  api->remove(machinery::kServices, "default", "web");
  EXPECT_TRUE(
      testing::eventually([&] { return rcode_of("web.default.svc.cluster.local") == rcode::kNXDomain; }));
  plugin.stop();
  EXPECT_FALSE(plugin.server());
}

TEST(DnsPlugin, SaysWhichAddressItCannotTake) {
  auto api = std::make_shared<testing::InMemoryClient>();
  FakeUpstream holder([](const Message&, bool) { return Bytes{}; });  // holds a UDP and TCP port
  DnsConfig config;
  config.add_listen(holder.address());
  config.add_upstream("127.0.0.1:" + std::to_string(dead_udp_port()));
  InformerContext ctx(config, api);
  DnsPlugin plugin;
  plugin.init(ctx);
  try {
    plugin.start();
    ADD_FAILURE() << "started on a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(holder.address()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ukube::dns_test
