// The plugin as the daemon runs it: the real libraries, loaded by the host from a
// config that lists the built-in types and the RBAC authorizer.
#include "kernel/host/host.h"
#include "rbac_test_support.h"
#include "tests/support/host_services.h"
#include "ukube/errors.h"

namespace ukube::rbac::testing {
namespace {

TEST(RbacHost, LoadsFromTheConfigAndGuardsTheApi) {
  ukube::testing::TestKernel kernel;
  builtin::testing::remove_stand_ins(kernel.types());
  ukube::testing::TempDir data_dir("rbac-host");
  const std::filesystem::path& data = data_dir.path();

  host::KernelServices services = ukube::testing::kernel_services(kernel);

  host::DaemonConfig config = host::parse_config("data_dir: " + data.string() + R"(
plugins:
  - uri: ukube.authorizer.v1.rbac
  - uri: ukube.types.v1.builtin
)",
                                                 "rbac-test.yaml");
  auto host = host::Host::create(config, host::Catalog::scan({UKUBE_PLUGIN_DIR}), services);
  host->start();
  for (const auto& row : host->describe()) {
    // The enabled ones run; other libraries in the folder (apiextensions) are only available.
    if ((row.type == "ukube.authorizer.v1" && row.id == "rbac") ||
        (row.type == "ukube.types.v1" && row.id == "builtin")) {
      EXPECT_EQ(row.state, "running") << row.type << "." << row.id;
    }
  }

  const GroupVersionResource pods{"", "v1", "pods"};
  ApiError e = ukube::testing::expect_error([&] { kernel.client(person("alice"))->list(pods, "default"); });
  EXPECT_STREQ(
      e.what(),
      "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace "
      "\"default\"");
  EXPECT_NO_THROW(kernel.client()->list(pods, "default"));
  EXPECT_NO_THROW(kernel.client()->get(kClusterRoles, "", "system:node-proxier"));

  host->stop();
}

TEST(RbacHost, RefusesToInitWithoutTheRbacTypes) {
  ukube::testing::TestKernel kernel;
  ukube::testing::PluginContext context(kernel, "ukube.authorizer.v1.rbac");
  RbacPlugin plugin;
  try {
    plugin.init(context);
    ADD_FAILURE() << "init accepted a kernel without RBAC types";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "the RBAC type roles.v1.rbac.authorization.k8s.io is not registered; enable "
                 "ukube.types.v1.builtin in the config");
  }
}

}  // namespace
}  // namespace ukube::rbac::testing
