#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kernel/host/host.h"
#include "tests/unit/host/test_support.h"

namespace ukube::host {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class HostReload : public testing::HostFixture {
 protected:
  std::unique_ptr<Host> running(const std::string& plugins) {
    auto host = Host::create(config(plugins), testing::test_catalog(), {}, testing::quiet_logger());
    host->start();
    clear_trace();
    return host;
  }

  ReloadResult reload(Host& host, const std::string& plugins) {
    return host.reload(config(plugins), testing::test_catalog());
  }

  // "id state" for every test plugin the host runs or lists from its config.
  std::vector<std::string> states(const Host& host) {
    std::vector<std::string> out;
    for (const auto& row : host.describe())
      if (row.state != "available" && row.state.rfind("refused", 0) != 0)
        out.push_back(row.id + " " + row.state);
    return out;
  }
};

TEST_F(HostReload, AddsPlugins) {
  auto host = running(entry("ukube.test.v1.alpha"));
  ReloadResult result = reload(*host, entry("ukube.test.v1.alpha") + entry("ukube.test.v1.beta"));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(result.added, ElementsAre("ukube.test.v1.beta"));
  EXPECT_THAT(result.removed, IsEmpty());
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.beta init value=0 visible=1 state_dir=yes",
                                   "ukube.test.v1.beta start"));
  EXPECT_THAT(states(*host), ElementsAre("alpha running", "beta running"));
  EXPECT_EQ(result.summary(), "added ukube.test.v1.beta");
}

TEST_F(HostReload, RemovesPluginsInReverseOrder) {
  auto host =
      running(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.beta") + entry("ukube.test.v1.delta"));
  ReloadResult result = reload(*host, entry("ukube.test.v1.delta"));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(result.removed, ElementsAre("ukube.test.v1.alpha", "ukube.test.v1.beta"));
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.beta stop", "ukube.test.v1.alpha stop",
                                   "ukube.test.v1.beta destroy", "ukube.test.v1.alpha destroy"));
  EXPECT_THAT(states(*host), ElementsAre("delta running"));
}

TEST_F(HostReload, UnchangedConfigChangesNothing) {
  auto host = running(entry("ukube.test.v1.alpha", "value: 1"));
  // Same message, different spelling.
  ReloadResult result = reload(*host, entry("ukube.test.v1.alpha", "value: \"1\", listen: ~"));
  EXPECT_EQ(result.summary(), "no plugin changed");
  EXPECT_THAT(trace(), IsEmpty());
}

TEST_F(HostReload, ReconfiguresInPlaceWhenThePluginAccepts) {
  auto host = running(entry("ukube.test.v1.alpha", "value: 1") + entry("ukube.test.v1.beta"));
  ReloadResult result = reload(*host, entry("ukube.test.v1.alpha", "value: 2, support_reconfigure: true") +
                                          entry("ukube.test.v1.beta"));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(result.reconfigured, ElementsAre("ukube.test.v1.alpha"));
  EXPECT_THAT(result.restarted, IsEmpty());
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha reconfigure value=2"));
  EXPECT_THAT(states(*host), ElementsAre("alpha running", "beta running"));
}

TEST_F(HostReload, RestartsAPluginThatDeclinesAndEverythingThatRequiresIt) {
  auto host = running(entry("ukube.test.v1.alpha", "value: 1") + entry("ukube.test.v1.beta") +
                      entry("ukube.test.v1.delta"));
  ReloadResult result = reload(*host, entry("ukube.test.v1.alpha", "value: 2") + entry("ukube.test.v1.beta") +
                                          entry("ukube.test.v1.delta"));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(result.reconfigured, IsEmpty());
  EXPECT_THAT(result.restarted, ElementsAre("ukube.test.v1.alpha", "ukube.test.v1.beta"));
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha reconfigure value=2", "ukube.test.v1.beta stop",
                                   "ukube.test.v1.alpha stop", "ukube.test.v1.beta destroy",
                                   "ukube.test.v1.alpha destroy",
                                   // delta stays up: visible counts it.
                                   "ukube.test.v1.alpha init value=2 visible=1 state_dir=yes",
                                   "ukube.test.v1.beta init value=0 visible=2 state_dir=yes",
                                   "ukube.test.v1.alpha start", "ukube.test.v1.beta start"));
  EXPECT_THAT(states(*host), ElementsAre("alpha running", "beta running", "delta running"));
}

