// The ReplicaSet controller's sync and informer handlers (sdk/machinery's ReplicaManager
// with replica_set_kind()), as upstream's replica_set_test.go exercises them: a FakeClient
// serves the objects, real informers cache them, and each test calls sync() and the
// handlers directly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "replicaset_test_support.h"
#include "ukube/errors.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"

namespace ukube::controller::rs_test {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

using ReplicaSetSync = ReplicaSetFixture;
using ReplicaSetHandlers = ReplicaSetFixture;

const json::object kWebLabels{{"app", "web"}};

int64_t status_count(const ObjectPtr& rs, std::string_view field) {
  return machinery::int_or(*rs, {"status", field}, 0);
}

std::vector<std::string> action_names(const std::vector<testing::Action>& actions) {
  std::vector<std::string> names;
  for (const auto& a : actions) names.push_back(a.name);
  return names;
}

std::string sync_error(ReplicaManager& m, const std::string& key) {
  try {
    m.sync(key);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

TEST_F(ReplicaSetSync, CreatesTheMissingPodsFromItsTemplateAndExpectsThem) {
  TestReplicaSet rs("web", 3);
  add_replica_set(rs);
  ReplicaManager& m = start();

  Result result = m.sync(rs.key());
  EXPECT_EQ(result.next, Result::Next::Done);

  auto creates = client_->actions("create", "pods");
  ASSERT_EQ(creates.size(), 3u);
  for (const auto& create : creates) {
    const json::object& pod = *create.object;
    EXPECT_EQ(create.ns, "default");
    EXPECT_EQ(machinery::string_at(pod, {"metadata", "generateName"}), "web-");
    EXPECT_EQ(*machinery::labels_of(pod), kWebLabels);
    EXPECT_EQ(*machinery::object_at(pod, {"spec"}),
              *machinery::object_at(rs.object(), {"spec", "template", "spec"}));
    const json::object* ref = machinery::controller_of(pod);
    ASSERT_NE(ref, nullptr);
    EXPECT_EQ(*ref, (json::object{{"apiVersion", "apps/v1"},
                                  {"kind", "ReplicaSet"},
                                  {"name", "web"},
                                  {"uid", "rs-web"},
                                  {"controller", true},
                                  {"blockOwnerDeletion", true}}));
  }
  // Until the informer shows the three pods, the next sync leaves the count alone.
  ASSERT_TRUE(m.expectations().counts().get(rs.key()));
  EXPECT_EQ(m.expectations().counts().get(rs.key())->adds, 3);
  EXPECT_FALSE(m.expectations().satisfied(rs.key()));

  // The status says what the cache showed: no pods yet, this generation observed.
  auto updates = client_->actions("update", "replicasets/status");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(machinery::int_or(*updates[0].object, {"status", "replicas"}, -1), 0);
  EXPECT_EQ(machinery::int_or(*updates[0].object, {"status", "observedGeneration"}, -1), 1);

  EXPECT_THAT(events(), SizeIs(3));
  EXPECT_THAT(events(), Each(StartsWith("Normal SuccessfulCreate Created pod: web-")));
}

TEST_F(ReplicaSetSync, SlowStartSkipsTheBatchesAfterTheFirstFailedOne) {
  TestReplicaSet rs("web", 10);
  add_replica_set(rs);
  const std::string quota =
      "pods \"web-x\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=3, limited: "
      "pods=3";
  std::atomic<int> attempts{0};
  client_->prepend_reactor("create", "pods", [&](const testing::Action&) -> std::optional<testing::Reaction> {
    if (++attempts > 3) throw ApiError::forbidden(quota);
    return std::nullopt;
  });
  ReplicaManager& m = start();

  EXPECT_EQ(sync_error(m, rs.key()), quota);
  // Batches of 1 and 2 went through; the batch of 4 failed, and the last 3 were never tried.
  EXPECT_EQ(attempts.load(), 7);
  EXPECT_EQ(stored_pods().size(), 3u);
  // The 7 pods not created will never be observed: only 3 are still expected.
  EXPECT_EQ(m.expectations().counts().get(rs.key())->adds, 3);
  EXPECT_THAT(events(), Contains("Warning FailedCreate Error creating: " + quota));

  ObjectPtr stored = stored_replica_set("web");
  const json::object* failure = machinery::find_condition(*stored, "ReplicaFailure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(machinery::string_at(*failure, {"status"}), "True");
  EXPECT_EQ(machinery::string_at(*failure, {"reason"}), "FailedCreate");
  EXPECT_EQ(machinery::string_at(*failure, {"message"}), quota);

  // The quota grows: once the three pods are observed, the next sync makes the rest
  // and clears the condition.
  client_->clear_reactors();
  for (const auto& pod : stored_pods()) m.pod_added(pod);
  EXPECT_TRUE(m.expectations().satisfied(rs.key()));
  ASSERT_TRUE(pods_cached(3));
  ASSERT_TRUE(eventually([&] {
    auto cached = informers_.informer(machinery::kReplicaSets)->get(rs.key());
    return cached && machinery::find_condition(*cached, "ReplicaFailure");
  }));
  EXPECT_EQ(m.sync(rs.key()).next, Result::Next::Done);
  EXPECT_EQ(stored_pods().size(), 10u);
  EXPECT_EQ(machinery::find_condition(*stored_replica_set("web"), "ReplicaFailure"), nullptr);
}

TEST_F(ReplicaSetSync, CreatesAtMostBurstReplicasPerSync) {
  TestReplicaSet rs("web", 10);
  add_replica_set(rs);
  ReplicaManager& m = start(4);
  m.sync(rs.key());
  EXPECT_EQ(client_->count("create", "pods"), 4u);
  EXPECT_EQ(m.expectations().counts().get(rs.key())->adds, 4);
}

TEST_F(ReplicaSetSync, ExpectationsHoldTheNextSyncUntilTheCreationsAreObserved) {
  TestReplicaSet rs("web", 2);
  add_replica_set(rs);
  // Creates are answered but never stored: the cache never shows the pods, so only the
  // expectations keep the controller from creating them again.
  std::atomic<int> created{0};
  client_->prepend_reactor("create", "pods",
                           [&](const testing::Action& a) -> std::optional<testing::Reaction> {
                             json::object pod = *a.object;
                             machinery::child(pod, "metadata")["name"] = "web-" + std::to_string(++created);
                             testing::Reaction reaction;
                             reaction.object = std::make_shared<const json::object>(std::move(pod));
                             return reaction;
                           });
  ReplicaManager& m = start();

  m.sync(rs.key());
  EXPECT_EQ(client_->count("create", "pods"), 2u);
  m.sync(rs.key());
  EXPECT_EQ(client_->count("create", "pods"), 2u);

  m.pod_added(TestPod("web-1").labels(kWebLabels).owned_by(rs.object()).ptr());
  m.sync(rs.key());
  EXPECT_EQ(client_->count("create", "pods"), 2u);  // one creation still unobserved

  m.pod_added(TestPod("web-2").labels(kWebLabels).owned_by(rs.object()).ptr());
  EXPECT_TRUE(m.expectations().satisfied(rs.key()));
  m.sync(rs.key());
  EXPECT_EQ(client_->count("create", "pods"), 4u);  // the cache has none: it trusts it again
}

TEST_F(ReplicaSetSync, DeletesTheSurplusPodsThatComeFirstInDeletionOrder) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  add_pod(TestPod("running-ready").labels(kWebLabels).owned_by(rs.object()).node("n1").ready(kNow - 1h));
  add_pod(TestPod("pending").labels(kWebLabels).owned_by(rs.object()).phase("Pending"));
  add_pod(TestPod("running-not-ready").labels(kWebLabels).owned_by(rs.object()).node("n1").not_ready());
  ReplicaManager& m = start();

  m.sync(rs.key());
  EXPECT_THAT(action_names(client_->actions("delete", "pods")),
              UnorderedElementsAre("pending", "running-not-ready"));
  EXPECT_THAT(m.expectations().pending_deletions(rs.key()),
              ElementsAre("default/pending", "default/running-not-ready"));
  EXPECT_EQ(m.expectations().counts().get(rs.key())->deletes, 2);
  EXPECT_THAT(events(), UnorderedElementsAre("Normal SuccessfulDelete Deleted pod: pending",
                                             "Normal SuccessfulDelete Deleted pod: running-not-ready"));
  ASSERT_EQ(stored_pods().size(), 1u);
  EXPECT_EQ(machinery::name_of(*stored_pods()[0]), "running-ready");
}

TEST_F(ReplicaSetSync, DeletesFirstThePodDoubledUpWithItsDeploymentsOtherPods) {
  // Two ReplicaSets of one Deployment; the new one's pods run on node-1.
  TestReplicaSet old_rs("web-old", 1);
  old_rs.selector({{"app", "web"}, {"rev", "old"}}).controlled_by_deployment("deploy-uid");
  TestReplicaSet new_rs("web-new", 2);
  new_rs.selector({{"app", "web"}, {"rev", "new"}}).controlled_by_deployment("deploy-uid");
  add_replica_set(old_rs);
  add_replica_set(new_rs);
  const json::object old_labels{{"app", "web"}, {"rev", "old"}};
  const json::object new_labels{{"app", "web"}, {"rev", "new"}};
  // Alike but for their nodes; p1 would go first if colocation did not count.
  add_pod(TestPod("p1").labels(old_labels).owned_by(old_rs.object()).node("node-2").ready(kNow - 1h));
  add_pod(TestPod("p2").labels(old_labels).owned_by(old_rs.object()).node("node-1").ready(kNow - 1h));
  add_pod(TestPod("n1").labels(new_labels).owned_by(new_rs.object()).node("node-1").ready(kNow - 1h));
  add_pod(TestPod("n2").labels(new_labels).owned_by(new_rs.object()).node("node-1").ready(kNow - 1h));
  ReplicaManager& m = start();

  m.sync(old_rs.key());
  EXPECT_THAT(action_names(client_->actions("delete", "pods")), ElementsAre("p2"));
}

TEST_F(ReplicaSetSync, AdoptsAMatchingOrphanAfterRecheckingItself) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  add_pod(TestPod("orphan").labels(kWebLabels));
  ReplicaManager& m = start();

  m.sync(rs.key());
  EXPECT_EQ(client_->count("create", "pods"), 0u);
  EXPECT_EQ(client_->count("get", "replicasets"), 1u);  // the uncached read before adopting
  auto patches = client_->actions("patch", "pods");
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(patches[0].name, "orphan");
  ObjectPtr pod = client_->objects().get(machinery::kPods, "default", "orphan");
  EXPECT_TRUE(machinery::is_controlled_by(*pod, "rs-web"));
  EXPECT_EQ(status_count(stored_replica_set("web"), "replicas"), 1);
}

TEST_F(ReplicaSetSync, ReleasesAnOwnedPodThatNoLongerMatchesAndReplacesIt) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  add_pod(TestPod("relabelled").labels({{"app", "debug"}}).owned_by(rs.object()));
  ReplicaManager& m = start();

  m.sync(rs.key());
  EXPECT_THAT(action_names(client_->actions("patch", "pods")), ElementsAre("relabelled"));
  ObjectPtr pod = client_->objects().get(machinery::kPods, "default", "relabelled");
  EXPECT_EQ(machinery::controller_of(*pod), nullptr);
  EXPECT_EQ(client_->count("create", "pods"), 1u);
}

TEST_F(ReplicaSetSync, AReplicaSetBeingDeletedNeitherAdoptsNorReleasesNorCreates) {
  TestReplicaSet rs("web", 2);
  rs.deleting();
  add_replica_set(rs);
  add_pod(TestPod("orphan").labels(kWebLabels));
  add_pod(TestPod("relabelled").labels({{"app", "debug"}}).owned_by(rs.object()));
  add_pod(TestPod("mine").labels(kWebLabels).owned_by(rs.object()));
  ReplicaManager& m = start();

  EXPECT_EQ(m.sync(rs.key()).next, Result::Next::Done);
  EXPECT_EQ(client_->count("patch", "pods"), 0u);
  EXPECT_EQ(client_->count("create", "pods"), 0u);
  EXPECT_EQ(client_->count("get", "replicasets"), 0u);
  // What it still controls and selects is counted.
  EXPECT_EQ(status_count(stored_replica_set("web"), "replicas"), 1);
}

TEST_F(ReplicaSetSync, IgnoresPodsAnotherControllerControls) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  TestReplicaSet other("other", 1);
  add_pod(TestPod("theirs").labels(kWebLabels).owned_by(other.object()));
  ReplicaManager& m = start();

