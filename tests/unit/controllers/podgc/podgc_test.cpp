// The pod garbage collector against a FakeClient, with the clock set by the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "controllers/podgc/podgc_controller.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::podgc {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

template <class Condition>
bool gc_wait_until(Condition condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

json::object make_pod(const std::string& name, const std::string& phase, const std::string& node = "",
                      const std::string& created = "2024-05-01T10:00:00Z") {
  json::object pod{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       json::object{
           {"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}, {"creationTimestamp", created}}},
      {"spec", json::object{{"containers", json::array{json::object{{"name", "c"}, {"image", "x"}}}}}},
      {"status", json::object{{"phase", phase}}}};
  if (!node.empty()) pod["spec"].as_object()["nodeName"] = node;
  return pod;
}

// A pod kept by a finalizer after its deletion, so a test can see what was written to it.
json::object held(json::object pod) {
  pod["metadata"].as_object()["finalizers"] = json::array{"test/hold"};
  return pod;
}

json::object make_node(const std::string& name, bool ready, bool out_of_service = false) {
  json::object node{
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata", json::object{{"name", name}, {"uid", "uid-" + name}}},
      {"status",
       json::object{{"conditions",
                     json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
  if (out_of_service)
    node["spec"] = json::object{
        {"taints", json::array{json::object{
                       {"key", kOutOfServiceTaint}, {"value", "nodeshutdown"}, {"effect", "NoExecute"}}}}};
  return node;
}

class PodGCTest : public ::testing::Test {
 protected:
  ~PodGCTest() override {
    gc_.reset();
    informers_.shutdown();
  }

  PodGC& start(int64_t threshold = 12500) {
    PodGCOptions options;
    options.client = client_;
    options.pods = informers_.informer(machinery::kPods);
    options.nodes = informers_.informer(machinery::kNodes);
    options.terminated_pod_threshold = threshold;
    options.now = [this] { return now_; };
    EXPECT_TRUE(options.pods->wait_for_sync(5s));
    EXPECT_TRUE(options.nodes->wait_for_sync(5s));
    gc_ = std::make_unique<PodGC>(std::move(options));
    return *gc_;
  }

  // Waits until the caches hold what is stored, then runs one pass.
  void pass() {
    auto pods = informers_.informer(machinery::kPods);
    auto nodes = informers_.informer(machinery::kNodes);
    EXPECT_TRUE(gc_wait_until([&] {
      auto stored = client_->objects().list(machinery::kPods, "").items;
      if (pods->list().size() != stored.size()) return false;
      for (const auto& p : stored) {
        auto cached = pods->get(object_key(*p));
        if (!cached || machinery::meta_string(*cached, "resourceVersion") !=
                           machinery::meta_string(*p, "resourceVersion"))
          return false;
      }
      return nodes->list().size() == client_->objects().list(machinery::kNodes, "").items.size();
    }));
    gc_->gc();
  }

  std::vector<std::string> pod_names() {
    std::vector<std::string> out;
    for (const auto& p : client_->objects().list(machinery::kPods, "").items)
      out.push_back(machinery::name_of(*p));
    std::sort(out.begin(), out.end());
    return out;
  }
  ObjectPtr stored_pod(const std::string& name) {
    return client_->objects().get(machinery::kPods, "default", name);
  }
  std::vector<std::string> deleted() {
    std::vector<std::string> out;
    for (const auto& a : client_->actions("delete", "pods")) {
      EXPECT_EQ(a.delete_options.grace_period_seconds, 0) << a.name;
      out.push_back(a.name);
    }
    return out;
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  std::unique_ptr<PodGC> gc_;
  Clock::time_point now_ = *machinery::parse_time("2024-05-01T12:00:00Z");
};

TEST_F(PodGCTest, TerminatedPodsBeyondTheThresholdGoEvictedFirstThenOldest) {
  client_->add(machinery::kNodes, make_node("n1", true));
  client_->add(machinery::kPods, make_pod("old-done", "Succeeded", "n1", "2024-05-01T08:00:00Z"));
  client_->add(machinery::kPods, make_pod("mid-failed", "Failed", "n1", "2024-05-01T09:00:00Z"));
  client_->add(machinery::kPods, make_pod("new-done", "Succeeded", "n1", "2024-05-01T11:00:00Z"));
  json::object evicted = make_pod("evicted", "Failed", "n1", "2024-05-01T11:30:00Z");
  evicted["status"].as_object()["reason"] = "Evicted";
  client_->add(machinery::kPods, evicted);
  client_->add(machinery::kPods, make_pod("running", "Running", "n1", "2024-05-01T07:00:00Z"));
  client_->add(machinery::kPods, make_pod("pending", "Pending", "", "2024-05-01T07:00:00Z"));
  start(2);
  pass();
  EXPECT_EQ(deleted(), (std::vector<std::string>{"evicted", "old-done"}));
  EXPECT_EQ(pod_names(), (std::vector<std::string>{"mid-failed", "new-done", "pending", "running"}));
  // Terminal pods are not patched: they already say how they ended.
  EXPECT_EQ(client_->count("patch", "pods/status"), 0u);
  // At the threshold, nothing more goes.
  client_->clear_actions();
  pass();
  EXPECT_TRUE(deleted().empty());
}

TEST_F(PodGCTest, AThresholdOfZeroKeepsTerminatedPods) {
  client_->add(machinery::kNodes, make_node("n1", true));
  client_->add(machinery::kPods, make_pod("done", "Succeeded", "n1"));
  start(0);
  pass();
  EXPECT_TRUE(deleted().empty());
}

TEST_F(PodGCTest, PodsOfADeletedNodeGoAfterTheQuarantineMarkedFailedWithTheDisruptionTarget) {
  client_->add(machinery::kNodes, make_node("alive", true));
  client_->add(machinery::kPods, held(make_pod("orphan", "Running", "gone")));
  client_->add(machinery::kPods, make_pod("orphan-done", "Succeeded", "gone"));
  client_->add(machinery::kPods, make_pod("fine", "Running", "alive"));
  auto& gc = start();
  pass();
  // First seen missing: quarantined, nothing deleted, no GET yet.
  EXPECT_TRUE(deleted().empty());
  EXPECT_EQ(gc.quarantined(), std::set<std::string>{"gone"});
  EXPECT_EQ(client_->count("get", "nodes"), 0u);
  now_ += 39s;
  pass();
  EXPECT_TRUE(deleted().empty());
  now_ += 1s;
  pass();
  EXPECT_EQ(client_->count("get", "nodes"), 1u);
  auto gone = deleted();
  std::sort(gone.begin(), gone.end());
  EXPECT_EQ(gone, (std::vector<std::string>{"orphan", "orphan-done"}));
  // Only the pod that was not terminal yet was marked Failed, with the condition.
  auto patches = client_->actions("patch", "pods/status");
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(patches[0].name, "orphan");
  EXPECT_EQ(patches[0].patch_type, PatchType::StrategicMerge);
  auto pod = stored_pod("orphan");
  ASSERT_TRUE(pod);
  EXPECT_EQ(machinery::string_at(*pod, {"status", "phase"}), "Failed");
  const auto* conditions = machinery::array_at(*pod, {"status", "conditions"});
  ASSERT_TRUE(conditions && conditions->size() == 1);
  const auto& condition = conditions->at(0).as_object();
  EXPECT_EQ(machinery::string_at(condition, {"type"}), "DisruptionTarget");
  EXPECT_EQ(machinery::string_at(condition, {"status"}), "True");
  EXPECT_EQ(machinery::string_at(condition, {"reason"}), "DeletionByPodGC");
  EXPECT_EQ(machinery::string_at(condition, {"message"}), "PodGC: node no longer exists");
  EXPECT_EQ(machinery::string_at(condition, {"lastTransitionTime"}), "2024-05-01T12:00:40Z");
  EXPECT_TRUE(machinery::has_deletion_timestamp(*pod));
  EXPECT_NE(stored_pod("fine"), nullptr);
  EXPECT_TRUE(gc.quarantined().empty());
}

TEST_F(PodGCTest, ANodeTheCacheMissedButTheAPIHasKeepsItsPods) {
  // The API knows the node; the informer (over another client) does not, as a cache that
  // is behind would.
  auto empty = std::make_shared<testing::FakeClient>();
  SharedInformerFactory lagging{empty, 1};
  client_->add(machinery::kNodes, make_node("late", true));
  client_->add(machinery::kPods, make_pod("p", "Running", "late"));
  PodGCOptions options;
  options.client = client_;
  options.pods = informers_.informer(machinery::kPods);
  options.nodes = lagging.informer(machinery::kNodes);
  options.now = [this] { return now_; };
  ASSERT_TRUE(options.pods->wait_for_sync(5s));
  ASSERT_TRUE(options.nodes->wait_for_sync(5s));
  ASSERT_TRUE(gc_wait_until([&] { return options.pods->list().size() == 1; }));
  PodGC gc(options);
  gc.gc();
  now_ += 40s;
  gc.gc();
  EXPECT_EQ(client_->count("get", "nodes"), 1u);
  EXPECT_TRUE(deleted().empty());
  EXPECT_EQ(client_->count("patch", "pods/status"), 0u);
  // Still missing from the cache: quarantined again for the next look.
  gc.gc();
  EXPECT_EQ(gc.quarantined(), std::set<std::string>{"late"});
  lagging.shutdown();
}

TEST_F(PodGCTest, TerminatingPodsOnOutOfServiceNodesThatAreDownGo) {
  client_->add(machinery::kNodes, make_node("down-oos", false, true));
  client_->add(machinery::kNodes, make_node("up-oos", true, true));
  client_->add(machinery::kNodes, make_node("down", false));
  for (const char* node : {"down-oos", "up-oos", "down"}) {
    client_->add(machinery::kPods, held(make_pod(std::string("t-") + node, "Running", node)));
    client_->objects().remove(machinery::kPods, "default", std::string("t-") + node);
    client_->add(machinery::kPods, make_pod(std::string("r-") + node, "Running", node));
  }
  start();
  pass();
  EXPECT_EQ(deleted(), std::vector<std::string>{"t-down-oos"});
  auto patches = client_->actions("patch", "pods/status");
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(machinery::string_at(*stored_pod("t-down-oos"), {"status", "phase"}), "Failed");
  // No condition here: upstream adds it to orphans only.
  EXPECT_EQ(patches[0].patch.find("DisruptionTarget"), std::string::npos);
}

TEST_F(PodGCTest, TerminatingPodsNeverScheduledGo) {
  client_->add(machinery::kPods, held(make_pod("unscheduled", "Pending")));
  client_->objects().remove(machinery::kPods, "default", "unscheduled");
  client_->add(machinery::kPods, make_pod("waiting", "Pending"));
  start();
  pass();
  EXPECT_EQ(deleted(), std::vector<std::string>{"unscheduled"});
  EXPECT_EQ(machinery::string_at(*stored_pod("unscheduled"), {"status", "phase"}), "Failed");
  EXPECT_NE(stored_pod("waiting"), nullptr);
}

TEST(PodGCControllerLoop, PassesRepeatEveryPeriodOnceTheCachesHaveSynced) {
  auto client = std::make_shared<testing::FakeClient>();
  SharedInformerFactory factory{client, 1};
  client->add(machinery::kNodes, make_node("n1", true));
  client->add(machinery::kPods, make_pod("first", "Succeeded", "n1", "2024-05-01T08:00:00Z"));
  client->add(machinery::kPods, make_pod("second", "Succeeded", "n1", "2024-05-01T09:00:00Z"));
  controller::ControllerDeps deps;
  deps.client = client;
  deps.informers = &factory;
  PodGCOptions options;
  options.terminated_pod_threshold = 1;
  PodGCController controller(deps, options, 20ms);
  controller.start();
  // The first pass comes once the caches are full.
  EXPECT_TRUE(gc_wait_until([&] {
    auto items = client->objects().list(machinery::kPods, "").items;
    return items.size() == 1 && machinery::name_of(*items[0]) == "second";
  }));
  // A later one finds what became terminated since.
  client->add(machinery::kPods, make_pod("third", "Failed", "n1", "2024-05-01T10:00:00Z"));
  auto names = [&] {
    std::string out;
    for (const auto& p : client->objects().list(machinery::kPods, "").items)
      out += machinery::name_of(*p) + " ";
    return out;
  };
  EXPECT_TRUE(gc_wait_until([&] { return names() == "third "; })) << names();
  controller.stop();
  factory.shutdown();
}

TEST(PodGCOrder, TerminatedMeansNotPendingRunningOrUnknown) {
  auto pod = [](const char* phase) { return make_pod("p", phase); };
  EXPECT_TRUE(is_pod_terminated(pod("Succeeded")));
  EXPECT_TRUE(is_pod_terminated(pod("Failed")));
  EXPECT_FALSE(is_pod_terminated(pod("Pending")));
  EXPECT_FALSE(is_pod_terminated(pod("Running")));
  EXPECT_FALSE(is_pod_terminated(pod("Unknown")));
  std::vector<ObjectPtr> pods{
      std::make_shared<const json::object>(make_pod("b", "Failed", "", "2024-05-01T09:00:00Z")),
      std::make_shared<const json::object>(make_pod("a", "Failed", "", "2024-05-01T09:00:00Z")),
      std::make_shared<const json::object>(make_pod("c", "Failed", "", "2024-05-01T08:00:00Z"))};
  sort_for_deletion(pods);
  EXPECT_EQ(machinery::name_of(*pods[0]), "c");
  EXPECT_EQ(machinery::name_of(*pods[1]), "a");
  EXPECT_EQ(machinery::name_of(*pods[2]), "b");
}

}  // namespace
}  // namespace ukube::controllers::podgc
