// Claiming pods for an owner (upstream's ControllerRefManager tests in
// controller_ref_manager_test.go): adopt matching orphans after rechecking the owner,
// release what no longer matches, leave others' objects alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "replicaset_test_support.h"
#include "ukube/controller/controller_ref_manager.h"
#include "ukube/errors.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"

namespace ukube::controller::rs_test {
namespace {

using ::testing::HasSubstr;

const GroupVersionKind kReplicaSetKind{"apps", "v1", "ReplicaSet"};

class ControllerRefManagerTest : public ::testing::Test {
 protected:
  ControllerRefManagerTest() { client_.add(machinery::kReplicaSets, owner_); }

  ControllerRefManager manager(const json::object& owner) {
    return ControllerRefManager(client_, machinery::kPods, "Pod", owner, kReplicaSetKind,
                                machinery::parse_selector("app=web"),
                                recheck_owner(client_, machinery::kReplicaSets, "ReplicaSet", owner));
  }
  ControllerRefManager manager() { return manager(owner_); }
  ObjectPtr stored(const std::string& name) {
    return client_.objects().get(machinery::kPods, "default", name);
  }

  testing::FakeClient client_;
  json::object owner_ = TestReplicaSet("web", 1).object();
};

TEST_F(ControllerRefManagerTest, AdoptsAMatchingOrphanWithAControllerReference) {
  ObjectPtr pod = client_.add(machinery::kPods, TestPod("p").labels({{"app", "web"}}).object());
  EXPECT_TRUE(manager().claim(*pod));

  auto patches = client_.actions("patch", "pods");
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(patches[0].patch_type, PatchType::JsonMerge);
  // Sent with the resourceVersion it was computed from.
  EXPECT_THAT(patches[0].patch,
              HasSubstr("\"resourceVersion\":\"" + machinery::meta_string(*pod, "resourceVersion")));
  const json::array* refs = machinery::array_at(*stored("p"), {"metadata", "ownerReferences"});
  ASSERT_NE(refs, nullptr);
  EXPECT_EQ(*refs, (json::array{json::object{{"apiVersion", "apps/v1"},
                                             {"kind", "ReplicaSet"},
                                             {"name", "web"},
                                             {"uid", "rs-web"},
                                             {"controller", true},
                                             {"blockOwnerDeletion", true}}}));
  EXPECT_EQ(client_.count("get", "replicasets"), 1u);
}

TEST_F(ControllerRefManagerTest, AdoptionKeepsOtherOwnerReferences) {
  json::object pod = TestPod("p").labels({{"app", "web"}}).object();
  machinery::child(pod, "metadata")["ownerReferences"] = json::array{
      json::object{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "cm"}, {"uid", "cm-uid"}}};
  EXPECT_TRUE(manager().claim(*client_.add(machinery::kPods, pod)));
  const json::array* refs = machinery::array_at(*stored("p"), {"metadata", "ownerReferences"});
  ASSERT_NE(refs, nullptr);
  EXPECT_EQ(refs->size(), 2u);
  EXPECT_TRUE(machinery::is_controlled_by(*stored("p"), "rs-web"));
}

TEST_F(ControllerRefManagerTest, ClaimsWhatItControlsAndSelectsWithoutWriting) {
  ObjectPtr pod =
      client_.add(machinery::kPods, TestPod("p").labels({{"app", "web"}}).owned_by(owner_).object());
  EXPECT_TRUE(manager().claim(*pod));
  EXPECT_EQ(client_.count("patch", "pods"), 0u);
  EXPECT_EQ(client_.count("get", "replicasets"), 0u);
}

TEST_F(ControllerRefManagerTest, ReleasesWhatItControlsButNoLongerSelects) {
  json::object pod = TestPod("p").labels({{"app", "debug"}}).owned_by(owner_).object();
  machinery::child_array(machinery::child(pod, "metadata"), "ownerReferences")
      .push_back(
          json::object{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "cm"}, {"uid", "cm-uid"}});
  EXPECT_FALSE(manager().claim(*client_.add(machinery::kPods, pod)));
  const json::array* refs = machinery::array_at(*stored("p"), {"metadata", "ownerReferences"});
  ASSERT_NE(refs, nullptr);
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(machinery::string_at(refs->at(0).as_object(), {"uid"}), "cm-uid");
}

TEST_F(ControllerRefManagerTest, ReleasingTheOnlyReferenceRemovesTheList) {
  ObjectPtr pod =
      client_.add(machinery::kPods, TestPod("p").labels({{"app", "debug"}}).owned_by(owner_).object());
  EXPECT_FALSE(manager().claim(*pod));
  EXPECT_EQ(machinery::array_at(*stored("p"), {"metadata", "ownerReferences"}), nullptr);
}

TEST_F(ControllerRefManagerTest, LeavesAnotherControllersObjectsAlone) {
  TestReplicaSet other("other", 1);
  ObjectPtr matching =
      client_.add(machinery::kPods, TestPod("a").labels({{"app", "web"}}).owned_by(other.object()).object());
  ObjectPtr not_matching =
      client_.add(machinery::kPods, TestPod("b").labels({{"app", "x"}}).owned_by(other.object()).object());
  ControllerRefManager m = manager();
  EXPECT_FALSE(m.claim(*matching));
  EXPECT_FALSE(m.claim(*not_matching));
  EXPECT_EQ(client_.count("patch", "pods"), 0u);
}

