// One pass of the namespace deleter (upstream's namespacedResourcesDeleter.Delete) driven
// directly over a FakeCluster: what it deletes and how, when it finalizes, the
// conditions it writes and the estimate it returns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "namespace_test_support.h"

namespace ukube::controllers::namespace_::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr std::string_view kAllTypes[] = {kDiscoveryFailure, kGroupVersionParsingFailure, kContentFailure,
                                          kContentRemaining, kFinalizersRemaining};

class ResourcesDeleterTest : public ::testing::Test {
 protected:
  int64_t sync(const std::string& name) {
    ResourcesDeleter deleter(cluster_.options());
    return deleter.sync(name);
  }
  // The last namespace body written to namespaces/status.
  json::object last_status() {
    auto writes = cluster_.status_writes();
    return writes.empty() ? json::object() : writes.back();
  }
  std::vector<testing::Action> finalizes() {
    return cluster_.client->actions("update", "namespaces/finalize");
  }

  FakeCluster cluster_;
};

TEST_F(ResourcesDeleterTest, LeavesANamespaceThatIsNotBeingDeletedAlone) {
  cluster_.add_namespace("team", std::nullopt);
  cluster_.add(machinery::kConfigMaps, "team", "settings");
  EXPECT_EQ(sync("team"), 0);
  EXPECT_EQ(cluster_.client->actions().size(), 1u);
  EXPECT_EQ(cluster_.client->count("get", "namespaces"), 1u);
  EXPECT_THAT(cluster_.collection_deletes(), IsEmpty());
  EXPECT_NE(cluster_.find(machinery::kConfigMaps, "team", "settings"), nullptr);
}

TEST_F(ResourcesDeleterTest, ANamespaceAlreadyGoneIsNotAnError) {
  EXPECT_EQ(sync("gone"), 0);
  EXPECT_EQ(cluster_.client->actions().size(), 1u);
  EXPECT_THAT(cluster_.collection_deletes(), IsEmpty());
}

TEST_F(ResourcesDeleterTest, DeletesEveryNamespacedResourceThenRemovesItsFinalizer) {
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "c1");
  cluster_.add(machinery::kSecrets, "doomed", "s1");
  cluster_.add(machinery::kPods, "doomed", "p1", R"({"spec":{"terminationGracePeriodSeconds":30}})");
  cluster_.add(kEvents, "doomed", "e1");
  cluster_.add(kEvents, "doomed", "e2");
  cluster_.add(kWidgets, "doomed", "w1");
  cluster_.add_namespace("other", std::nullopt);
  cluster_.add(machinery::kConfigMaps, "other", "c1");

  EXPECT_EQ(sync("doomed"), 0);

  // A DELETE on each collection that offers it, at the preferred version, in the namespace,
  // propagating in the background; the others listed and deleted one by one.
  EXPECT_THAT(cluster_.collection_deleted_resources(),
              UnorderedElementsAre("configmaps.v1", "pods.v1", "secrets.v1", "widgets.v1"));
  for (const auto& d : cluster_.collection_deletes()) {
    EXPECT_EQ(d.ns, "doomed");
    EXPECT_EQ(d.options.propagation_policy, "Background");
  }
  std::vector<std::string> deleted;
  for (const auto& a : cluster_.client->actions("delete")) {
    EXPECT_EQ(a.ns, "doomed");
    EXPECT_EQ(a.delete_options.propagation_policy, "Background");
    deleted.push_back(a.resource_path() + "/" + a.name);
  }
  EXPECT_THAT(deleted, UnorderedElementsAre("events/e1", "events/e2"));
  EXPECT_EQ(cluster_.client->count("list", "localsubjectaccessreviews"), 0u);
  EXPECT_EQ(cluster_.client->count("list", "nodes"), 0u);

  // Terminating first, then every condition in its "all is well" state.
  auto writes = cluster_.status_writes();
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(machinery::string_at(writes[0], {"status", "phase"}), "Terminating");
  EXPECT_EQ(condition(writes[1], kDiscoveryFailure),
            "False ResourcesDiscovered: All resources successfully discovered");
  EXPECT_EQ(condition(writes[1], kGroupVersionParsingFailure),
            "False ParsedGroupVersions: All legacy kube types successfully parsed");
  EXPECT_EQ(condition(writes[1], kContentFailure),
            "False ContentDeleted: All content successfully deleted, may be waiting on finalization");
  EXPECT_EQ(condition(writes[1], kContentRemaining),
            "False ContentRemoved: All content successfully removed");
  EXPECT_EQ(condition(writes[1], kFinalizersRemaining),
            "False ContentHasNoFinalizers: All content-preserving finalizers finished");
  const json::array* conditions = machinery::array_at(writes[1], {"status", "conditions"});
  ASSERT_NE(conditions, nullptr);
  ASSERT_EQ(conditions->size(), 5u);
  for (size_t i = 0; i < 5; ++i)
    EXPECT_EQ(machinery::string_at(conditions->at(i).as_object(), {"type"}), kAllTypes[i]);

  // Finalized once, with an empty list; the API server then removes the namespace.
  auto finalize = finalizes();
  ASSERT_EQ(finalize.size(), 1u);
  EXPECT_EQ(finalize[0].name, "doomed");
  EXPECT_EQ(machinery::value_at(*finalize[0].object, {"spec", "finalizers"})->as_array(), json::array());
  EXPECT_EQ(cluster_.namespace_object("doomed"), nullptr);
  EXPECT_EQ(cluster_.find(machinery::kPods, "doomed", "p1"), nullptr);
  EXPECT_NE(cluster_.find(machinery::kConfigMaps, "other", "c1"), nullptr);
}

