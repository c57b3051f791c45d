// The pods a controller makes from its template (upstream's GetPodFromTemplate and
// RealPodControl tests in controller_utils_test.go).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "replicaset_test_support.h"
#include "ukube/controller/pod_control.h"
#include "ukube/controller/pod_template.h"
#include "ukube/errors.h"
#include "ukube/machinery/owners.h"

namespace ukube::controller::rs_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const json::object kTemplate = json::parse(R"({
  "metadata": {"name": "ignored", "namespace": "ignored", "labels": {"app": "web"},
               "annotations": {"note": "x"}, "finalizers": ["example.com/keep"]},
  "spec": {"containers": [{"name": "web", "image": "nginx"}], "restartPolicy": "Always"}})")
                                   .as_object();

json::object web_ref() {
  return machinery::controller_ref(TestReplicaSet("web", 1).object(), {"apps", "v1", "ReplicaSet"});
}

TEST(PodFromTemplate, CopiesTheTemplateAndNamesThePodAfterItsOwner) {
  const json::object ref = web_ref();
  json::object pod = pod_from_template(kTemplate, TestReplicaSet("web", 1).object(), &ref);
  json::object expected = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"generateName": "web-", "labels": {"app": "web"}, "annotations": {"note": "x"},
                 "finalizers": ["example.com/keep"]},
    "spec": {"containers": [{"name": "web", "image": "nginx"}], "restartPolicy": "Always"}})")
                              .as_object();
  expected["metadata"].as_object()["ownerReferences"] = json::array{ref};
  EXPECT_EQ(pod, expected);
}

TEST(PodFromTemplate, LeavesOutWhatTheTemplateLacks) {
  json::object bare = json::parse(R"({"metadata": {"labels": {}}, "spec": {}})").as_object();
  json::object pod = pod_from_template(bare, TestReplicaSet("web", 1).object(), nullptr);
  EXPECT_EQ(*machinery::object_at(pod, {"metadata"}), (json::object{{"generateName", "web-"}}));
  EXPECT_EQ(*machinery::object_at(pod, {"spec"}), json::object{});
}

TEST(PodNamePrefix, AddsADashUnlessTheNameWouldGrowTooLong) {
  EXPECT_EQ(pod_name_prefix("web"), "web-");
  EXPECT_EQ(pod_name_prefix(std::string(252, 'a')), std::string(252, 'a') + "-");
  EXPECT_EQ(pod_name_prefix(std::string(253, 'a')), std::string(253, 'a'));
}

TEST(ControllerRefError, RequiresAKindedControllingBlockingReference) {
  json::object ref = web_ref();
  EXPECT_EQ(controller_ref_error(&ref), "");
  EXPECT_EQ(controller_ref_error(nullptr), "controllerRef is nil");
  json::object no_version = ref;
  no_version.erase("apiVersion");
  EXPECT_EQ(controller_ref_error(&no_version), "controllerRef has empty APIVersion");
  json::object no_kind = ref;
  no_kind.erase("kind");
  EXPECT_EQ(controller_ref_error(&no_kind), "controllerRef has empty Kind");
  json::object not_controller = ref;
  not_controller["controller"] = false;
  EXPECT_EQ(controller_ref_error(&not_controller), "controllerRef.Controller is not set to true");
  json::object not_blocking = ref;
  not_blocking.erase("blockOwnerDeletion");
  EXPECT_EQ(controller_ref_error(&not_blocking), "controllerRef.BlockOwnerDeletion is not set");
}

class PodControlTest : public ::testing::Test {
 protected:
  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list({"", "v1", "events"}, "").items)
      out.push_back(machinery::string_at(*e, {"type"}) + " " + machinery::string_at(*e, {"reason"}) + " " +
                    machinery::string_at(*e, {"message"}) + " @" +
                    machinery::string_at(*e, {"involvedObject", "kind"}) + "/" +
                    machinery::string_at(*e, {"involvedObject", "name"}));
    return out;
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  EventRecorder events_{event_client_, recorder_settings()};
  PodControl control_{client_, &events_};
  json::object owner_ = TestReplicaSet("web", 1).object();
  ObjectReference about_{"ReplicaSet", "default", "web", "rs-web", "apps/v1", "7", ""};
};

