// DefaultPreemption run by a real framework over a cache, with the API writes recorded
// instead of sent: what victims are told before they go, which nominations preemption
// takes away, where PodDisruptionBudgets come from, and waiting for its own victims.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>

#include "tests/unit/scheduler/harness.h"
#include "ukube/client.h"
#include "ukube/scheduler/object_lister.h"

namespace ukube::scheduler::testing {
namespace {

const GroupVersionResource kPdbs{"policy", "v1", "poddisruptionbudgets"};

// One write (or read) the plugin made: verb, resource[/subresource], ns/name and body.
struct Call {
  std::string verb;
  std::string resource;
  std::string key;
  json::object body;
};

class RecordingClient final : public Client {
 public:
  std::vector<Call> calls;
  std::function<void()> on_remove;  // may throw, to fail deletions

  ObjectPtr get(const GroupVersionResource& gvr, std::string_view, std::string_view, const GetOptions&,
                std::string_view) override {
    calls.push_back({"get", gvr.resource, "", {}});
    throw ApiError::internal("not served here");
  }
  ObjectList list(const GroupVersionResource& gvr, std::string_view ns, const ListOptions&) override {
    calls.push_back({"list", gvr.resource, std::string(ns), {}});
    return {};
  }
  std::unique_ptr<WatchStream> watch(const GroupVersionResource&, std::string_view,
                                     const ListOptions&) override {
    throw ApiError::internal("not served here");
  }
  ObjectPtr create(const GroupVersionResource& gvr, std::string_view ns, const json::object& object,
                   const WriteOptions&, std::string_view, std::string_view) override {
    calls.push_back({"create", gvr.resource, std::string(ns), object});
    return nullptr;
  }
  ObjectPtr update(const GroupVersionResource& gvr, std::string_view, const json::object&,
                   const WriteOptions&, std::string_view) override {
    calls.push_back({"update", gvr.resource, "", {}});
    return nullptr;
  }
  ObjectPtr patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name, PatchType,
                  std::string_view patch, const WriteOptions&, std::string_view subresource) override {
    calls.push_back({"patch", gvr.resource + "/" + std::string(subresource),
                     std::string(ns) + "/" + std::string(name), json::parse(patch).as_object()});
    return nullptr;
  }
  ObjectPtr remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const DeleteOptions& options) override {
    calls.push_back({"delete",
                     gvr.resource,
                     std::string(ns) + "/" + std::string(name),
                     {{"preconditionUid", options.precondition_uid}}});
    if (on_remove) on_remove();
    return nullptr;
  }

  size_t count(const std::string& verb) const {
    return std::count_if(calls.begin(), calls.end(), [&](const Call& c) { return c.verb == verb; });
  }
};

// PodDisruptionBudgets as an informer cache would answer for them.
class FakeLister final : public ObjectLister {
 public:
  std::vector<ObjectPtr> pdbs;
  std::vector<ObjectPtr> list(const GroupVersionResource& resource, std::string_view ns) const override {
    std::vector<ObjectPtr> out;
    if (resource.resource != kPdbs.resource) return out;
    for (const auto& p : pdbs)
      if (p->at("metadata").at("namespace").as_string() == ns) out.push_back(p);
    return out;
  }
  ObjectPtr get(const GroupVersionResource&, std::string_view, std::string_view) const override {
    return nullptr;
  }
};

ObjectPtr pdb(const std::string& ns, const std::string& app, int64_t allowed) {
  return obj(R"({"metadata":{"name":"guard","namespace":")" + ns +
             R"("},"spec":{"selector":{"matchLabels":{"app":")" + app +
             R"("}}},"status":{"disruptionsAllowed":)" + std::to_string(allowed) + "}}");
}

// A pod asking for `cpu` at `priority`.
PodInfoPtr prio(const std::string& name, int32_t priority, const std::string& cpu,
                const std::string& labels = "{}") {
  json::object spec = json::parse(requests(cpu)).as_object();
  spec["priority"] = priority;
  return pod(name, json::serialize(spec), labels);
}

