// Plugin ukube.controller.v1.job: its identity, and the controller running end to end over
// a FakeClient (informers, handlers, expectations, work queues), with the test standing in
// for the kubelet.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "controllers/job/config.pb.h"
#include "controllers/job/job_controller.h"
#include "controllers/job/job_plugin.h"
#include "tests/support/eventually.h"
#include "ukube/auth.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"
#include "ukube/testing/fake_client.h"
#include "ukube/testing/mocks/plugin.h"

namespace ukube::controllers::job {
namespace {

namespace json = boost::json;
using ::testing::_;
using ::testing::Return;
using ::testing::ReturnRef;
using ukube::testing::eventually;

class JobPluginTest : public ::testing::Test {
 protected:
  JobPluginTest() {
    ON_CALL(ctx_, config()).WillByDefault(ReturnRef(config_));
    ON_CALL(ctx_, client(_)).WillByDefault([this](const UserInfo& user) {
      users_.push_back(user.name);
      return std::shared_ptr<Client>(client_);
    });
    ON_CALL(ctx_, informers()).WillByDefault(ReturnRef(informers_));
    ON_CALL(ctx_, logger()).WillByDefault(Return(nullptr));
  }
  ~JobPluginTest() override {
    plugin_.stop();
    informers_.shutdown();
  }

  std::vector<ObjectPtr> pods() { return client_->objects().list(machinery::kPods, "default").items; }
  json::object job() { return *client_->objects().get(machinery::kJobs, "default", "pi"); }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  JobConfig config_;
  ::testing::NiceMock<testing::MockInitContext> ctx_;
  std::vector<std::string> users_;
  JobPlugin plugin_;
};

TEST_F(JobPluginTest, ActsAsTheJobControllerServiceAccountWithFiveWorkers) {
  plugin_.init(ctx_);
  EXPECT_THAT(users_, ::testing::Contains("system:serviceaccount:kube-system:job-controller"));
  EXPECT_EQ(plugin_.settings().workers, 5u);
  plugin_.start();
  EXPECT_NE(dynamic_cast<JobController*>(plugin_.running()), nullptr);
  plugin_.stop();
  EXPECT_EQ(plugin_.running(), nullptr);
}

TEST_F(JobPluginTest, RunsPodsUntilEnoughSucceed) {
  client_->add(machinery::kJobs, json::parse(R"({"apiVersion":"batch/v1","kind":"Job",
      "metadata":{"name":"pi","namespace":"default","uid":"uid-pi"},
      "spec":{"completions":3,"parallelism":2,"backoffLimit":6,
        "selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"uid-pi"}},
        "template":{"metadata":{"labels":{"batch.kubernetes.io/controller-uid":"uid-pi"}},
                    "spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"perl"}]}}}})")
                                     .as_object());
  plugin_.init(ctx_);
  plugin_.start();
  // Every pod that runs succeeds; the job keeps two running until three succeeded.
  ASSERT_TRUE(eventually([&] {
    for (const auto& pod : pods()) {
      if (!machinery::pod_phase(*pod).empty()) continue;
      json::object done = *pod;
      done["status"] = json::object{{"phase", "Succeeded"}};
      try {
        client_->objects().update(machinery::kPods, "default", done, {}, "status");
      } catch (const ApiError&) {
      }
    }
    const json::object j = job();
    return machinery::int_or(j, {"status", "succeeded"}, 0) == 3 &&
           machinery::find_condition(j, "Complete") != nullptr;
  })) << json::serialize(job());
  EXPECT_EQ(client_->count("create", "pods"), 3u);
  for (const auto& pod : pods()) EXPECT_TRUE(machinery::strings_at(*pod, {"metadata", "finalizers"}).empty());
  EXPECT_TRUE(machinery::is_condition_true(job(), "SuccessCriteriaMet"));
}

}  // namespace
}  // namespace ukube::controllers::job
