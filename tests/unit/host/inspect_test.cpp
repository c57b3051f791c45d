#include "kernel/host/introspection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kernel/host/host.h"
#include "tests/unit/host/test_support.h"

namespace ukube::host {
namespace {

using ::testing::Contains;
using testing::extra_dir;
using ::testing::HasSubstr;
using testing::library;

class Inspect : public testing::HostFixture {};

const PluginStatus* row_for(const std::vector<PluginStatus>& rows, const std::string& type,
                            const std::string& id) {
  for (const auto& row : rows)
    if (row.type == type && row.id == id) return &row;
  return nullptr;
}

TEST_F(Inspect, ListsConfiguredAndCataloguedPluginsWithoutStartingAny) {
  auto rows = inspect(
      config(entry("ukube.test.v1.beta") + entry("ukube.test.v1.alpha") + entry("ukube.test.v1.nonexistent") +
             entry("ukube.bad.v1.abi") + "  - uri: ukube.test.v1.delta\n    enabled: false\n"),
      testing::test_catalog());
  EXPECT_TRUE(trace().empty());
  ASSERT_GE(rows.size(), 5u);
  // Dependency order first, refusals next, then disabled entries and the rest.
  EXPECT_EQ(rows[0].id, "alpha");
  EXPECT_EQ(rows[0].state, "loaded");
  EXPECT_EQ(rows[0].library, std::filesystem::canonical(library("alpha")).string());
  EXPECT_EQ(rows[1].id, "beta");
  EXPECT_EQ(rows[2].id, "nonexistent");
  EXPECT_THAT(rows[2].state, HasSubstr("refused: unknown plugin"));
  EXPECT_EQ(rows[2].library, "-");
  EXPECT_EQ(rows[3].id, "abi");
  EXPECT_THAT(rows[3].state, HasSubstr("refused: ABI version mismatch"));
  EXPECT_EQ(rows[4].id, "delta");
  EXPECT_EQ(rows[4].state, "disabled");

  const PluginStatus* gamma = row_for(rows, "ukube.consumer.v1", "gamma");
  ASSERT_NE(gamma, nullptr);
  EXPECT_EQ(gamma->state, "available");
  const PluginStatus* hash = row_for(rows, "ukube.bad.v1", "hash");
  ASSERT_NE(hash, nullptr);
  EXPECT_THAT(hash->state, HasSubstr("refused: plugin-api header hash mismatch"));
  const PluginStatus* epsilon = row_for(rows, "ukube.test.v1", "epsilon");
  ASSERT_NE(epsilon, nullptr);
  EXPECT_EQ(epsilon->library, (extra_dir() / "epsilon.so").string());
  int twins = 0;
  for (const auto& row : rows)
    if (row.id == "twin") {
      ++twins;
      EXPECT_THAT(row.state, HasSubstr("refused: duplicate id"));
    }
  EXPECT_EQ(twins, 2);
  for (const auto& row : rows) EXPECT_NE(row.id, "no_stamp");
}

TEST_F(Inspect, DescribeShowsLiveStates) {
  auto host = Host::create(config(entry("ukube.test.v1.alpha") + entry("ukube.test.v1.beta")),
                           testing::test_catalog(), {}, testing::quiet_logger());
  EXPECT_EQ(row_for(host->describe(), "ukube.test.v1", "alpha")->state, "loaded");
  host->start();
  auto rows = host->describe();
  EXPECT_EQ(rows[0].id, "alpha");
  EXPECT_EQ(rows[0].state, "running");
  EXPECT_EQ(rows[1].id, "beta");
  EXPECT_EQ(rows[1].state, "running");
  EXPECT_EQ(row_for(rows, "ukube.test.v1", "delta")->state, "available");
}

TEST(FormatPluginTable, AlignsColumnsUnderAHeader) {
  std::string table = format_plugin_table({{"ukube.test.v1", "alpha", "running", "/p/alpha.so"},
                                           {"ukube.consumer.v1", "gamma", "refused: why", "-"}});
  EXPECT_EQ(table,
            "TYPE               ID     LIBRARY      STATE\n"
            "ukube.test.v1      alpha  /p/alpha.so  running\n"
            "ukube.consumer.v1  gamma  -            refused: why\n");
}

TEST_F(Inspect, DefaultInspectScansTheConfiguredDirs) {
  DaemonConfig cfg = config(entry("ukube.test.v1.epsilon"));
  cfg.plugin_dirs = {extra_dir()};
  auto rows = inspect(cfg);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].id, "epsilon");
  EXPECT_EQ(rows[0].state, "loaded");
}

}  // namespace
}  // namespace ukube::host