// A framework with the default profile over a cache, its writes recorded and its
// "writer threads" run by hand.
class Rig {
 public:
  Rig() {
    register_in_tree(registry_);
    Framework::Services s;
    s.snapshot = &cache;
    s.client = &client;
    s.listers = &lister;
    s.nominated_pods = [this](const std::string& node) {
      std::vector<PodInfoPtr> out;
      for (const auto& [uid, n] : nominations)
        if (n.second == node) out.push_back(n.first);
      return out;
    };
    s.clear_nomination = [this](const std::string& uid) { nominations.erase(uid); };
    s.run_async = [this](std::function<void()> task) { tasks.push_back(std::move(task)); };
    fw_ = std::make_unique<Framework>(ProfileSpec{}, registry_, std::move(s));
  }

  // One failed cycle of `p` as the scheduler runs it: Filter on every node, then
  // PostFilter with the rejections. Returns PostFilter's status.
  Status preempt(const PodInfo& p, std::string* nominated = nullptr) {
    cache.refresh();
    CycleState state;
    PreFilterResult pre;
    EXPECT_TRUE(fw_->run_pre_filter(state, p, pre).ok());
    NodeStatuses statuses(cache.nodes().size());
    for (const NodeInfo* n : cache.nodes()) statuses[n->index] = fw_->run_filters(state, p, *n);
    PostFilterResult result;
    Status s = fw_->run_post_filter(state, p, statuses, result);
    if (nominated) *nominated = result.nominated_node;
    return s;
  }
  // What the writer threads would do.
  void run_writes() {
    auto pending = std::move(tasks);
    tasks.clear();
    for (auto& t : pending) t();
  }
  const Call* find(const std::string& verb, const std::string& key) const {
    for (const auto& c : client.calls)
      if (c.verb == verb && (c.key == key || (verb == "create" && c.body.contains("involvedObject") &&
                                              c.body.at("involvedObject").at("name").as_string() == key)))
        return &c;
    return nullptr;
  }

  Cache cache;
  RecordingClient client;
  FakeLister lister;
  std::map<std::string, std::pair<PodInfoPtr, std::string>> nominations;  // uid -> pod, node
  std::vector<std::function<void()>> tasks;

 private:
  Registry registry_;
  std::unique_ptr<Framework> fw_;
};

TEST(DefaultPreemption, VictimIsMarkedDisruptionTargetThenDeletedAndToldWhy) {
  Rig r;
  r.cache.add_node(node_object({"n1", "2"}));
  r.cache.add_pod(on(prio("low", 0, "2"), "n1"));
  std::string nominated;
  ASSERT_TRUE(r.preempt(*prio("high", 1000, "2"), &nominated).ok());
  EXPECT_EQ(nominated, "n1");
  EXPECT_TRUE(r.client.calls.empty()) << "writes belong to the writer threads";

  r.run_writes();
  ASSERT_EQ(r.client.calls.size(), 3u);
  const Call& condition = r.client.calls[0];
  EXPECT_EQ(condition.verb, "patch");
  EXPECT_EQ(condition.resource, "pods/status");
  EXPECT_EQ(condition.key, "default/low");
  const auto& conditions = condition.body.at("status").at("conditions").as_array();
  ASSERT_EQ(conditions.size(), 1u);
  const auto& c = conditions[0].as_object();
  EXPECT_EQ(c.at("type"), "DisruptionTarget");
  EXPECT_EQ(c.at("status"), "True");
  EXPECT_EQ(c.at("reason"), "PreemptionByScheduler");
  EXPECT_EQ(c.at("message"), "default-scheduler: preempting to accommodate a higher priority pod");

  EXPECT_EQ(r.client.calls[1].verb, "delete");
  EXPECT_EQ(r.client.calls[1].key, "default/low");
  EXPECT_EQ(r.client.calls[1].body.at("preconditionUid"), "default-low");

  const Call& event = r.client.calls[2];
  EXPECT_EQ(event.verb, "create");
  EXPECT_EQ(event.resource, "events");
  EXPECT_EQ(event.body.at("involvedObject").at("name"), "low");
  EXPECT_EQ(event.body.at("type"), "Normal");
  EXPECT_EQ(event.body.at("reason"), "Preempted");
  EXPECT_EQ(event.body.at("message"), "Preempted by pod default-high on node n1");
}