  m.sync(rs.key());
  EXPECT_EQ(client_->count("patch", "pods"), 0u);
  EXPECT_EQ(client_->count("create", "pods"), 1u);  // its own replica
  ObjectPtr pod = client_->objects().get(machinery::kPods, "default", "theirs");
  EXPECT_TRUE(machinery::is_controlled_by(*pod, "rs-other"));
}

TEST_F(ReplicaSetSync, StatusCountsFullyLabeledReadyAndAvailablePods) {
  TestReplicaSet rs("web", 3);
  rs.template_labels({{"app", "web"}, {"tier", "front"}}).min_ready_seconds(30).generation(4);
  add_replica_set(rs);
  const json::object full{{"app", "web"}, {"tier", "front"}};
  add_pod(TestPod("available").labels(full).owned_by(rs.object()).ready(kNow - 60s));
  add_pod(TestPod("ready").labels(kWebLabels).owned_by(rs.object()).ready(kNow - 10s));
  add_pod(TestPod("starting").labels(full).owned_by(rs.object()).not_ready());
  add_pod(TestPod("done").labels(full).owned_by(rs.object()).phase("Succeeded"));  // inactive: not counted
  ReplicaManager& m = start();

  EXPECT_EQ(m.sync(rs.key()).next, Result::Next::Done);
  EXPECT_EQ(client_->count("create", "pods"), 0u);
  ObjectPtr stored = stored_replica_set("web");
  EXPECT_EQ(status_count(stored, "replicas"), 3);
  EXPECT_EQ(status_count(stored, "fullyLabeledReplicas"), 2);
  EXPECT_EQ(status_count(stored, "readyReplicas"), 2);
  EXPECT_EQ(status_count(stored, "availableReplicas"), 1);
  EXPECT_EQ(status_count(stored, "observedGeneration"), 4);
  EXPECT_EQ(machinery::array_at(*stored, {"status", "conditions"}), nullptr);
}

