#pragma once

#include <memory>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "ukube/testing/in_memory_client.h"
#include "ukube/testing/recording_client.h"

// client-go's fake clientset for ukube: an InMemoryClient behind a RecordingClient, so a
// test seeds objects, runs the code under test against a Client that answers like the
// API server, injects errors with reactors, and asserts on the actions it made:
//
//   FakeClient client;
//   client.add(kPods, R"({"metadata":{"name":"p","namespace":"default"}})");
//   client.prepend_reactor("delete", "pods", fail_with(ApiError::internal("boom")));
//   run(controller, client);
//   EXPECT_EQ(client.count("patch", "pods/status"), 1u);
namespace ukube::testing {

class FakeClient final : public RecordingClient {
 public:
  FakeClient();
  ~FakeClient() override;

  // The objects themselves: reads and writes through it are not recorded as actions.
  InMemoryClient& objects() { return *objects_; }
  // Seeds an object (see InMemoryClient::add); not recorded as an action.
  ObjectPtr add(const GroupVersionResource& gvr, const boost::json::object& object) {
    return objects_->add(gvr, object);
  }
  ObjectPtr add(const GroupVersionResource& gvr, std::string_view json) { return objects_->add(gvr, json); }

 private:
  explicit FakeClient(std::shared_ptr<InMemoryClient> objects);
  std::shared_ptr<InMemoryClient> objects_;
};

}  // namespace ukube::testing
