// The mocks stand in for their interfaces: code written against the interface reaches
// the expectations a test sets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/testing/test_support.h"
#include "ukube/machinery/json.h"
#include "ukube/testing/fake_object_lister.h"
#include "ukube/testing/mocks/auth.h"
#include "ukube/testing/mocks/client.h"
#include "ukube/testing/mocks/plugin.h"
#include "ukube/testing/mocks/scheduler.h"
#include "ukube/testing/mocks/store.h"
#include "ukube/testing/mocks/types.h"

namespace ukube::testing::kit {
namespace {

using ::testing::_;
using ::testing::ByMove;
using ::testing::Return;
using ::testing::Throw;

// Code under test: reads a pod's node through any Client.
std::string node_of(Client& client, const std::string& name) {
  try {
    return machinery::string_at(*client.get(kPods, "default", name), {"spec", "nodeName"});
  } catch (const ApiError& e) {
    if (is_not_found(e)) return "<gone>";
    throw;
  }
}

// Fails to compile when an interface gains a method its mock lacks.
TEST(Mocks, EveryMockCanBeMade) {
  ::testing::NiceMock<MockClient> client;
  ::testing::NiceMock<MockWatchStream> stream;
  ::testing::NiceMock<MockAuthenticator> authenticator;
  ::testing::NiceMock<MockAuthorizer> authorizer;
  ::testing::NiceMock<MockAdmissionPlugin> admission;
  ::testing::NiceMock<MockAuthChains> chains;
  ::testing::NiceMock<MockStore> store;
  ::testing::NiceMock<MockEventSink> sink;
  ::testing::NiceMock<MockWatcher> watcher;
  ::testing::NiceMock<MockWatchBus> bus;
  ::testing::NiceMock<MockTypeRegistry> types;
  ::testing::NiceMock<MockInitContext> context;
  ::testing::NiceMock<MockHandle> handle;
  ::testing::NiceMock<MockSnapshot> snapshot;
  ::testing::NiceMock<MockObjectLister> lister;
  EXPECT_CALL(context, uri()).WillOnce(::testing::ReturnRefOfCopy(std::string("ukube.test.v1.fake")));
  EXPECT_EQ(static_cast<InitContext&>(context).uri(), "ukube.test.v1.fake");
}

TEST(Mocks, MockClientAnswersThroughTheInterface) {
  MockClient client;
  auto bound = std::make_shared<const json::object>(pod("a", "default", "{}", R"({"nodeName":"n1"})"));
  EXPECT_CALL(client, get(kPods, "default", "a", _, _)).WillOnce(Return(bound));
  EXPECT_CALL(client, get(kPods, "default", "b", _, _)).WillOnce(Throw(ApiError::not_found("pods", "b")));
  EXPECT_EQ(node_of(client, "a"), "n1");
  EXPECT_EQ(node_of(client, "b"), "<gone>");
}

TEST(Mocks, MockWatchStreamFeedsAWatch) {
  MockClient client;
  auto stream = std::make_unique<MockWatchStream>();
  EXPECT_CALL(*stream, next(_))
      .WillOnce(Return(WatchEvent{WatchEventType::Added, std::make_shared<const json::object>(pod("a"))}))
      .WillOnce(Return(std::nullopt));
  EXPECT_CALL(client, watch(kPods, "default", _)).WillOnce(Return(ByMove(std::move(stream))));
  auto w = static_cast<Client&>(client).watch(kPods, "default");
  EXPECT_EQ(w->next(std::chrono::milliseconds(0))->type, WatchEventType::Added);
  EXPECT_FALSE(w->next(std::chrono::milliseconds(0)));
}

TEST(Mocks, MockAuthorizerDecides) {
  MockAuthorizer authorizer;
  EXPECT_CALL(authorizer, authorize(_)).WillOnce(Return(AuthzResult{AuthzResult::Decision::Deny, "no"}));
  Authorizer& a = authorizer;
  EXPECT_EQ(a.authorize({}).decision, AuthzResult::Decision::Deny);
}

TEST(Mocks, ListersMockedOrFaked) {
  MockObjectLister mocked;
  EXPECT_CALL(mocked, get(kPods, "default", "a")).WillOnce(Return(nullptr));
  EXPECT_EQ(static_cast<scheduler::ObjectLister&>(mocked).get(kPods, "default", "a"), nullptr);

  FakeObjectLister faked;
  faked.add(kPods, R"({"metadata":{"name":"a","namespace":"default"}})");
  faked.add({"", "v1", "services"}, R"({"metadata":{"name":"a","namespace":"default"}})");
  EXPECT_EQ(faked.list({"", "v2", "pods"}, "default").size(), 1u) << "the version is not compared";
  EXPECT_TRUE(faked.list(kPods, "other").empty());
  ASSERT_TRUE(faked.get(kPods, "default", "a"));
  EXPECT_FALSE(faked.get({"apps", "v1", "pods"}, "default", "a")) << "the group is";
}

}  // namespace
}  // namespace ukube::testing::kit