TEST_F(ReplicaSetSync, LooksAgainAfterMinReadySecondsWhenAllAreReadyButNotAllAvailable) {
  TestReplicaSet rs("web", 2);
  rs.min_ready_seconds(30);
  add_replica_set(rs);
  add_pod(TestPod("a").labels(kWebLabels).owned_by(rs.object()).ready(kNow - 60s));
  add_pod(TestPod("b").labels(kWebLabels).owned_by(rs.object()).ready(kNow - 10s));
  ReplicaManager& m = start();

  Result result = m.sync(rs.key());
  EXPECT_EQ(result.next, Result::Next::RequeueAfter);
  EXPECT_EQ(result.after, std::chrono::milliseconds(30s));
}

TEST_F(ReplicaSetSync, AnUnchangedStatusIsNotWritten) {
  TestReplicaSet rs("web", 1);
  rs.generation(2).status({{"replicas", 1},
                           {"fullyLabeledReplicas", 1},
                           {"readyReplicas", 1},
                           {"availableReplicas", 1},
                           {"observedGeneration", 2}});
  add_replica_set(rs);
  add_pod(TestPod("a").labels(kWebLabels).owned_by(rs.object()).ready(kNow - 1h));
  ReplicaManager& m = start();

  m.sync(rs.key());
  EXPECT_EQ(client_->count("update", "replicasets/status"), 0u);
  EXPECT_EQ(client_->count("create", "pods"), 0u);
}

