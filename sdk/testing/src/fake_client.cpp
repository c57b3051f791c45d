#include "ukube/testing/fake_client.h"

namespace ukube::testing {

FakeClient::FakeClient() : FakeClient(std::make_shared<InMemoryClient>()) {}
FakeClient::FakeClient(std::shared_ptr<InMemoryClient> objects)
    : RecordingClient(objects), objects_(objects) {}
FakeClient::~FakeClient() = default;

}  // namespace ukube::testing
