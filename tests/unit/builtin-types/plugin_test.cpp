// The plugin's lifecycle against a real kernel: types at init, namespaces at start,
// types gone at stop.
#include "builtin_plugin.h"
#include "builtin_test_support.h"
#include "ukube/auth.h"
#include "ukube/client.h"

namespace ukube::builtin::testing {
namespace {

// Just enough of InitContext for this plugin: the registry and a client.
class FakeContext final : public InitContext {
 public:
  explicit FakeContext(ukube::testing::TestKernel& k) : kernel_(k) {}
  const std::string& uri() const override { return uri_; }
  const google::protobuf::Message& config() const override { throw std::logic_error("no config"); }
  const std::filesystem::path& state_dir() const override { return dir_; }
  const std::filesystem::path& data_dir() const override { return dir_; }
  std::shared_ptr<spdlog::logger> logger() const override { return nullptr; }
  store::Store& store() const override { return kernel_.store(); }
  watch::WatchBus& watch_bus() const override { return kernel_.bus(); }
  TypeRegistry& types() const override { return kernel_.types(); }
  AuthChains& auth() const override { return kernel_.auth(); }
  RequestPipeline& pipeline() const override { return kernel_.pipeline(); }
  std::shared_ptr<Client> client(const UserInfo& user) const override {
    last_user = user.name;
    return kernel_.client(user);
  }
  Plugin* find(const std::string&) const override { return nullptr; }
  std::vector<Plugin*> all() const override { return {}; }

  mutable std::string last_user;

 private:
  ukube::testing::TestKernel& kernel_;
  std::string uri_ = "ukube.types.v1.builtin";
  std::filesystem::path dir_ = "/tmp";
};

TEST(Plugin, RegistersCreatesNamespacesAndCleansUp) {
  ukube::testing::TestKernel kernel;
  remove_stand_ins(kernel.types());
  FakeContext ctx(kernel);
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