TEST_F(PodControlTest, CreatesThePodAndSaysSo) {
  ObjectPtr pod = control_.create_pod("default", kTemplate, owner_, about_, web_ref());
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(machinery::namespace_of(*pod), "default");
  EXPECT_TRUE(machinery::is_controlled_by(*pod, "rs-web"));
  EXPECT_THAT(events(), ElementsAre("Normal SuccessfulCreate Created pod: " + machinery::name_of(*pod) +
                                    " @ReplicaSet/web"));
}

TEST_F(PodControlTest, RefusesATemplateWithoutLabelsOrAReferenceThatIsNoController) {
  json::object unlabelled = kTemplate;
  unlabelled["metadata"].as_object().erase("labels");
  EXPECT_THROW(control_.create_pod("default", unlabelled, owner_, about_, web_ref()), std::invalid_argument);
  json::object weak = web_ref();
  weak["controller"] = false;
  EXPECT_THROW(control_.create_pod("default", kTemplate, owner_, about_, weak), std::invalid_argument);
  EXPECT_EQ(client_->count("create", "pods"), 0u);
  EXPECT_THAT(events(), IsEmpty());
}

TEST_F(PodControlTest, AFailedCreateIsAWarningUnlessTheNamespaceIsGoing) {
  ApiError terminating = ApiError::forbidden(
      "pods \"web-x\" is forbidden: unable to create new content in namespace default because it is being "
      "terminated");
  terminating.causes.push_back({"NamespaceTerminating", "namespace default is being terminated", ""});
  client_->prepend_reactor("create", "pods", testing::fail_with(terminating));
  EXPECT_THROW(control_.create_pod("default", kTemplate, owner_, about_, web_ref()), ApiError);
  EXPECT_THAT(events(), IsEmpty());

  client_->prepend_reactor("create", "pods", testing::fail_with(ApiError::forbidden("no quota")));
  EXPECT_THROW(control_.create_pod("default", kTemplate, owner_, about_, web_ref()), ApiError);
  EXPECT_THAT(events(), ElementsAre("Warning FailedCreate Error creating: no quota @ReplicaSet/web"));
}

TEST_F(PodControlTest, DeletesThePodAndSaysSo) {
  client_->add(machinery::kPods, TestPod("a").object());
  control_.delete_pod("default", "a", about_);
  EXPECT_THAT(client_->objects().list(machinery::kPods, "default").items, IsEmpty());
  EXPECT_THAT(events(), ElementsAre("Normal SuccessfulDelete Deleted pod: a @ReplicaSet/web"));
}

TEST_F(PodControlTest, APodAlreadyGoneIsNotFoundWithoutAnEvent) {
  try {
    control_.delete_pod("default", "missing", about_);
    FAIL() << "deleted a pod that does not exist";
  } catch (const ApiError& e) {
    EXPECT_TRUE(is_not_found(e));
  }
  EXPECT_THAT(events(), IsEmpty());
}

TEST_F(PodControlTest, AFailedDeleteIsAWarning) {
  client_->add(machinery::kPods, TestPod("a").object());
  client_->prepend_reactor("delete", "pods", testing::fail_with(ApiError::forbidden("not allowed")));
  try {
    control_.delete_pod("default", "a", about_);
    FAIL() << "the delete did not fail";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "unable to delete pods: not allowed");
  }
  EXPECT_THAT(events(), ElementsAre("Warning FailedDelete Error deleting: not allowed @ReplicaSet/web"));
}

}  // namespace
}  // namespace ukube::controller::rs_test
