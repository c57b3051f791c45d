#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kernel/host/host.h"
#include "tests/unit/host/test_support.h"

namespace ukube::host {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class HostLifecycle : public testing::HostFixture {
 protected:
  std::unique_ptr<Host> create(const DaemonConfig& config) {
    return Host::create(config, testing::test_catalog(), {}, testing::quiet_logger());
  }

  std::string state_of(const Host& host, const std::string& id) {
    for (const auto& row : host.describe())
      if (row.id == id && row.type.rfind("ukube.", 0) == 0) return row.state;
    return "<absent>";
  }
};

TEST_F(HostLifecycle, InitsAndStartsInDependencyOrderThenStopsAndDestroysInReverse) {
  // gamma requires the whole ukube.test.v1 type; beta requires alpha. Config order breaks
  // ties: delta comes before alpha.
  auto host = create(config(entry("ukube.consumer.v1.gamma") +
                            entry("ukube.test.v1.beta", "expect_visible: [ukube.test.v1.alpha, alpha]") +
                            entry("ukube.test.v1.delta") + entry("ukube.test.v1.alpha")));
  EXPECT_TRUE(trace().empty()) << "create() must not initialise anything";
  host->start();
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.delta init value=0 visible=0 state_dir=yes",
                                   "ukube.test.v1.alpha init value=0 visible=1 state_dir=yes",
                                   "ukube.test.v1.beta init value=0 visible=2 state_dir=yes",
                                   "ukube.consumer.v1.gamma init value=0 visible=3 state_dir=yes",
                                   "ukube.test.v1.delta start", "ukube.test.v1.alpha start",
                                   "ukube.test.v1.beta start", "ukube.consumer.v1.gamma start"));
  EXPECT_EQ(state_of(*host, "gamma"), "running");

  clear_trace();
  host->stop();
  EXPECT_THAT(trace(), ElementsAre("ukube.consumer.v1.gamma stop", "ukube.test.v1.beta stop",
                                   "ukube.test.v1.alpha stop", "ukube.test.v1.delta stop",
                                   "ukube.consumer.v1.gamma destroy", "ukube.test.v1.beta destroy",
                                   "ukube.test.v1.alpha destroy", "ukube.test.v1.delta destroy"));
  EXPECT_EQ(state_of(*host, "gamma"), "stopped");

  clear_trace();
  host->stop();
  host.reset();
  EXPECT_TRUE(trace().empty()) << "stop is idempotent and the destructor does not stop twice";
}

TEST_F(HostLifecycle, OptionalRequirementsOrderWhenEnabledAndAreNotNeededOtherwise) {
  // zeta requires ?alpha and ?ukube.absent.v1: listed first, it still comes after alpha.
  auto host = create(config(entry("ukube.optional.v1.zeta") + entry("ukube.test.v1.alpha")));
  host->start();
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha init value=0 visible=0 state_dir=yes",
                                   "ukube.optional.v1.zeta init value=0 visible=1 state_dir=yes",
                                   "ukube.test.v1.alpha start", "ukube.optional.v1.zeta start"));
  host->stop();
  clear_trace();

  auto alone = create(config(entry("ukube.optional.v1.zeta")));
  alone->start();
  EXPECT_EQ(state_of(*alone, "zeta"), "running");
}

TEST_F(HostLifecycle, CreatesPrivateStateDirectoriesBeforeInit) {
  auto host = create(config(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.delta")));
  host->start();
  for (const char* uri : {"ukube.test.v1.alpha", "ukube.test.v1.delta"}) {
    auto dir = data_ / "plugins" / uri;
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    EXPECT_EQ(std::filesystem::status(dir).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_all);
  }
}

TEST_F(HostLifecycle, DestructorStopsARunningHost) {
  auto host = create(config(entry("ukube.test.v1.alpha")));
  host->start();
  clear_trace();
  host.reset();
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha stop", "ukube.test.v1.alpha destroy"));
}

TEST_F(HostLifecycle, InitFailureDestroysWhatWasInitialisedAndNamesThePlugin) {
  auto host = create(config(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.beta", "fail_init: true") +
                            entry("ukube.test.v1.delta")));
  try {
    host->start();
    FAIL() << "expected HostError";
  } catch (const HostError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin ukube.test.v1.beta failed to initialise: fail_init is set"));
    EXPECT_THAT(e.what(), HasSubstr("rolled back (stopped and destroyed): ukube.test.v1.alpha"));
  }
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha init value=0 visible=0 state_dir=yes",
                                   "ukube.test.v1.beta init value=0 visible=1 state_dir=yes",
                                   "ukube.test.v1.beta destroy", "ukube.test.v1.alpha destroy"));
  EXPECT_EQ(state_of(*host, "beta"), "failed: fail_init is set");
  EXPECT_EQ(state_of(*host, "alpha"), "stopped");
  EXPECT_EQ(state_of(*host, "delta"), "loaded");
}