TEST_F(ControllerRefManagerTest, AnOwnerBeingDeletedAdoptsAndReleasesNothing) {
  json::object deleting = TestReplicaSet("web", 1).deleting().object();
  ObjectPtr orphan = client_.add(machinery::kPods, TestPod("orphan").labels({{"app", "web"}}).object());
  ObjectPtr stray =
      client_.add(machinery::kPods, TestPod("stray").labels({{"app", "x"}}).owned_by(owner_).object());
  ObjectPtr mine =
      client_.add(machinery::kPods, TestPod("mine").labels({{"app", "web"}}).owned_by(owner_).object());
  ControllerRefManager m = manager(deleting);
  EXPECT_FALSE(m.claim(*orphan));
  EXPECT_FALSE(m.claim(*stray));
  EXPECT_TRUE(m.claim(*mine));  // keeping costs no write
  EXPECT_EQ(client_.count("patch", "pods"), 0u);
}

TEST_F(ControllerRefManagerTest, DoesNotAdoptOrphansBeingDeletedOrInAnotherNamespace) {
  ObjectPtr going =
      client_.add(machinery::kPods, TestPod("going").labels({{"app", "web"}}).deleting().object());
  json::object elsewhere = TestPod("elsewhere").labels({{"app", "web"}}).object();
  machinery::child(elsewhere, "metadata")["namespace"] = "other";
  ControllerRefManager m = manager();
  EXPECT_FALSE(m.claim(*going));
  EXPECT_FALSE(m.claim(*client_.add(machinery::kPods, elsewhere)));
  EXPECT_EQ(client_.count("patch", "pods"), 0u);
}

TEST_F(ControllerRefManagerTest, AFilterNarrowsWhatIsAdopted) {
  ObjectPtr pod = client_.add(machinery::kPods, TestPod("p").labels({{"app", "web"}}).object());
  EXPECT_FALSE(manager().claim(*pod, [](const json::object&) { return false; }));
  EXPECT_EQ(client_.count("patch", "pods"), 0u);
}

TEST_F(ControllerRefManagerTest, RefusesToAdoptForAnOwnerReplacedUnderItsName) {
  json::object replaced = owner_;
  machinery::child(replaced, "metadata")["uid"] = "rs-web-2";
  client_.prepend_reactor("get", "replicasets",
                          testing::answer_with(std::make_shared<const json::object>(replaced)));
  ObjectPtr pod = client_.add(machinery::kPods, TestPod("p").labels({{"app", "web"}}).object());
  try {
    manager().claim(*pod);
    FAIL() << "adopted for a replaced owner";
  } catch (const std::exception& e) {
    EXPECT_STREQ(
        e.what(),
        "can't adopt Pod default/p (uid-p): can't recheck DeletionTimestamp: original ReplicaSet default/web "
        "is gone: got uid rs-web-2, wanted rs-web");
  }
  EXPECT_EQ(client_.count("patch", "pods"), 0u);
}

TEST_F(ControllerRefManagerTest, RefusesToAdoptForAnOwnerJustDeletedAndAsksOnlyOnce) {
  client_.prepend_reactor("get", "replicasets",
                          testing::answer_with(std::make_shared<const json::object>(
                              TestReplicaSet("web", 1).deleting().object())));
  client_.add(machinery::kPods, TestPod("a").labels({{"app", "web"}}).object());
  client_.add(machinery::kPods, TestPod("b").labels({{"app", "web"}}).object());
  ControllerRefManager::Claimed claimed =
      manager().claim(client_.objects().list(machinery::kPods, "default").items);
  EXPECT_TRUE(claimed.objects.empty());
  ASSERT_EQ(claimed.errors.size(), 2u);
  EXPECT_THAT(claimed.errors[0], HasSubstr("default/web has just been deleted at " + stamp(kNow)));
  EXPECT_EQ(claimed.error(), "[" + claimed.errors[0] + ", " + claimed.errors[1] + "]");
  EXPECT_EQ(client_.count("get", "replicasets"), 1u);
  EXPECT_EQ(client_.count("patch", "pods"), 0u);
}

TEST_F(ControllerRefManagerTest, AStaleCopyConflictsInsteadOfOverwritingAChange) {
  ObjectPtr seen = client_.add(machinery::kPods, TestPod("p").labels({{"app", "web"}}).object());
  // Another controller adopted it since the cache saw it.
  client_.objects().patch(
      machinery::kPods, "default", "p", PatchType::JsonMerge,
      R"({"metadata":{"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"other",
                              "uid":"rs-other","controller":true}]}})");
  ControllerRefManager m = manager();
  try {
    m.claim(*seen);
    FAIL() << "overwrote another controller's adoption";
  } catch (const ApiError& e) {
    EXPECT_TRUE(is_conflict(e)) << e.what();
  }
  EXPECT_TRUE(machinery::is_controlled_by(*stored("p"), "rs-other"));
}

TEST_F(ControllerRefManagerTest, AnObjectGoneMeanwhileIsNeitherClaimedNorAnError) {
  json::object vanished = TestPod("vanished").labels({{"app", "web"}}).object();
  machinery::child(vanished, "metadata")["resourceVersion"] = "5";
  ControllerRefManager::Claimed claimed =
      manager().claim(std::vector<ObjectPtr>{std::make_shared<const json::object>(vanished)});
  EXPECT_TRUE(claimed.objects.empty());
  EXPECT_TRUE(claimed.errors.empty());

  json::object released = TestPod("released").labels({{"app", "x"}}).owned_by(owner_).object();
  EXPECT_NO_THROW(manager().release(released));
}

}  // namespace
}  // namespace ukube::controller::rs_test
