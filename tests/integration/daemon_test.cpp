// The real `ukube` binary: start-up, `ukube plugins`, SIGHUP reload, SIGTERM shutdown and
// config errors, with the host's test plugins tracing their lifecycle to a file.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "tests/integration/daemon_process.h"

namespace ukube::testing {
namespace {

using namespace std::chrono_literals;

class Daemon : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("ukube-daemon-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    trace_ = dir_ / "trace";
    config_ = dir_ / "ukube.yaml";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write_config(const std::vector<std::string>& plugins, const std::string& extra = "") {
    std::ofstream out(config_);
    out << "data_dir: " << (dir_ / "data").string() << "\n"
        << "plugin_dirs: [" << UKUBE_TEST_PLUGIN_DIR << "]\n"
        << "plugins:\n";
    for (const auto& uri : plugins)
      out << "  - uri: " << uri << "\n    config: {trace_file: " << trace_.string() << "}\n";
    out << extra;
  }
  std::string trace() const { return read_file(trace_); }
  bool traced(const std::string& line) const { return trace().find(line + "\n") != std::string::npos; }
  size_t position(const std::string& line) const { return trace().find(line + "\n"); }

  std::filesystem::path dir_, trace_, config_;
};

TEST_F(Daemon, RunsReloadsAndStopsPluginsInOrder) {
  write_config({"ukube.test.v1.beta", "ukube.test.v1.alpha"});
  DaemonProcess daemon({"--config", config_.string()}, dir_ / "log");
  ASSERT_TRUE(daemon.started());
  ASSERT_TRUE(eventually([&] { return traced("ukube.test.v1.beta start"); })) << daemon.log() << trace();
  // beta requires alpha: alpha comes first although the config lists it second.
  EXPECT_LT(position("ukube.test.v1.alpha init value=0 visible=0 state_dir=yes"),
            position("ukube.test.v1.beta init value=0 visible=1 state_dir=yes"));
  EXPECT_LT(position("ukube.test.v1.alpha start"), position("ukube.test.v1.beta start"));
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "data" / "plugins" / "ukube.test.v1.alpha"));
  EXPECT_NE(daemon.log().find("NO AUTHORIZER PLUGIN IS CONFIGURED"), std::string::npos);

  // Reload: beta goes, delta comes.
  write_config({"ukube.test.v1.alpha", "ukube.test.v1.delta"});
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return traced("ukube.test.v1.delta start"); })) << daemon.log();
  EXPECT_TRUE(traced("ukube.test.v1.beta stop"));
  EXPECT_TRUE(traced("ukube.test.v1.beta destroy"));

  // A broken config on reload changes nothing and says why.
  write_config({"ukube.test.v1.alpha", "ukube.test.v1.nonexistent"});
  daemon.signal(SIGHUP);
  ASSERT_TRUE(
      eventually([&] { return daemon.log().find("ukube.test.v1.nonexistent") != std::string::npos; }));
  EXPECT_FALSE(traced("ukube.test.v1.delta stop"));

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.log();
  EXPECT_LT(position("ukube.test.v1.delta stop"), position("ukube.test.v1.alpha stop"));
  EXPECT_NE(daemon.log().find("stopped cleanly"), std::string::npos);
}

TEST_F(Daemon, PluginsCommandListsEveryPlugin) {
  write_config({"ukube.test.v1.alpha"});
  DaemonProcess list({"plugins", "--config", config_.string()}, dir_ / "out");
  ASSERT_EQ(list.wait_exit(20s), 0) << list.log();
  std::string out = list.log();
  EXPECT_NE(out.find("TYPE"), std::string::npos) << out;
  for (const char* row : {"ukube.test.v1", "alpha", "beta", "available", "alpha.so"})
    EXPECT_NE(out.find(row), std::string::npos) << row << "\n" << out;
}

TEST_F(Daemon, ConfigErrorsNameFilePluginAndField) {
  write_config({});
  {
    std::ofstream out(config_, std::ios::app);
    out << "  - uri: ukube.test.v1.alpha\n    config: {trace_file: x, listen: {prot: 1}}\n";
  }
  DaemonProcess daemon({"--config", config_.string()}, dir_ / "log");
  EXPECT_EQ(daemon.wait_exit(20s), 1);
  std::string log = daemon.log();
  EXPECT_NE(log.find(config_.filename().string()), std::string::npos) << log;
  EXPECT_NE(log.find("ukube.test.v1.alpha"), std::string::npos) << log;
  EXPECT_NE(log.find("config.listen.prot"), std::string::npos) << log;

  DaemonProcess missing({"--config", (dir_ / "absent.yaml").string()}, dir_ / "log2");
  EXPECT_EQ(missing.wait_exit(20s), 1);
  EXPECT_NE(missing.log().find("absent.yaml"), std::string::npos) << missing.log();
}

TEST_F(Daemon, SecondDaemonOnTheSameDataDirIsRefused) {
  write_config({});
  DaemonProcess first({"--config", config_.string()}, dir_ / "log1");
  ASSERT_TRUE(eventually([&] { return first.log().find("ukube is up") != std::string::npos; }))
      << first.log();
  DaemonProcess second({"--config", config_.string()}, dir_ / "log2");
  EXPECT_EQ(second.wait_exit(20s), 1);
  EXPECT_NE(second.log().find("data"), std::string::npos) << second.log();
  first.signal(SIGINT);
  EXPECT_EQ(first.wait_exit(20s), 0);
}

// The flag decides where the API is served when the API server's config names no address,
// and the written kubeconfig follows: two daemons on one machine, each told port 0, both
// serve, each on its own port, neither on the default 6443.
TEST_F(Daemon, ListenFlagDecidesWhereTheApiIsServed) {
  auto start = [&](const std::string& name) {
    const auto dir = dir_ / name;
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "ukube.yaml") << "data_dir: " << (dir / "data").string() << "\n"
                                      << "listen: 127.0.0.1:6443\n"
                                      << "plugins:\n"
                                      << "  - uri: ukube.types.v1.builtin\n"
                                      << "  - uri: ukube.authenticator.v1.x509\n"
                                      << "  - uri: ukube.authorizer.v1.rbac\n"
                                      << "  - uri: ukube.apiserver.v1.apiserver\n";
    return std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", (dir / "ukube.yaml").string(), "--listen", "127.0.0.1:0"},
        dir / "log");
  };
  auto server_of = [&](const std::string& name) {
    return kubeconfig_server(dir_ / name / "data" / "admin.kubeconfig");
  };
  auto first = start("a");
  auto second = start("b");
  for (auto* d : {first.get(), second.get()})
    ASSERT_TRUE(eventually([&] { return d->log().find("ukube is up") != std::string::npos; }, 30s))
        << d->log();
  ASSERT_TRUE(eventually([&] { return !server_of("a").empty() && !server_of("b").empty(); }, 10s));
  EXPECT_NE(server_of("a"), server_of("b"));
  EXPECT_EQ(server_of("a").find(":6443"), std::string::npos) << server_of("a");
  EXPECT_EQ(server_of("b").find(":6443"), std::string::npos) << server_of("b");
  for (auto* d : {first.get(), second.get()}) {
    d->signal(SIGINT);
    EXPECT_EQ(d->wait_exit(20s), 0) << d->log();
  }
}

}  // namespace
}  // namespace ukube::testing