TEST_F(ResourcesDeleterTest, WaitsForContentHeldByFinalizersAndFinalizesOnlyOnceItIsGone) {
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "held",
               R"({"metadata":{"finalizers":["example.com/hold"]}})");
  cluster_.add(machinery::kSecrets, "doomed", "s1");

  EXPECT_EQ(sync("doomed"), kFinalizerEstimateSeconds);
  EXPECT_THAT(finalizes(), IsEmpty());
  EXPECT_EQ(cluster_.find(machinery::kSecrets, "doomed", "s1"), nullptr);
  json::object status = last_status();
  EXPECT_EQ(condition(status, kContentRemaining),
            "True SomeResourcesRemain: Some resources are remaining: configmaps. has 1 resource instances");
  EXPECT_EQ(condition(status, kFinalizersRemaining),
            "True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: "
            "example.com/hold in "
            "1 resource instances");
  EXPECT_EQ(condition(status, kContentFailure),
            "False ContentDeleted: All content successfully deleted, may be waiting on finalization");
  const std::string remaining_since = transition_time(status, kContentRemaining);
  const std::string discovered_since = transition_time(status, kDiscoveryFailure);

  // Nothing changed: nothing written, still waiting.
  size_t writes = cluster_.status_writes().size();
  EXPECT_EQ(sync("doomed"), kFinalizerEstimateSeconds);
  EXPECT_EQ(cluster_.status_writes().size(), writes);
  EXPECT_THAT(finalizes(), IsEmpty());

  // The finalizer's owner lets go: the next pass clears the conditions and finalizes.
  json::object released = *cluster_.find(machinery::kConfigMaps, "doomed", "held");
  machinery::child(released, "metadata").erase("finalizers");
  cluster_.client->objects().update(machinery::kConfigMaps, "doomed", released);
  cluster_.advance(60s);
  EXPECT_EQ(sync("doomed"), 0);
  status = last_status();
  EXPECT_EQ(condition(status, kContentRemaining), "False ContentRemoved: All content successfully removed");
  EXPECT_EQ(condition(status, kFinalizersRemaining),
            "False ContentHasNoFinalizers: All content-preserving finalizers finished");
  EXPECT_NE(transition_time(status, kContentRemaining), remaining_since);
  EXPECT_EQ(transition_time(status, kDiscoveryFailure), discovered_since);
  EXPECT_EQ(finalizes().size(), 1u);
  EXPECT_EQ(cluster_.namespace_object("doomed"), nullptr);
}

