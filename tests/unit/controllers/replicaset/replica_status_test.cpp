// A ReplicaSet's status as upstream computes and writes it (replica_set_utils_test.go's
// calculateStatus and updateReplicaSetStatus tests), and the two kinds' selectors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "replicaset_test_support.h"
#include "ukube/controller/replica_kind.h"
#include "ukube/controller/replica_status.h"
#include "ukube/errors.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/labels.h"

namespace ukube::controller::rs_test {
namespace {

const json::object kWeb{{"app", "web"}};

std::vector<ObjectPtr> pods_of(std::initializer_list<TestPod> pods) {
  std::vector<ObjectPtr> out;
  for (const auto& p : pods) out.push_back(p.ptr());
  return out;
}

TEST(ReplicaStatus, CountsReplicasFullyLabeledReadyAndAvailable) {
  TestReplicaSet rs("web", 4);
  rs.template_labels({{"app", "web"}, {"tier", "front"}}).min_ready_seconds(60);
  const json::object full{{"app", "web"}, {"tier", "front"}, {"extra", "fine"}};
  auto pods = pods_of({TestPod("a").labels(full).ready(kNow - 61s),  // available
                       TestPod("b").labels(full).ready(kNow - 60s),  // ready exactly minReadySeconds: not yet
                       TestPod("c").labels(kWeb).ready(kNow - 1h),   // available, not fully labeled
                       TestPod("d").labels(full).not_ready()});
  json::object status = replica_status(rs.object(), pods, std::nullopt, kNow);
  EXPECT_EQ(
      status,
      (json::object{
          {"replicas", 4}, {"fullyLabeledReplicas", 3}, {"readyReplicas", 3}, {"availableReplicas", 2}}));
}

TEST(ReplicaStatus, LeavesZeroCountsOutButAlwaysSaysReplicas) {
  TestReplicaSet rs("web", 1);
  rs.status({{"replicas", 2}, {"readyReplicas", 2}, {"observedGeneration", 1}, {"terminatingReplicas", 1}});
  json::object status = replica_status(rs.object(), {}, std::nullopt, kNow);
  // Other members are the owner's, kept as they were.
  EXPECT_EQ(status, (json::object{{"replicas", 0}, {"observedGeneration", 1}, {"terminatingReplicas", 1}}));
}

TEST(ReplicaStatus, AFailureSetsReplicaFailureOnceAndSuccessClearsIt) {
  TestReplicaSet rs("web", 3);
  json::object failing =
      replica_status(rs.object(), pods_of({TestPod("a").labels(kWeb)}), std::string("no quota"), kNow);
  const json::array* conditions = machinery::array_at(failing, {"conditions"});
  ASSERT_NE(conditions, nullptr);
  EXPECT_EQ(*conditions, (json::array{json::object{{"type", "ReplicaFailure"},
                                                   {"status", "True"},
                                                   {"lastTransitionTime", stamp(kNow)},
                                                   {"reason", "FailedCreate"},
                                                   {"message", "no quota"}}}));

  // Already failing: the condition stays as it was, even with another message.
  rs.status(failing);
  json::object still = replica_status(rs.object(), {}, std::string("other"), kNow + 1h);
  EXPECT_EQ(*machinery::array_at(still, {"conditions"}), *conditions);

  json::object cleared = replica_status(rs.object(), {}, std::nullopt, kNow);
  EXPECT_EQ(machinery::array_at(cleared, {"conditions"}), nullptr);
}

TEST(ReplicaStatus, TooManyPodsFailToDelete) {
  TestReplicaSet rs("web", 0);
  json::object status = replica_status(rs.object(), pods_of({TestPod("a")}), std::string("boom"), kNow);
  const json::object owner{{"status", status}};
  const json::object* failure = machinery::find_condition(owner, "ReplicaFailure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ(machinery::string_at(*failure, {"reason"}), "FailedDelete");
}

TEST(ReplicaStatusOutdated, ComparesTheCountsTheConditionsAndTheObservedGeneration) {
  TestReplicaSet rs("web", 1);
  rs.generation(3).status({{"replicas", 1}, {"readyReplicas", 1}, {"observedGeneration", 3}});
  EXPECT_FALSE(replica_status_outdated(rs.object(), json::object{{"replicas", 1}, {"readyReplicas", 1}}));
  EXPECT_TRUE(replica_status_outdated(rs.object(), json::object{{"replicas", 1}}));
  EXPECT_TRUE(replica_status_outdated(
      rs.object(), json::object{{"replicas", 1},
                                {"readyReplicas", 1},
                                {"conditions", json::array{json::object{{"type", "ReplicaFailure"}}}}}));
  rs.generation(4);
  EXPECT_TRUE(replica_status_outdated(rs.object(), json::object{{"replicas", 1}, {"readyReplicas", 1}}));
}

TEST(UpdateReplicaStatus, WritesTheStatusSubresourceWithTheObservedGeneration) {
  testing::FakeClient client;
  ObjectPtr rs = client.add(machinery::kReplicaSets, TestReplicaSet("web", 1).generation(2).object());
  ObjectPtr written =
      update_replica_status(client, machinery::kReplicaSets, rs, json::object{{"replicas", 1}});
  EXPECT_EQ(client.count("update", "replicasets/status"), 1u);
  EXPECT_EQ(*machinery::object_at(*written, {"status"}),
            (json::object{{"replicas", 1}, {"observedGeneration", 2}}));

  // Nothing changed: nothing written, the owner returned as it is.
  EXPECT_EQ(update_replica_status(client, machinery::kReplicaSets, written, json::object{{"replicas", 1}}),
            written);
  EXPECT_EQ(client.count("update", "replicasets/status"), 1u);
}

TEST(UpdateReplicaStatus, RetriesOnceOnAFreshCopy) {
  testing::FakeClient client;
  ObjectPtr rs = client.add(machinery::kReplicaSets, TestReplicaSet("web", 1).object());
  // Someone else wrote meanwhile: the cached copy is stale.
  client.objects().patch(machinery::kReplicaSets, "default", "web", PatchType::JsonMerge,
                         R"({"metadata":{"labels":{"touched":"yes"}}})");
  ObjectPtr written =
      update_replica_status(client, machinery::kReplicaSets, rs, json::object{{"replicas", 0}});
  EXPECT_EQ(client.count("update", "replicasets/status"), 2u);
  EXPECT_EQ(client.count("get", "replicasets"), 1u);
  EXPECT_EQ(machinery::int_or(*written, {"status", "observedGeneration"}, 0), 1);
  EXPECT_EQ(machinery::string_at(*written, {"metadata", "labels", "touched"}), "yes");

  client.prepend_reactor("update", "replicasets/status", testing::fail_with(ApiError::internal("down")));
  json::object changed = *written;
  EXPECT_THROW(
      update_replica_status(client, machinery::kReplicaSets, std::make_shared<const json::object>(changed),
                            json::object{{"replicas", 5}}),
      ApiError);
  EXPECT_EQ(client.count("update", "replicasets/status"), 4u);
}

TEST(ReplicaKinds, ReadTheirSelectors) {
  std::string error;
  auto rs_selector = replica_set_kind().selector(TestReplicaSet("web", 1).object(), &error);
  ASSERT_TRUE(rs_selector);
  EXPECT_EQ(machinery::to_string(*rs_selector), "app=web");

  json::object broken = TestReplicaSet("web", 1).object();
  broken["spec"].as_object()["selector"] = json::object{
      {"matchExpressions",
       json::array{json::object{{"key", "app"}, {"operator", "Near"}, {"values", json::array{"x"}}}}}};
  EXPECT_FALSE(replica_set_kind().selector(broken, &error));
  EXPECT_FALSE(error.empty());

  json::object rc{{"apiVersion", "v1"},
                  {"kind", "ReplicationController"},
                  {"metadata", json::object{{"name", "web"}, {"namespace", "default"}}},
                  {"spec", json::object{{"selector", json::object{{"app", "web"}}}}}};
  auto rc_selector = replication_controller_kind().selector(rc, nullptr);
  ASSERT_TRUE(rc_selector);
  EXPECT_TRUE(machinery::matches(*rc_selector, &kWeb));
  rc["spec"].as_object().erase("selector");
  auto none = replication_controller_kind().selector(rc, nullptr);
  ASSERT_TRUE(none);
  EXPECT_FALSE(machinery::matches(*none, &kWeb));  // no selector selects nothing

  EXPECT_EQ(replication_controller_kind().kind.api_version(), "v1");
  EXPECT_EQ(replication_controller_kind().resource.resource, "replicationcontrollers");
  EXPECT_EQ(replica_set_kind().kind.api_version(), "apps/v1");
}

}  // namespace
}  // namespace ukube::controller::rs_test
