#include "kernel/host/context.h"

#include <google/protobuf/empty.pb.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/unit/host/test_support.h"
#include "ukube/auth.h"

namespace ukube::host {
namespace {

class NoPlugins : public PluginLookup {
 public:
  Plugin* find(const std::string&) const override { return nullptr; }
  std::vector<Plugin*> all() const override { return {}; }
  std::vector<PluginStatus> describe() const override { return {}; }
};

// Catches the logic_error `call` throws and returns its message.
template <class F>
std::string logic_error_of(F call) {
  try {
    call();
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "";
}

TEST(Context, AbsentServicesThrowNamingServiceAndPlugin) {
  KernelServices services;
  NoPlugins lookup;
  SharedInformers informers(services);
  Context ctx("ukube.test.v1.alpha", std::make_shared<google::protobuf::Empty>(), "/tmp/state", "/tmp",
              "127.0.0.1:6443", testing::quiet_logger(), services, lookup, informers);
  EXPECT_NE(
      logic_error_of([&] { ctx.store(); }).find("plugin ukube.test.v1.alpha asked for the object store"),
      std::string::npos);
  EXPECT_NE(logic_error_of([&] { ctx.watch_bus(); }).find("watch bus"), std::string::npos);
  EXPECT_NE(logic_error_of([&] { ctx.types(); }).find("type registry"), std::string::npos);
  EXPECT_NE(logic_error_of([&] { ctx.auth(); }).find("auth chains"), std::string::npos);
  EXPECT_NE(logic_error_of([&] { ctx.pipeline(); }).find("request pipeline"), std::string::npos);
  EXPECT_NE(logic_error_of([&] { ctx.client(UserInfo{}); }).find("asked for a client"), std::string::npos);
  EXPECT_NE(logic_error_of([&] { ctx.informers(); }).find("asked for shared informers"), std::string::npos);
}

TEST(Context, ExposesIdentityConfigAndClientFactory) {
  int calls = 0;
  KernelServices services;
  services.client_factory = [&](const UserInfo&) {
    ++calls;
    return std::shared_ptr<Client>();
  };
  NoPlugins lookup;
  SharedInformers informers(services);
  auto first = std::make_shared<google::protobuf::Empty>();
  Context ctx("ukube.test.v1.alpha", first, "/tmp/state", "/tmp", "127.0.0.2:7000", testing::quiet_logger(),
              services, lookup, informers);
  EXPECT_EQ(ctx.uri(), "ukube.test.v1.alpha");
  EXPECT_EQ(ctx.state_dir(), "/tmp/state");
  EXPECT_EQ(ctx.data_dir(), "/tmp");
  EXPECT_EQ(ctx.listen(), "127.0.0.2:7000");
  EXPECT_EQ(&ctx.config(), first.get());
  ctx.client(UserInfo{});
  EXPECT_EQ(calls, 1);

  std::weak_ptr<google::protobuf::Empty> weak = first;
  const google::protobuf::Message& held = ctx.config();
  first.reset();
  ctx.replace_config(std::make_shared<google::protobuf::Empty>());
  EXPECT_NE(&ctx.config(), &held);
  EXPECT_FALSE(weak.expired()) << "a reference config() handed out must stay valid";
}

}  // namespace
}  // namespace ukube::host
