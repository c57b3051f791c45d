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

}  // namespace
}  // namespace ukube::testing