TEST_F(ResourcesDeleterTest, PodsStillStoppingAreGivenTheirGracePeriod) {
  cluster_.graceful_pods = true;
  cluster_.add_namespace("doomed", 5s);
  cluster_.add(machinery::kPods, "doomed", "slow",
               R"({"spec":{"terminationGracePeriodSeconds":30},"status":{"phase":"Running"}})");
  cluster_.add(machinery::kPods, "doomed", "quick",
               R"({"spec":{"terminationGracePeriodSeconds":10},"status":{"phase":"Running"}})");
  cluster_.add(machinery::kPods, "doomed", "done",
               R"({"spec":{"terminationGracePeriodSeconds":600},"status":{"phase":"Succeeded"}})");

  // The longest grace period of a running pod; finished pods do not count.
  EXPECT_EQ(sync("doomed"), 30);
  EXPECT_EQ(condition(last_status(), kContentRemaining),
            "True SomeResourcesRemain: Some resources are remaining: pods. has 2 resource instances");
  EXPECT_EQ(condition(last_status(), kFinalizersRemaining),
            "False ContentHasNoFinalizers: All content-preserving finalizers finished");
  EXPECT_THAT(finalizes(), IsEmpty());

  // Past the grace period, pods that are still there are unexpected.
  cluster_.advance(30s);
  try {
    sync("doomed");
    ADD_FAILURE() << "a pass with unexpected content left should fail";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "unexpected items still remain in namespace: doomed for gvr: /v1, Resource=pods");
  }
  EXPECT_EQ(
      condition(last_status(), kContentFailure),
      "True ContentDeletionFailed: Failed to delete all resource types, 1 remaining: unexpected items still "
      "remain in namespace: doomed for gvr: /v1, Resource=pods");
  EXPECT_THAT(finalizes(), IsEmpty());
  EXPECT_NE(cluster_.namespace_object("doomed"), nullptr);
}

TEST_F(ResourcesDeleterTest, ListsAndDeletesEachObjectWhereTheCollectionCannotBeDeleted) {
  cluster_.refuse_collection.emplace("configmaps",
                                     ApiError::method_not_allowed("deletecollection not allowed"));
  cluster_.refuse_collection.emplace("secrets", ApiError::resource_not_found());
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "c1");
  cluster_.add(machinery::kConfigMaps, "doomed", "c2");
  cluster_.add(machinery::kSecrets, "doomed", "s1");
  EXPECT_EQ(sync("doomed"), 0);
  EXPECT_EQ(cluster_.client->count("delete", "configmaps"), 2u);
  EXPECT_EQ(cluster_.client->count("delete", "secrets"), 1u);
  EXPECT_EQ(finalizes().size(), 1u);
}

TEST_F(ResourcesDeleterTest, WithoutCollectionDeletesEveryObjectIsDeletedOneByOne) {
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "c1");
  cluster_.add(kWidgets, "doomed", "w1");
  DeleterOptions options = cluster_.options();
  options.delete_collection = nullptr;
  ResourcesDeleter deleter(options);
  EXPECT_EQ(deleter.sync("doomed"), 0);
  EXPECT_THAT(cluster_.collection_deletes(), IsEmpty());
  EXPECT_EQ(cluster_.client->count("delete", "configmaps"), 1u);
  EXPECT_EQ(cluster_.client->count("delete", "widgets"), 1u);
  EXPECT_EQ(finalizes().size(), 1u);
}

TEST_F(ResourcesDeleterTest, AResourceThatCannotBeEmptiedDoesNotStopTheOthers) {
  cluster_.refuse_collection.emplace("secrets", ApiError::internal("etcd timed out"));
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "c1");
  cluster_.add(machinery::kSecrets, "doomed", "s1");
  EXPECT_THROW(sync("doomed"), std::runtime_error);
  EXPECT_EQ(cluster_.find(machinery::kConfigMaps, "doomed", "c1"), nullptr);
  EXPECT_EQ(condition(last_status(), kContentFailure),
            "True ContentDeletionFailed: Failed to delete all resource types, 1 remaining: Internal error "
            "occurred: "
            "etcd timed out");
  EXPECT_THAT(finalizes(), IsEmpty());
}