TEST_F(ReplicaSetSync, AFailedDeleteSetsReplicaFailureAndIsNoLongerExpected) {
  TestReplicaSet rs("web", 0);
  add_replica_set(rs);
  add_pod(TestPod("a").labels(kWebLabels).owned_by(rs.object()));
  add_pod(TestPod("b").labels(kWebLabels).owned_by(rs.object()));
  client_->prepend_reactor("delete", "pods", testing::fail_with(ApiError::internal("etcd is down")));
  ReplicaManager& m = start();

  const std::string error = sync_error(m, rs.key());
  EXPECT_THAT(error, StartsWith("unable to delete pods: "));
  EXPECT_THAT(error, HasSubstr("etcd is down"));
  EXPECT_TRUE(m.expectations().pending_deletions(rs.key()).empty());
  EXPECT_TRUE(m.expectations().satisfied(rs.key()));
  EXPECT_THAT(events(), AllOf(Not(IsEmpty()), Each(StartsWith("Warning FailedDelete Error deleting: "))));
  const json::object* failure = machinery::find_condition(*stored_replica_set("web"), "ReplicaFailure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(machinery::string_at(*failure, {"reason"}), "FailedDelete");
  EXPECT_EQ(machinery::string_at(*failure, {"message"}), error);
}

TEST_F(ReplicaSetSync, APodAlreadyGoneCountsAsDeleted) {
  TestReplicaSet rs("web", 0);
  add_replica_set(rs);
  add_pod(TestPod("a").labels(kWebLabels).owned_by(rs.object()));
  client_->prepend_reactor("delete", "pods", testing::fail_with(ApiError::not_found("pods", "a")));
  ReplicaManager& m = start();

  EXPECT_EQ(m.sync(rs.key()).next, Result::Next::Done);
  EXPECT_TRUE(m.expectations().satisfied(rs.key()));
  EXPECT_THAT(events(), IsEmpty());
}

TEST_F(ReplicaSetSync, AReplicaSetThatIsGoneForgetsItsExpectations) {
  ReplicaManager& m = start();
  m.expectations().counts().expect_creations("default/gone", 3);
  EXPECT_EQ(m.sync("default/gone").next, Result::Next::Done);
  EXPECT_FALSE(m.expectations().counts().get("default/gone"));
  EXPECT_EQ(client_->count("create", "pods"), 0u);
}

TEST_F(ReplicaSetSync, AnInvalidSelectorIsNotSynced) {
  TestReplicaSet rs("web", 1);
  json::object broken = rs.object();
  machinery::child(broken, "spec")["selector"] = json::object{
      {"matchExpressions",
       json::array{json::object{{"key", "app"}, {"operator", "Near"}, {"values", json::array{"web"}}}}}};
  client_->add(machinery::kReplicaSets, broken);
  ReplicaManager& m = start();
  EXPECT_EQ(m.sync(rs.key()).next, Result::Next::Done);
  EXPECT_EQ(client_->count("create", "pods"), 0u);
  EXPECT_EQ(client_->count("update", "replicasets/status"), 0u);
}

TEST_F(ReplicaSetHandlers, APodOfTheReplicaSetIsACreationObserved) {
  TestReplicaSet rs("web", 2);
  add_replica_set(rs);
  ReplicaManager& m = start();
  m.expectations().counts().expect_creations(rs.key(), 2);

  m.pod_added(TestPod("a").labels(kWebLabels).owned_by(rs.object()).ptr());
  EXPECT_EQ(m.expectations().counts().get(rs.key())->adds, 1);
  EXPECT_THAT(queued(), ElementsAre(rs.key()));

  // A reference to an earlier ReplicaSet of that name (another uid) is not to this one.
  json::object stale = TestPod("b").labels(kWebLabels).object();
  machinery::child(stale, "metadata")["ownerReferences"] = json::array{json::object{{"apiVersion", "apps/v1"},
                                                                                    {"kind", "ReplicaSet"},
                                                                                    {"name", "web"},
                                                                                    {"uid", "rs-web-before"},
                                                                                    {"controller", true}}};
  m.pod_added(std::make_shared<const json::object>(stale));
  EXPECT_EQ(m.expectations().counts().get(rs.key())->adds, 1);
  EXPECT_THAT(queued(), ElementsAre(rs.key()));
}

TEST_F(ReplicaSetHandlers, AnOrphanWakesEveryReplicaSetSelectingIt) {
  add_replica_set(TestReplicaSet("web", 1));
  add_replica_set(TestReplicaSet("web-too", 1));
  add_replica_set(TestReplicaSet("api", 1).selector({{"app", "api"}}));
  ReplicaManager& m = start();
  m.expectations().counts().expect_creations("default/web", 1);

  m.pod_added(TestPod("orphan").labels(kWebLabels).ptr());
  EXPECT_THAT(queued(), UnorderedElementsAre("default/web", "default/web-too"));
  EXPECT_EQ(m.expectations().counts().get("default/web")->adds, 1);  // no one waits for orphans

  clear_queued();
  m.pod_added(TestPod("unlabelled").ptr());
  EXPECT_THAT(queued(), IsEmpty());
}

TEST_F(ReplicaSetHandlers, AGracefulDeleteCountsOnceAsTheDeletion) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  ReplicaManager& m = start();
  m.expectations().expect_deletions(rs.key(), {"default/a", "default/b"});

  json::object before = TestPod("a").labels(kWebLabels).owned_by(rs.object()).object();
  machinery::child(before, "metadata")["resourceVersion"] = "10";
  json::object terminating = before;
  machinery::child(terminating, "metadata")["resourceVersion"] = "11";
  machinery::child(terminating, "metadata")["deletionTimestamp"] = stamp(kNow);
  m.pod_updated(std::make_shared<const json::object>(before),
                std::make_shared<const json::object>(terminating));
  EXPECT_EQ(m.expectations().counts().get(rs.key())->deletes, 1);
  m.pod_deleted(std::make_shared<const json::object>(terminating));
  EXPECT_EQ(m.expectations().counts().get(rs.key())->deletes, 1);  // the same pod again
  EXPECT_THAT(m.expectations().pending_deletions(rs.key()), ElementsAre("default/b"));
  EXPECT_THAT(queued(), ElementsAre(rs.key(), rs.key()));
}

