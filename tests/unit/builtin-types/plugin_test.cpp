// The plugin's lifecycle against a real kernel: types at init, namespaces at start,
// types gone at stop.
#include "builtin_plugin.h"
#include "builtin_test_support.h"
#include "tests/support/plugin_context.h"
#include "ukube/auth.h"
#include "ukube/client.h"

namespace ukube::builtin::testing {
namespace {

TEST(Plugin, RegistersCreatesNamespacesAndCleansUp) {
  ukube::testing::TestKernel kernel;
  remove_stand_ins(kernel.types());
  ukube::testing::PluginContext ctx(kernel, "ukube.types.v1.builtin");
  BuiltinTypesPlugin plugin;
  plugin.init(ctx);
  EXPECT_EQ(ctx.last_user, "system:apiserver");
  EXPECT_TRUE(kernel.types().find(kDeployments));

  plugin.start();
  auto client = kernel.client();
  for (const auto& name : BuiltinTypesPlugin::standard_namespaces()) {
    auto ns = client->get(kNamespaces, "", name);
    EXPECT_EQ(at(*ns, "status.phase"), "Active") << name;
  }
  // A restart finds them present and carries on.
  EXPECT_NO_THROW(plugin.start());

  plugin.stop();
  EXPECT_FALSE(kernel.types().find(kDeployments));
  EXPECT_FALSE(kernel.types().find(kPods));
  EXPECT_TRUE(kernel.types().find(ukube::testing::kWidgets));  // others' types stay
}

}  // namespace
}  // namespace ukube::builtin::testing
