// The mocks' constructors and destructors, compiled once here rather than in every test
// (GoogleMock's advice for faster builds).
#include "ukube/testing/mocks/auth.h"
#include "ukube/testing/mocks/client.h"
#include "ukube/testing/mocks/plugin.h"
#include "ukube/testing/mocks/scheduler.h"
#include "ukube/testing/mocks/store.h"
#include "ukube/testing/mocks/types.h"

namespace ukube::testing {

#define UKUBE_MOCK_SPECIAL_MEMBERS(Mock) \
  Mock::Mock() = default;                \
  Mock::~Mock() = default;

UKUBE_MOCK_SPECIAL_MEMBERS(MockClient)
UKUBE_MOCK_SPECIAL_MEMBERS(MockWatchStream)
UKUBE_MOCK_SPECIAL_MEMBERS(MockAuthenticator)
UKUBE_MOCK_SPECIAL_MEMBERS(MockAuthorizer)
UKUBE_MOCK_SPECIAL_MEMBERS(MockAdmissionPlugin)
UKUBE_MOCK_SPECIAL_MEMBERS(MockAuthChains)
UKUBE_MOCK_SPECIAL_MEMBERS(MockStore)
UKUBE_MOCK_SPECIAL_MEMBERS(MockEventSink)
UKUBE_MOCK_SPECIAL_MEMBERS(MockWatcher)
UKUBE_MOCK_SPECIAL_MEMBERS(MockWatchBus)
UKUBE_MOCK_SPECIAL_MEMBERS(MockTypeRegistry)
UKUBE_MOCK_SPECIAL_MEMBERS(MockInitContext)
UKUBE_MOCK_SPECIAL_MEMBERS(MockHandle)
UKUBE_MOCK_SPECIAL_MEMBERS(MockSnapshot)
UKUBE_MOCK_SPECIAL_MEMBERS(MockObjectLister)

#undef UKUBE_MOCK_SPECIAL_MEMBERS

}  // namespace ukube::testing