TEST_F(HostLifecycle, StartFailureStopsWhatWasStartedInReverse) {
  auto host = create(config(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.delta") +
                            entry("ukube.test.v1.beta", "fail_start: true")));
  // Order: alpha, delta, beta (beta needs alpha, config order otherwise).
  try {
    host->start();
    FAIL() << "expected HostError";
  } catch (const HostError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin ukube.test.v1.beta failed to start: fail_start is set"));
  }
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha init value=0 visible=0 state_dir=yes",
                                   "ukube.test.v1.delta init value=0 visible=1 state_dir=yes",
                                   "ukube.test.v1.beta init value=0 visible=2 state_dir=yes",
                                   "ukube.test.v1.alpha start", "ukube.test.v1.delta start",
                                   "ukube.test.v1.beta start", "ukube.test.v1.beta destroy",
                                   "ukube.test.v1.delta stop", "ukube.test.v1.alpha stop",
                                   "ukube.test.v1.delta destroy", "ukube.test.v1.alpha destroy"));
  EXPECT_EQ(state_of(*host, "beta"), "failed: fail_start is set");
  EXPECT_EQ(state_of(*host, "alpha"), "stopped");
}

TEST_F(HostLifecycle, StartAfterAFailedStartRetries) {
  auto host = create(config(entry("ukube.test.v1.alpha", "fail_start: true")));
  EXPECT_THROW(host->start(), HostError);
  EXPECT_THROW(host->start(), HostError);
  EXPECT_EQ(state_of(*host, "alpha"), "failed: fail_start is set");
}

TEST_F(HostLifecycle, StopFailureIsReportedAndTheRestStillStops) {
  auto host = create(config(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.delta", "fail_stop: true")));
  host->start();
  clear_trace();
  host->stop();
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.delta stop", "ukube.test.v1.alpha stop",
                                   "ukube.test.v1.delta destroy", "ukube.test.v1.alpha destroy"));
  EXPECT_EQ(state_of(*host, "delta"), "failed: stop: fail_stop is set");
  EXPECT_EQ(state_of(*host, "alpha"), "stopped");
}

TEST_F(HostLifecycle, PluginWithoutConfigMessageRuns) {
  ::setenv("UKUBE_TEST_TRACE", trace_.c_str(), 1);
  auto host = create(config("  - uri: ukube.bare.v1.bare\n"));
  host->start();
  host->stop();
  ::unsetenv("UKUBE_TEST_TRACE");
  EXPECT_THAT(trace(), ElementsAre("ukube.bare.v1.bare init value=0 visible=0 state_dir=yes",
                                   "ukube.bare.v1.bare start", "ukube.bare.v1.bare stop",
                                   "ukube.bare.v1.bare destroy"));
}

TEST_F(HostLifecycle, DisabledPluginsAreNotLoaded) {
  auto host =
      create(config(entry("ukube.test.v1.alpha") + "  - uri: ukube.test.v1.delta\n    enabled: false\n"));
  host->start();
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.alpha init value=0 visible=0 state_dir=yes",
                                   "ukube.test.v1.alpha start"));
  EXPECT_EQ(state_of(*host, "delta"), "disabled");
}

TEST_F(HostLifecycle, CreateWithoutCatalogSearchesPluginDirs) {
  DaemonConfig cfg = config(entry("ukube.test.v1.epsilon"));
  cfg.plugin_dirs = {testing::extra_dir()};
  auto host = Host::create(cfg, {}, testing::quiet_logger());
  host->start();
  EXPECT_THAT(trace(), ElementsAre("ukube.test.v1.epsilon init value=0 visible=0 state_dir=yes",
                                   "ukube.test.v1.epsilon start"));
}

}  // namespace
}  // namespace ukube::host
