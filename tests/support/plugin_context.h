#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_kernel.h"
#include "ukube/informer_factory.h"
#include "ukube/plugin.h"

// An InitContext over a TestKernel, so unit tests can init and start a plugin's class
// without the host: the kernel's services, a folder for state and data, an optional config.
namespace ukube::testing {

class PluginContext final : public InitContext {
 public:
  PluginContext(TestKernel& kernel, std::string uri, std::filesystem::path dir = "/tmp",
                const google::protobuf::Message* config = nullptr)
      : kernel_(kernel), uri_(std::move(uri)), dir_(std::move(dir)), config_(config) {}

  const std::string& uri() const override { return uri_; }
  const google::protobuf::Message& config() const override {
    if (!config_) throw std::logic_error("this test gives " + uri_ + " no config");
    return *config_;
  }
  const std::filesystem::path& state_dir() const override { return dir_; }
  const std::filesystem::path& data_dir() const override { return dir_; }
  // A free port, as a test wants unless it says otherwise.
  const std::string& listen() const override { return listen_; }
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
  // One factory per context, made on first use, reading as the test admin.
  InformerFactory& informers() const override {
    if (!informers_) informers_ = std::make_unique<SharedInformerFactory>(kernel_.client());
    return *informers_;
  }
  Plugin* find(const std::string&) const override { return nullptr; }
  std::vector<Plugin*> all() const override { return {}; }
  // The one plugin under test, as the host would list it once running.
  std::vector<PluginStatus> plugin_statuses() const override {
    auto dot = uri_.rfind('.');
    return {{uri_.substr(0, dot), uri_.substr(dot + 1), "running", "-"}};
  }

  mutable std::string last_user;  // who the plugin last asked for a client as

 private:
  TestKernel& kernel_;
  std::string uri_;
  std::filesystem::path dir_;
  std::string listen_ = "127.0.0.1:0";
  const google::protobuf::Message* config_;
  mutable std::unique_ptr<SharedInformerFactory> informers_;
};

}  // namespace ukube::testing