TEST_F(HostReload, ADependentOfARestartedPluginIsRestartedNotReconfigured) {
  auto host = running(entry("ukube.test.v1.alpha", "value: 1") + entry("ukube.test.v1.beta", "value: 1"));
  ReloadResult result = reload(*host, entry("ukube.test.v1.alpha", "value: 2") +
                                          entry("ukube.test.v1.beta", "value: 2, support_reconfigure: true"));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(result.reconfigured, IsEmpty());
  EXPECT_THAT(result.restarted, ElementsAre("ukube.test.v1.alpha", "ukube.test.v1.beta"));
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha reconfigure value=2", "ukube.test.v1.beta stop",
                                   "ukube.test.v1.alpha stop", "ukube.test.v1.beta destroy",
                                   "ukube.test.v1.alpha destroy",
                                   "ukube.test.v1.alpha init value=2 visible=0 state_dir=yes",
                                   "ukube.test.v1.beta init value=2 visible=1 state_dir=yes",
                                   "ukube.test.v1.alpha start", "ukube.test.v1.beta start"));
}

TEST_F(HostReload, ReloadWithoutACatalogRescansThePluginDirs) {
  DaemonConfig first = config(entry("ukube.test.v1.alpha"));
  first.plugin_dirs = {testing::plugin_dir()};
  auto host = Host::create(first, {}, testing::quiet_logger());
  host->start();
  clear_trace();
  DaemonConfig second = config(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.epsilon"));
  second.plugin_dirs = {testing::plugin_dir(), testing::extra_dir()};
  ReloadResult result = host->reload(second);
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(result.added, ElementsAre("ukube.test.v1.epsilon"));
  EXPECT_EQ(result.summary(), "added ukube.test.v1.epsilon");
}

TEST_F(HostReload, SwapsAProviderOfARequiredTypeAndRestartsItsDependents) {
  // gamma requires the type ukube.test.v1: replacing alpha by delta keeps it satisfied,
  // but gamma was built against alpha, so it is re-created.
  auto host = running(entry("ukube.test.v1.alpha") + entry("ukube.consumer.v1.gamma"));
  ReloadResult result = reload(*host, entry("ukube.test.v1.delta") + entry("ukube.consumer.v1.gamma"));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(result.added, ElementsAre("ukube.test.v1.delta"));
  EXPECT_THAT(result.removed, ElementsAre("ukube.test.v1.alpha"));
  EXPECT_THAT(result.restarted, ElementsAre("ukube.consumer.v1.gamma"));
  EXPECT_THAT(trace(), ElementsAre("ukube.consumer.v1.gamma stop", "ukube.test.v1.alpha stop",
                                   "ukube.consumer.v1.gamma destroy", "ukube.test.v1.alpha destroy",
                                   "ukube.test.v1.delta init value=0 visible=0 state_dir=yes",
                                   "ukube.consumer.v1.gamma init value=0 visible=1 state_dir=yes",
                                   "ukube.test.v1.delta start", "ukube.consumer.v1.gamma start"));
}

TEST_F(HostReload, RefusedWhenARemainingPluginRequiresARemovedOne) {
  auto host = running(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.beta"));
  try {
    reload(*host, entry("ukube.test.v1.beta"));
    FAIL() << "expected HostError";
  } catch (const HostError& e) {
    EXPECT_THAT(e.what(), HasSubstr("test.yaml: reload refused, nothing changed:\n"));
    EXPECT_THAT(e.what(),
                HasSubstr("test.yaml:3: plugin ukube.test.v1.beta: it requires ukube.test.v1.alpha, which "
                          "this reload removes; remove ukube.test.v1.beta as well or keep "
                          "ukube.test.v1.alpha"));
  }
  EXPECT_THAT(trace(), IsEmpty());
  EXPECT_THAT(states(*host), ElementsAre("alpha running", "beta running"));
}

TEST_F(HostReload, RefusedReloadLeavesEverythingAsItWas) {
  auto host = running(entry("ukube.test.v1.alpha", "value: 1"));
  const std::string broken_sets[] = {
      entry("ukube.test.v1.alpha", "value: 2") + entry("ukube.test.v1.nonexistent"),
      entry("ukube.test.v1.alpha", "value: 2, bogus: true"),
      entry("ukube.test.v1.alpha", "value: 2") + entry("ukube.bad.v1.hash"),
      entry("ukube.test.v1.alpha", "value: 2") + entry("ukube.cycle.v1.one") + entry("ukube.cycle.v1.two") +
          entry("ukube.cycle.v1.three"),
  };
  for (const auto& plugins : broken_sets) {
    EXPECT_THROW(reload(*host, plugins), HostError) << plugins;
    EXPECT_THAT(trace(), IsEmpty());
    EXPECT_THAT(states(*host), ElementsAre("alpha running"));
    EXPECT_EQ(host->config().plugins.size(), 1u);
  }
}

TEST_F(HostReload, RefusesToMoveTheDataDir) {
  auto host = running(entry("ukube.test.v1.alpha"));
  DaemonConfig moved = config(entry("ukube.test.v1.alpha"));
  moved.data_dir = root_ / "elsewhere";
  try {
    host->reload(moved, testing::test_catalog());
    FAIL() << "expected HostError";
  } catch (const HostError& e) {
    EXPECT_THAT(e.what(), HasSubstr("data_dir cannot change while the daemon runs"));
  }
}

TEST_F(HostReload, RefusesToMoveTheApi) {
  auto host = running(entry("ukube.test.v1.alpha"));
  DaemonConfig moved = config(entry("ukube.test.v1.alpha"));
  moved.listen = "127.0.0.1:7443";
  try {
    host->reload(moved, testing::test_catalog());
    FAIL() << "expected HostError";
  } catch (const HostError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("listen cannot change while the daemon runs (127.0.0.1:6443 -> 127.0.0.1:7443)"));
  }
  EXPECT_THAT(states(*host), ElementsAre("alpha running"));
}

TEST_F(HostReload, FailureWhileBringingUpIsReportedAndTheRestKeepsRunning) {
  auto host = running(entry("ukube.test.v1.alpha"));
  ReloadResult result =
      reload(*host, entry("ukube.test.v1.alpha") + entry("ukube.test.v1.delta", "fail_init: true"));
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(result.error, HasSubstr("plugin ukube.test.v1.delta failed to initialise: fail_init is set"));
  EXPECT_THAT(states(*host), ElementsAre("alpha running", "delta failed: fail_init is set"));

  // The next reload retries the failed plugin.
  clear_trace();
  result = reload(*host, entry("ukube.test.v1.alpha") + entry("ukube.test.v1.delta"));
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_THAT(states(*host), ElementsAre("alpha running", "delta running"));
}

TEST_F(HostReload, BeforeStartOnlyReplacesTheLoadedSet) {
  auto host = Host::create(config(entry("ukube.test.v1.alpha")), testing::test_catalog(), {},
                           testing::quiet_logger());
  ReloadResult result = reload(*host, entry("ukube.test.v1.delta"));
  EXPECT_THAT(result.added, ElementsAre("ukube.test.v1.delta"));
  EXPECT_THAT(result.removed, ElementsAre("ukube.test.v1.alpha"));
  EXPECT_THAT(trace(), IsEmpty());
  host->start();
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.delta init value=0 visible=0 state_dir=yes",
                                   "ukube.test.v1.delta start"));
}

}  // namespace
}  // namespace ukube::host