TEST_F(ReplicaSetHandlers, AnUpdateWithoutANewResourceVersionIsIgnored) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  ReplicaManager& m = start();
  json::object pod = TestPod("a").labels(kWebLabels).owned_by(rs.object()).object();
  machinery::child(pod, "metadata")["resourceVersion"] = "10";
  auto ptr = std::make_shared<const json::object>(pod);
  m.pod_updated(ptr, ptr);
  EXPECT_THAT(queued(), IsEmpty());
}

TEST_F(ReplicaSetHandlers, APodThatBecameReadyIsLookedAtAgainAfterMinReadySeconds) {
  TestReplicaSet rs("web", 1);
  rs.min_ready_seconds(10);
  add_replica_set(rs);
  ReplicaManager& m = start();
  json::object starting = TestPod("a").labels(kWebLabels).owned_by(rs.object()).not_ready().object();
  machinery::child(starting, "metadata")["resourceVersion"] = "10";
  json::object ready = TestPod("a").labels(kWebLabels).owned_by(rs.object()).ready(kNow).object();
  machinery::child(ready, "metadata")["resourceVersion"] = "11";

  m.pod_updated(std::make_shared<const json::object>(starting), std::make_shared<const json::object>(ready));
  EXPECT_THAT(queued(), ElementsAre(rs.key()));
  ASSERT_THAT(queued_after(), SizeIs(1));
  EXPECT_EQ(queued_after()[0].first, rs.key());
  EXPECT_EQ(queued_after()[0].second, std::chrono::milliseconds(11s));
}

