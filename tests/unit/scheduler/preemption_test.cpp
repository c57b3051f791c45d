// DefaultPreemption run by a real framework over a cache, with the API writes recorded
// instead of sent: what victims are told before they go, which nominations preemption
// takes away, where PodDisruptionBudgets come from, and waiting for its own victims.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>

#include "tests/unit/scheduler/harness.h"
#include "ukube/client.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/testing/fake_client.h"
#include "ukube/testing/fake_object_lister.h"

namespace ukube::scheduler::testing {
namespace {

using ukube::testing::Action;
using ukube::testing::FakeClient;
using ukube::testing::FakeObjectLister;

const GroupVersionResource kPdbs{"policy", "v1", "poddisruptionbudgets"};

// The patch document an action sent, and the namespace/name it addressed.
json::object patch_body(const Action& a) {
  return json::parse(a.patch).as_object();
}
std::string key_of(const Action& a) {
  return a.ns + "/" + a.name;
}

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

// Events as the scheduler reports them.
controller::RecorderSettings recorder_settings() {
  controller::RecorderSettings settings;
  settings.source.component = "default-scheduler";
  return settings;
}

// A framework with the default profile over a cache, its writes recorded (and not
// applied: the pods live in the cache only) and its "writer threads" run by hand.
class Rig {
 public:
  Rig() {
    record_writes_only();
    register_in_tree(registry_);
    Framework::Services s;
    s.snapshot = &cache;
    s.client = &client;
    s.listers = &lister;
    s.events = &events;
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
    events.flush();  // the recorder writes events from its own thread
  }
  // The first `verb` action on ns/name `key` (for create: of an event about pod `key`).
  std::optional<Action> find(const std::string& verb, const std::string& key) const {
    for (const auto& a : client.actions(verb)) {
      if (key_of(a) == key) return a;
      if (verb == "create" && a.object && a.object->contains("involvedObject") &&
          a.object->at("involvedObject").at("name").as_string() == key)
        return a;
    }
    return std::nullopt;
  }
  // Writes are answered without being applied, as the cache holds the pods.
  void record_writes_only() {
    client.clear_reactors();
    for (const char* verb : {"create", "update", "patch", "delete"})
      client.prepend_reactor(verb, "*", ukube::testing::answer_with(nullptr));
  }

  Cache cache;
  FakeClient client;
  // Events go through the scheduler's recorder to `client` (not owned: the alias owns nothing).
  controller::EventRecorder events{std::shared_ptr<Client>(std::shared_ptr<Client>{}, &client),
                                   recorder_settings()};
  FakeObjectLister lister;
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
  EXPECT_TRUE(r.client.actions().empty()) << "writes belong to the writer threads";

  r.run_writes();
  const auto actions = r.client.actions();
  ASSERT_EQ(actions.size(), 3u);
  const Action& condition = actions[0];
  EXPECT_EQ(condition.verb, "patch");
  EXPECT_EQ(condition.resource_path(), "pods/status");
  EXPECT_EQ(key_of(condition), "default/low");
  const json::object body = patch_body(condition);
  const auto& conditions = body.at("status").at("conditions").as_array();
  ASSERT_EQ(conditions.size(), 1u);
  const auto& c = conditions[0].as_object();
  EXPECT_EQ(c.at("type"), "DisruptionTarget");
  EXPECT_EQ(c.at("status"), "True");
  EXPECT_EQ(c.at("reason"), "PreemptionByScheduler");
  EXPECT_EQ(c.at("message"), "default-scheduler: preempting to accommodate a higher priority pod");

  EXPECT_EQ(actions[1].verb, "delete");
  EXPECT_EQ(key_of(actions[1]), "default/low");
  EXPECT_EQ(actions[1].delete_options.precondition_uid, "default-low");

  const Action& event = actions[2];
  EXPECT_EQ(event.verb, "create");
  EXPECT_EQ(event.resource_path(), "events");
  ASSERT_TRUE(event.object);
  EXPECT_EQ(event.object->at("involvedObject").at("name"), "low");
  EXPECT_EQ(event.object->at("type"), "Normal");
  EXPECT_EQ(event.object->at("reason"), "Preempted");
  EXPECT_EQ(event.object->at("message"), "Preempted by pod default-high on node n1");
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
  auto patch = r.find("patch", "default/low");
  ASSERT_TRUE(patch);
  const json::object body = patch_body(*patch);
  const auto& conditions = body.at("status").at("conditions").as_array();
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
    auto patch = r.find("patch", "default/" + c.name);
    ASSERT_EQ(patch.has_value(), c.loses);
    if (patch) {
      EXPECT_EQ(patch->resource_path(), "pods/status");
      EXPECT_EQ(patch->patch, R"({"status":{"nominatedNodeName":null}})");
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
    for (const auto& budget : c.pdbs) r.lister.add(kPdbs, budget);
    r.cache.add_node(node_object({"n1", "2"}));
    r.cache.add_node(node_object({"n2", "2"}));
    r.cache.add_pod(on(prio("guarded", 5, "2", R"({"app":"guarded"})"), "n1"));
    r.cache.add_pod(on(prio("free", 10, "2", R"({"app":"free"})"), "n2"));
    ASSERT_TRUE(r.preempt(*prio("high-" + c.name, 1000, "2")).ok());
    r.run_writes();
    EXPECT_TRUE(r.find("delete", "default/" + c.victim));
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

TEST(DefaultPreemption, ANodeIsLookedAtAgainOnceItsPodsChange) {
  Rig r;
  r.cache.add_node(node_object({"n1", "2"}));
  r.cache.add_pod(on(prio("peer", 100, "2"), "n1"));
  auto preemptor = prio("preemptor", 100, "2");
  // Nothing on n1 is less important than the preemptor.
  Status refused = r.preempt(*preemptor);
  EXPECT_EQ(refused.message(),
            "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
  EXPECT_EQ(r.preempt(*preemptor).message(), refused.message()) << "asked again, nothing changed";

  // The same node now holds a lower-priority pod instead: it is a candidate again.
  r.cache.remove_pod("default-peer");
  r.cache.add_pod(on(prio("low", 0, "2"), "n1"));
  std::string nominated;
  ASSERT_TRUE(r.preempt(*preemptor, &nominated).ok());
  EXPECT_EQ(nominated, "n1");
  r.run_writes();
  EXPECT_TRUE(r.find("delete", "default/low"));
}

TEST(DefaultPreemption, AFailedEvictionDoesNotHoldThePreemptorBack) {
  Rig r;
  r.cache.add_node(node_object({"n1", "2"}));
  r.cache.add_pod(on(prio("low", 0, "2"), "n1"));
  r.client.prepend_reactor("delete", "pods",
                           ukube::testing::fail_with(ApiError::internal("store unavailable")));
  auto high = prio("high", 1000, "2");
  ASSERT_TRUE(r.preempt(*high).ok());
  r.run_writes();
  EXPECT_FALSE(r.find("create", "low")) << "no Preempted event for a pod that stays";

  // The victim is still there, so the next attempt evicts it again.
  r.record_writes_only();
  ASSERT_TRUE(r.preempt(*high).ok());
  r.run_writes();
  EXPECT_EQ(r.client.count("delete"), 2u);
}

}  // namespace
}  // namespace ukube::scheduler::testing