TEST_F(ResourcesDeleterTest, AFailedDiscoveryIsReportedAndNothingIsFinalized) {
  cluster_.discovery_error = "the type registry is unavailable";
  cluster_.add_namespace("doomed", 1s);
  cluster_.add(machinery::kConfigMaps, "doomed", "c1");
  EXPECT_THROW(sync("doomed"), std::runtime_error);
  EXPECT_EQ(condition(last_status(), kDiscoveryFailure),
            "True DiscoveryFailed: the type registry is unavailable");
  EXPECT_THAT(finalizes(), IsEmpty());

  // Discovery works again: the content goes, the condition clears.
  cluster_.discovery_error.clear();
  EXPECT_EQ(sync("doomed"), 0);
  EXPECT_EQ(condition(last_status(), kDiscoveryFailure),
            "False ResourcesDiscovered: All resources successfully discovered");
  EXPECT_EQ(finalizes().size(), 1u);
}

TEST_F(ResourcesDeleterTest, ResourcesServedLaterAreCovered) {
  cluster_.types = {served(machinery::kConfigMaps, "ConfigMap")};
  cluster_.add_namespace("doomed", 1s);
  cluster_.add({"stable.example.com", "v1", "crontabs"}, "doomed", "nightly",
               R"({"metadata":{"finalizers":["example.com/hold"]}})");
  EXPECT_EQ(sync("doomed"), 0);  // not served: not seen
  EXPECT_EQ(finalizes().size(), 1u);

  cluster_.add_namespace("later", 1s);
  cluster_.add({"stable.example.com", "v1", "crontabs"}, "later", "nightly",
               R"({"metadata":{"finalizers":["example.com/hold"]}})");
  cluster_.types.push_back(served({"stable.example.com", "v1", "crontabs"}, "CronTab"));
  EXPECT_EQ(sync("later"), kFinalizerEstimateSeconds);
  EXPECT_EQ(
      condition(last_status(), kContentRemaining),
      "True SomeResourcesRemain: Some resources are remaining: crontabs.stable.example.com has 1 resource "
      "instances");
}

TEST_F(ResourcesDeleterTest, KeepsTheOtherFinalizersOfTheNamespace) {
  cluster_.add_namespace("doomed", 1s, {"kubernetes", "example.com/z", "example.com/a", "example.com/a"});
  EXPECT_EQ(sync("doomed"), 0);
  auto finalize = finalizes();
  ASSERT_EQ(finalize.size(), 1u);
  EXPECT_EQ(machinery::strings_at(*finalize[0].object, {"spec", "finalizers"}),
            (std::vector<std::string>{"example.com/a", "example.com/z"}));
  ObjectPtr ns = cluster_.namespace_object("doomed");
  ASSERT_NE(ns, nullptr);  // the other finalizers still hold it
  EXPECT_EQ(machinery::strings_at(*ns, {"spec", "finalizers"}),
            (std::vector<std::string>{"example.com/a", "example.com/z"}));
}

TEST_F(ResourcesDeleterTest, AFinalizedNamespaceIsOnlyMarkedTerminating) {
  cluster_.add_namespace("doomed", 1s, {}, "Active", {"example.com/other"});
  cluster_.add(machinery::kConfigMaps, "doomed", "c1");
  EXPECT_EQ(sync("doomed"), 0);
  ASSERT_EQ(cluster_.status_writes().size(), 1u);
  EXPECT_EQ(machinery::string_at(last_status(), {"status", "phase"}), "Terminating");
  EXPECT_THAT(cluster_.collection_deletes(), IsEmpty());
  EXPECT_THAT(finalizes(), IsEmpty());
}

TEST_F(ResourcesDeleterTest, ATerminatingNamespaceIsNotMarkedAgain) {
  cluster_.add_namespace("doomed", 1s, {"kubernetes"}, "Terminating");
  EXPECT_EQ(sync("doomed"), 0);
  auto writes = cluster_.status_writes();
  ASSERT_EQ(writes.size(), 1u);  // the conditions only
  EXPECT_EQ(condition(writes[0], kContentRemaining),
            "False ContentRemoved: All content successfully removed");
  EXPECT_EQ(finalizes().size(), 1u);
}