TEST(DefaultPreemption, VictimConditionsBesidesDisruptionTargetAreKept) {
  Rig r;
  r.cache.add_node(node_object({"n1", "2"}));
  auto low = std::make_shared<PodInfo>(*on(prio("low", 0, "2"), "n1"));
  json::object o = *low->object;
  o["status"] = json::parse(R"({"conditions":[{"type":"Ready","status":"True"}]})");
  low->object = std::make_shared<const json::object>(std::move(o));
  r.cache.add_pod(low);
  ASSERT_TRUE(r.preempt(*prio("high", 1000, "2")).ok());
  r.run_writes();
  const Call* patch = r.find("patch", "default/low");
  ASSERT_NE(patch, nullptr);
  const auto& conditions = patch->body.at("status").at("conditions").as_array();
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[0].at("type"), "Ready");
  EXPECT_EQ(conditions[1].at("type"), "DisruptionTarget");
}

TEST(DefaultPreemption, LowerPriorityPodsNominatedToTheNodeLoseTheirNomination) {
  Rig r;
  struct Case {
    std::string name;
    int32_t priority;
    std::string node;
    bool loses;
  };
  // The preemptor has priority 100 and takes n1 (n2 holds a pod it may not evict).
  const std::vector<Case> cases = {
      {"lower", 10, "n1", true},
      {"equal", 100, "n1", false},
      {"higher", 500, "n1", false},
      {"lower-elsewhere", 10, "n2", false},
  };
  // n1 has room for the preemptor beside the equal and higher nominated pods (1 cpu each).
  r.cache.add_node(node_object({"n1", "4"}));
  r.cache.add_node(node_object({"n2", "2"}));
  r.cache.add_pod(on(prio("low", 0, "4"), "n1"));
  r.cache.add_pod(on(prio("important", 1000, "2"), "n2"));
  for (const auto& c : cases) r.nominations["default-" + c.name] = {prio(c.name, c.priority, "1"), c.node};

  std::string nominated;
  ASSERT_TRUE(r.preempt(*prio("preemptor", 100, "2"), &nominated).ok());
  EXPECT_EQ(nominated, "n1");
  r.run_writes();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(r.nominations.count("default-" + c.name), c.loses ? 0u : 1u);
    const Call* patch = r.find("patch", "default/" + c.name);
    ASSERT_EQ(patch != nullptr, c.loses);
    if (patch) {
      EXPECT_EQ(patch->resource, "pods/status");
      EXPECT_EQ(json::serialize(patch->body), R"({"status":{"nominatedNodeName":null}})");
    }
  }
}

TEST(DefaultPreemption, RoomClaimedByAnEqualNominatedPodIsNotTakenTwice) {
  Rig r;
  // n1's victim matters least, so it is every preemptor's first choice.
  r.cache.add_node(node_object({"n1", "2"}));
  r.cache.add_pod(on(prio("least", 0, "2"), "n1"));
  r.cache.add_node(node_object({"n2", "2"}));
  r.cache.add_pod(on(prio("less", 50, "2"), "n2"));
  auto first = prio("first", 100, "2");
  std::string taken;
  ASSERT_TRUE(r.preempt(*first, &taken).ok());
  ASSERT_EQ(taken, "n1");
  r.nominations[first->uid] = {first, taken};
  // The first preemptor's victim is still there (its deletion has not been seen), but
  // the room it leaves is the first's: the second preemptor goes elsewhere.
  std::string second;
  ASSERT_TRUE(r.preempt(*prio("second", 100, "2"), &second).ok());
  EXPECT_EQ(second, "n2");
}