TEST_F(ReplicaSetHandlers, AReleasedPodWakesItsOldOwnerAndTheReplicaSetsSelectingIt) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  add_replica_set(TestReplicaSet("api", 1).selector({{"app", "api"}}));
  ReplicaManager& m = start();
  json::object owned = TestPod("a").labels(kWebLabels).owned_by(rs.object()).object();
  machinery::child(owned, "metadata")["resourceVersion"] = "10";
  json::object released = TestPod("a").labels({{"app", "api"}}).object();
  machinery::child(released, "metadata")["resourceVersion"] = "11";

  m.pod_updated(std::make_shared<const json::object>(owned), std::make_shared<const json::object>(released));
  EXPECT_THAT(queued(), ElementsAre("default/web", "default/api"));
}

TEST_F(ReplicaSetHandlers, AReplicaSetDeletedOrReplacedUnderItsNameStartsWithoutExpectations) {
  TestReplicaSet rs("web", 1);
  add_replica_set(rs);
  ReplicaManager& m = start();

  m.expectations().counts().expect_creations(rs.key(), 2);
  m.owner_deleted(std::make_shared<const json::object>(rs.object()));
  EXPECT_FALSE(m.expectations().counts().get(rs.key()));
  EXPECT_THAT(queued(), ElementsAre(rs.key()));

  clear_queued();
  m.expectations().counts().expect_creations(rs.key(), 2);
  json::object replaced = rs.object();
  machinery::child(replaced, "metadata")["uid"] = "rs-web-2";
  m.owner_updated(std::make_shared<const json::object>(rs.object()),
                  std::make_shared<const json::object>(replaced));
  EXPECT_FALSE(m.expectations().counts().get(rs.key()));
  EXPECT_THAT(queued(), ElementsAre(rs.key(), rs.key()));
}

}  // namespace
}  // namespace ukube::controller::rs_test
