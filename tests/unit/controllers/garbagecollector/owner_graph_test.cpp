#include "owner_graph.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ukube::controllers::gc {
namespace {

ObservedObject object(const std::string& uid, std::vector<OwnerLink> owners = {}) {
  ObservedObject o;
  o.id = {"v1", "ConfigMap", "ns1", "cm-" + uid, uid};
  o.owners = std::move(owners);
  return o;
}

OwnerLink owned_by(const std::string& uid, bool block = false) {
  return {uid, "apps/v1", "Deployment", "d-" + uid, block};
}

bool has(const std::vector<std::string>& list, const std::string& uid) {
  return std::find(list.begin(), list.end(), uid) != list.end();
}

TEST(OwnerGraph, AnUnknownOwnerIsVirtualAndLookedUp) {
  OwnerGraph graph;
  GraphWork work = graph.observe(object("child", {owned_by("owner")}));
  EXPECT_EQ(work.attempt_to_delete, std::vector<std::string>{"owner"});
  auto owner = graph.node("owner");
  ASSERT_TRUE(owner);
  EXPECT_FALSE(owner->observed);
  EXPECT_EQ(owner->id.kind, "Deployment");
  EXPECT_EQ(owner->id.ns, "ns1") << "a virtual owner is looked for in its dependent's namespace";
  EXPECT_EQ(owner->dependents, std::vector<std::string>{"child"});

  // Once reported, the same node is observed, and nothing is queued again.
  work = graph.observe(object("owner"));
  EXPECT_TRUE(work.attempt_to_delete.empty());
  EXPECT_TRUE(graph.node("owner")->observed);
  EXPECT_EQ(graph.node("owner")->dependents, std::vector<std::string>{"child"});
}

TEST(OwnerGraph, AKnownOwnerQueuesNothing) {
  OwnerGraph graph;
  graph.observe(object("owner"));
  GraphWork work = graph.observe(object("child", {owned_by("owner")}));
  EXPECT_TRUE(work.attempt_to_delete.empty());
  EXPECT_TRUE(work.attempt_to_orphan.empty());
}

TEST(OwnerGraph, ForgettingAnOwnerQueuesItsDependents) {
  OwnerGraph graph;
  graph.observe(object("owner"));
  graph.observe(object("a", {owned_by("owner")}));
  graph.observe(object("b", {owned_by("owner")}));
  GraphWork work = graph.forget("owner");
  EXPECT_TRUE(has(work.attempt_to_delete, "a"));
  EXPECT_TRUE(has(work.attempt_to_delete, "b"));
  EXPECT_FALSE(graph.node("owner"));
  EXPECT_TRUE(graph.forget("owner").attempt_to_delete.empty()) << "forgetting twice does nothing";
}

TEST(OwnerGraph, ForegroundDeletionQueuesDependentsAndTheOwnerOnce) {
  OwnerGraph graph;
  graph.observe(object("owner"));
  graph.observe(object("a", {owned_by("owner", true)}));
  graph.observe(object("b", {owned_by("owner", false)}));
  ObservedObject deleting = object("owner");
  deleting.being_deleted = deleting.deleting_dependents = true;
  GraphWork work = graph.observe(deleting);
  EXPECT_TRUE(has(work.attempt_to_delete, "a"));
  EXPECT_TRUE(has(work.attempt_to_delete, "b"));
  EXPECT_TRUE(has(work.attempt_to_delete, "owner"));
  EXPECT_TRUE(graph.observe(deleting).attempt_to_delete.empty()) << "only the transition queues";
  EXPECT_EQ(graph.blocking_dependents("owner"), std::vector<std::string>{"a"});

  // A blocking dependent that goes, or stops blocking, brings the owner back.
  EXPECT_TRUE(has(graph.forget("a").attempt_to_delete, "owner"));
  EXPECT_TRUE(graph.blocking_dependents("owner").empty());
  graph.observe(object("c", {owned_by("owner", true)}));
  EXPECT_TRUE(has(graph.observe(object("c", {owned_by("owner", false)})).attempt_to_delete, "owner"));
  EXPECT_TRUE(has(graph.observe(object("b")).attempt_to_delete, "owner")) << "a released dependent";
}

TEST(OwnerGraph, OrphaningIsQueuedOnTheTransition) {
  OwnerGraph graph;
  graph.observe(object("owner"));
  ObservedObject orphaning = object("owner");
  orphaning.being_deleted = orphaning.orphaning = true;
  EXPECT_EQ(graph.observe(orphaning).attempt_to_orphan, std::vector<std::string>{"owner"});
  EXPECT_TRUE(graph.observe(orphaning).attempt_to_orphan.empty());
}

TEST(OwnerGraph, ChangedReferencesMoveTheDependent) {
  OwnerGraph graph;
  graph.observe(object("one"));
  graph.observe(object("two"));
  graph.observe(object("child", {owned_by("one")}));
  graph.observe(object("child", {owned_by("two")}));
  EXPECT_TRUE(graph.node("one")->dependents.empty());
  EXPECT_EQ(graph.node("two")->dependents, std::vector<std::string>{"child"});
}

}  // namespace
}  // namespace ukube::controllers::gc
