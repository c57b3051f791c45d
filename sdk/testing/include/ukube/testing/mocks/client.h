#pragma once

#include <gmock/gmock.h>

#include <boost/json/object.hpp>

#include "ukube/client.h"

// GoogleMock mocks of the Client and its watch streams (ukube/client.h). Calls through a
// Client& get the interface's default arguments; EXPECT_CALL spells every argument.
// For a Client that answers like the API server, use FakeClient instead.
namespace ukube::testing {

class MockClient : public Client {
 public:
  MockClient();
  ~MockClient() override;
  MOCK_METHOD(ObjectPtr, get,
              (const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
               const GetOptions& options, std::string_view subresource),
              (override));
  MOCK_METHOD(ObjectList, list,
              (const GroupVersionResource& gvr, std::string_view ns, const ListOptions& options), (override));
  MOCK_METHOD(std::unique_ptr<WatchStream>, watch,
              (const GroupVersionResource& gvr, std::string_view ns, const ListOptions& options), (override));
  MOCK_METHOD(ObjectPtr, create,
              (const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
               const WriteOptions& options, std::string_view subresource, std::string_view name),
              (override));
  MOCK_METHOD(ObjectPtr, update,
              (const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
               const WriteOptions& options, std::string_view subresource),
              (override));
  MOCK_METHOD(ObjectPtr, patch,
              (const GroupVersionResource& gvr, std::string_view ns, std::string_view name, PatchType type,
               std::string_view patch, const WriteOptions& options, std::string_view subresource),
              (override));
  MOCK_METHOD(ObjectPtr, remove,
              (const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
               const DeleteOptions& options),
              (override));
};

class MockWatchStream : public WatchStream {
 public:
  MockWatchStream();
  ~MockWatchStream() override;
  MOCK_METHOD(std::optional<WatchEvent>, next, (std::chrono::milliseconds timeout), (override));
  MOCK_METHOD(bool, done, (), (const, override));
  MOCK_METHOD(void, stop, (), (override));
};

}  // namespace ukube::testing
