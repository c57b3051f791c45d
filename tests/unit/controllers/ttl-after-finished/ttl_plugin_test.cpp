// Plugin ukube.controller.v1.ttl-after-finished: its identity, and the controller running
// end to end over a FakeClient (informer, handlers, delayed work queue).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "controllers/ttl-after-finished/config.pb.h"
#include "controllers/ttl-after-finished/ttl_controller.h"
#include "controllers/ttl-after-finished/ttl_plugin.h"
#include "tests/support/eventually.h"
#include "ukube/auth.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::controllers::ttl {
namespace {

namespace json = boost::json;
using ::testing::_;
using ::testing::Return;
using ::testing::ReturnRef;
using ukube::testing::eventually;

class TtlPluginTest : public ::testing::Test {
 protected:
  TtlPluginTest() {
    ON_CALL(ctx_, config()).WillByDefault(ReturnRef(config_));
    ON_CALL(ctx_, client(_)).WillByDefault([this](const UserInfo& user) {
      users_.push_back(user.name);
      return std::shared_ptr<Client>(client_);
    });
    ON_CALL(ctx_, informers()).WillByDefault(ReturnRef(informers_));
    ON_CALL(ctx_, logger()).WillByDefault(Return(nullptr));
  }
  ~TtlPluginTest() override {
    plugin_.stop();
    informers_.shutdown();
  }

  bool exists(const std::string& name) {
    try {
      client_->objects().get(machinery::kJobs, "default", name);
      return true;
    } catch (const ApiError&) {
      return false;
    }
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  TtlAfterFinishedConfig config_;
  ::testing::NiceMock<testing::MockInitContext> ctx_;
  std::vector<std::string> users_;
  TtlAfterFinishedPlugin plugin_;
};

TEST_F(TtlPluginTest, ActsAsItsServiceAccountAndDeletesExpiredJobs) {
  const std::string finished = machinery::format_time(machinery::Clock::now() - std::chrono::minutes(5));
  auto job = [&](const std::string& name, int64_t ttl) {
    return json::parse(
               R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":")" + name +
               R"(","namespace":"default"},"spec":{"ttlSecondsAfterFinished":)" + std::to_string(ttl) +
               R"(},"status":{"conditions":[{"type":"Complete","status":"True","lastTransitionTime":")" +
               finished + R"("}]}})")
        .as_object();
  };
  client_->add(machinery::kJobs, job("expired", 60));
  client_->add(machinery::kJobs, job("kept", 3600));
  plugin_.init(ctx_);
  EXPECT_THAT(users_, ::testing::Contains("system:serviceaccount:kube-system:ttl-after-finished-controller"));
  plugin_.start();
  ASSERT_NE(dynamic_cast<TtlAfterFinishedController*>(plugin_.running()), nullptr);
  EXPECT_TRUE(eventually([&] { return !exists("expired"); }));
  EXPECT_TRUE(exists("kept"));
  EXPECT_EQ(client_->count("delete", "jobs"), 1u);
}

}  // namespace
}  // namespace ukube::controllers::ttl
