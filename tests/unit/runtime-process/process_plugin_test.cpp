// The plugin around the driver: config through init(), and one node per process runtime.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "process_test_support.h"
#include "runtime-process/config.pb.h"
#include "runtime-process/process_runtime_plugin.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::runtime::process {
namespace {

using ::testing::Return;
using ::testing::ReturnRef;

TEST(ProcessRuntimePlugin, ServesOneNodeOnly) {
  ukube::testing::TempDir dir("runtime-process-plugin");
  testing::ContainerReaper reaper(dir.path());
  ProcessRuntimeConfig config;
  config.set_monitor_path(UKUBE_CONTAINER_MONITOR_PATH);
  config.set_node_ip("192.0.2.10");
  std::string uri = "ukube.runtime.v1.process";
  std::filesystem::path state = dir.path();
  ukube::testing::MockInitContext ctx;
  EXPECT_CALL(ctx, config()).WillRepeatedly(ReturnRef(config));
  EXPECT_CALL(ctx, state_dir()).WillRepeatedly(ReturnRef(state));
  EXPECT_CALL(ctx, uri()).WillRepeatedly(ReturnRef(uri));
  EXPECT_CALL(ctx, logger()).WillRepeatedly(Return(nullptr));

  ProcessRuntimePlugin plugin;
  plugin.init(ctx);
  auto driver = plugin.driver_for_node("laptop");
  ASSERT_TRUE(driver);
  EXPECT_EQ(plugin.driver_for_node("laptop"), driver);
  try {
    plugin.driver_for_node("other");
    FAIL() << "a second node was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("runtime-fake"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("laptop"));
  }
  auto sandbox = driver->run_pod_sandbox(testing::pod_config("p", dir.path() / "logs"));
  EXPECT_EQ(driver->pod_sandbox_status(sandbox).ip, "192.0.2.10");
  EXPECT_EQ(driver->version().runtime_name, "ukube-process");
}

}  // namespace
}  // namespace ukube::runtime::process