TEST(DefaultPreemption, BudgetsComeFromTheInformerCacheNeverFromTheServer) {
  struct Case {
    std::string name;
    std::vector<ObjectPtr> pdbs;
    std::string victim;
  };
  // "guarded" (priority 5) is the cheaper victim unless a budget forbids evicting it.
  const std::vector<Case> cases = {
      {"no budget", {}, "guarded"},
      {"budget allows none", {pdb("default", "guarded", 0)}, "free"},
      {"budget allows one", {pdb("default", "guarded", 1)}, "guarded"},
      {"budget in another namespace", {pdb("other", "guarded", 0)}, "guarded"},
      {"budget selects other pods", {pdb("default", "else", 0)}, "guarded"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Rig r;
    r.lister.pdbs = c.pdbs;
    r.cache.add_node(node_object({"n1", "2"}));
    r.cache.add_node(node_object({"n2", "2"}));
    r.cache.add_pod(on(prio("guarded", 5, "2", R"({"app":"guarded"})"), "n1"));
    r.cache.add_pod(on(prio("free", 10, "2", R"({"app":"free"})"), "n2"));
    ASSERT_TRUE(r.preempt(*prio("high-" + c.name, 1000, "2")).ok());
    r.run_writes();
    EXPECT_NE(r.find("delete", "default/" + c.victim), nullptr);
    EXPECT_EQ(r.client.count("delete"), 1u);
    EXPECT_EQ(r.client.count("list"), 0u);
  }
}

TEST(DefaultPreemption, WaitsForItsVictimsInsteadOfEvictingMore) {
  Rig r;
  r.cache.add_node(node_object({"n1", "2"}));
  r.cache.add_node(node_object({"n2", "2"}));
  r.cache.add_pod(on(prio("a", 0, "2"), "n1"));
  r.cache.add_pod(on(prio("b", 0, "2"), "n2"));
  auto high = prio("high", 1000, "2");
  ASSERT_TRUE(r.preempt(*high).ok());
  ASSERT_EQ(r.tasks.size(), 1u);

  // Retried before the evictions are written or seen: nothing more is evicted.
  Status again = r.preempt(*high);
  EXPECT_EQ(again.message(), "preemption: not eligible while victims on the nominated node terminate.");
  EXPECT_EQ(r.tasks.size(), 1u);
  r.run_writes();
  again = r.preempt(*high);
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(r.client.count("delete"), 1u);

  // The victim's deletion reaches the cache: the preemptor is free to go on.
  const std::string victim = r.find("delete", "default/a") ? "default-a" : "default-b";
  r.cache.remove_pod(victim);
  EXPECT_NE(r.preempt(*high).message(),
            "preemption: not eligible while victims on the nominated node terminate.");
}

TEST(DefaultPreemption, AFailedEvictionDoesNotHoldThePreemptorBack) {
  Rig r;
  r.cache.add_node(node_object({"n1", "2"}));
  r.cache.add_pod(on(prio("low", 0, "2"), "n1"));
  r.client.on_remove = [] { throw ApiError::internal("store unavailable"); };
  auto high = prio("high", 1000, "2");
  ASSERT_TRUE(r.preempt(*high).ok());
  r.run_writes();
  EXPECT_EQ(r.find("create", "low"), nullptr) << "no Preempted event for a pod that stays";

  // The victim is still there, so the next attempt evicts it again.
  r.client.on_remove = nullptr;
  ASSERT_TRUE(r.preempt(*high).ok());
  r.run_writes();
  EXPECT_EQ(r.client.count("delete"), 2u);
}

}  // namespace
}  // namespace ukube::scheduler::testing
