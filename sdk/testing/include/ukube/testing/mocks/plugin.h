#pragma once

#include <gmock/gmock.h>

#include "ukube/plugin.h"

// A GoogleMock mock of the context a plugin's init() receives (ukube/plugin.h).
namespace ukube::testing {

class MockInitContext : public InitContext {
 public:
  MockInitContext();
  ~MockInitContext() override;
  MOCK_METHOD(const std::string&, uri, (), (const, override));
  MOCK_METHOD(const google::protobuf::Message&, config, (), (const, override));
  MOCK_METHOD(const std::filesystem::path&, state_dir, (), (const, override));
  MOCK_METHOD(const std::filesystem::path&, data_dir, (), (const, override));
  MOCK_METHOD(const std::string&, listen, (), (const, override));
  MOCK_METHOD(std::shared_ptr<spdlog::logger>, logger, (), (const, override));
  MOCK_METHOD(store::Store&, store, (), (const, override));
  MOCK_METHOD(watch::WatchBus&, watch_bus, (), (const, override));
  MOCK_METHOD(TypeRegistry&, types, (), (const, override));
  MOCK_METHOD(AuthChains&, auth, (), (const, override));
  MOCK_METHOD(RequestPipeline&, pipeline, (), (const, override));
  MOCK_METHOD(std::shared_ptr<Client>, client, (const UserInfo& user), (const, override));
  MOCK_METHOD(InformerFactory&, informers, (), (const, override));
  MOCK_METHOD(Plugin*, find, (const std::string& uri_or_id), (const, override));
  MOCK_METHOD(std::vector<Plugin*>, all, (), (const, override));
  MOCK_METHOD(std::vector<PluginStatus>, plugin_statuses, (), (const, override));
};

}  // namespace ukube::testing