TEST_F(ResourcesDeleterTest, RetriesAConflictingWriteOnAFreshCopy) {
  cluster_.add_namespace("doomed", 1s);
  int conflicts = 1;
  cluster_.client->prepend_reactor("update", "namespaces/status",
                                   [&](const testing::Action&) -> std::optional<testing::Reaction> {
                                     if (conflicts-- > 0) throw ApiError::stale("namespaces", "doomed");
                                     return std::nullopt;
                                   });
  EXPECT_EQ(sync("doomed"), 0);
  EXPECT_EQ(cluster_.client->count("get", "namespaces"), 2u);  // the first look, and a fresh copy
  EXPECT_EQ(finalizes().size(), 1u);
  EXPECT_EQ(cluster_.namespace_object("doomed"), nullptr);
}

TEST_F(ResourcesDeleterTest, GivesUpWhenTheNamespaceWasReplacedMeanwhile) {
  cluster_.add_namespace("doomed", 1s);
  cluster_.client->prepend_reactor("update", "namespaces/status",
                                   [&](const testing::Action&) -> std::optional<testing::Reaction> {
                                     // Deleted and created again under the same name.
                                     json::object ns = *cluster_.namespace_object("doomed");
                                     machinery::child(ns, "metadata")["uid"] = "uid-doomed-2";
                                     cluster_.client->add(machinery::kNamespaces, ns);
                                     throw ApiError::stale("namespaces", "doomed");
                                   });
  try {
    sync("doomed");
    ADD_FAILURE() << "expected the pass to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "namespace uid has changed across retries");
  }
  EXPECT_THAT(cluster_.collection_deletes(), IsEmpty());
  EXPECT_THAT(finalizes(), IsEmpty());
}

TEST_F(ResourcesDeleterTest, ANamespaceFinalizedByAnotherControllerMeanwhileIsFine) {
  cluster_.add_namespace("doomed", 1s);
  cluster_.client->prepend_reactor("update", "namespaces/finalize",
                                   testing::fail_with(ApiError::not_found("namespaces", "doomed")));
  EXPECT_EQ(sync("doomed"), 0);
}

TEST(DeletableResources, OneEntryPerResourceAtItsPreferredVersion) {
  auto resources = deletable_resources({
      served({"example.com", "v1beta1", "widgets"}, "Widget"),
      served({"example.com", "v1", "widgets"}, "Widget"),
      served({"example.com", "v2beta1", "widgets"}, "Widget"),
      served({"example.com", "v1alpha1", "gadgets"}, "Gadget"),
      served({"example.com", "v1beta2", "gadgets"}, "Gadget"),
      served({"example.com", "v1beta10", "gizmos"}, "Gizmo"),
      served({"example.com", "v1beta9", "gizmos"}, "Gizmo"),
      served({"example.com", "custom", "doodads"}, "Doodad"),
      served({"example.com", "v1alpha1", "doodads"}, "Doodad"),
      served({"", "v1", "configmaps"}, "ConfigMap", true, {"delete", "get"}),
      served({"", "v1", "nodes"}, "Node", false),
      served({"authorization.k8s.io", "v1", "localsubjectaccessreviews"}, "LocalSubjectAccessReview", true,
             {"create"}),
  });
  std::vector<std::string> seen;
  for (const auto& r : resources)
    seen.push_back(describe(r.gvr) + (r.list ? " list" : "") +
                   (r.delete_collection ? " deletecollection" : ""));
  EXPECT_THAT(seen, ElementsAre("/v1, Resource=configmaps",
                                "example.com/v1alpha1, Resource=doodads list deletecollection",
                                "example.com/v1beta2, Resource=gadgets list deletecollection",
                                "example.com/v1beta10, Resource=gizmos list deletecollection",
                                "example.com/v1, Resource=widgets list deletecollection"));
}

}  // namespace
}  // namespace ukube::controllers::namespace_::test
