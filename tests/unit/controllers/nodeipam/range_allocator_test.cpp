// The range allocator end to end against a FakeClient: the shared informer feeds it, it
// writes nodes and events through the client, and reactors inject conflicts and refusals.
#include "range_allocator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "controllers/nodeipam/config.pb.h"
#include "nodeipam_plugin.h"
#include "tests/support/controller_context.h"
#include "tests/support/eventually.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::nodeipam {
namespace {

namespace json = boost::json;
using machinery::kEvents;
using machinery::kNodes;
using machinery::string_at;
using ukube::testing::eventually;

json::object make_node(const std::string& name, const std::string& pod_cidr = "") {
  json::object node{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
  if (!pod_cidr.empty())
    node["spec"] = {{"podCIDR", pod_cidr}, {"podCIDRs", json::array{json::value(pod_cidr)}}};
  return node;
}

class RangeAllocatorTest : public ::testing::Test {
 protected:
  ~RangeAllocatorTest() override {
    allocator_.reset();
    events_.reset();
    informers_.shutdown();
  }

  RangeAllocator& start(const std::string& cluster_cidr = "10.42.0.0/16",
                        const std::string& service_cidr = "") {
    NodeIpamConfig config;
    config.set_cluster_cidr(cluster_cidr);
    if (!service_cidr.empty()) config.set_service_cidr(service_cidr);
    controller::ControllerDeps deps;
    deps.client = client_;
    deps.informers = &informers_;
    deps.events = events_.get();
    allocator_ = std::make_unique<RangeAllocator>(deps, defaults(config));
    allocator_->start();
    return *allocator_;
  }
  void restart(const std::string& cluster_cidr = "10.42.0.0/16") {
    allocator_.reset();
    start(cluster_cidr);
  }

  void create(const std::string& name, const std::string& pod_cidr = "") {
    client_->objects().create(kNodes, "", make_node(name, pod_cidr));
  }
  void remove(const std::string& name) { client_->objects().remove(kNodes, "", name); }
  ObjectPtr stored(const std::string& name) { return client_->objects().get(kNodes, "", name); }
  std::string pod_cidr(const std::string& name) { return string_at(*stored(name), {"spec", "podCIDR"}); }
  std::string pod_cidrs(const std::string& name) {
    const auto* cidrs = machinery::array_at(*stored(name), {"spec", "podCIDRs"});
    return cidrs ? json::serialize(*cidrs) : "";
  }
  // Waits for the node's podCIDR to read `want`; returns what it reads.
  std::string gets(const std::string& name, const std::string& want) {
    eventually([&] { return pod_cidr(name) == want; });
    return pod_cidr(name);
  }
  bool settled() {
    return eventually([&] { return allocator_->idle(); });
  }
  // The events with `reason`, once every event queued has been written.
  std::vector<json::object> events(const std::string& reason) {
    events_->flush();
    std::vector<json::object> out;
    for (const auto& e : client_->objects().list(kEvents, "").items)
      if (string_at(*e, {"reason"}) == reason) out.push_back(*e);
    return out;
  }
  size_t updates_of(const std::string& name) {
    size_t n = 0;
    for (const auto& a : client_->actions("update", "nodes")) n += a.name == name;
    return n;
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  std::unique_ptr<controller::EventRecorder> events_ = [this] {
    controller::RecorderSettings settings;
    settings.source.component = "node-controller";
    return std::make_unique<controller::EventRecorder>(client_, settings);
  }();
  std::unique_ptr<RangeAllocator> allocator_;
};

TEST_F(RangeAllocatorTest, EachNewNodeGetsTheNextFreeBlock) {
  start();
  create("n1");
  const std::string uid = machinery::uid_of(*stored("n1"));
  EXPECT_EQ(gets("n1", "10.42.0.0/24"), "10.42.0.0/24");
  EXPECT_EQ(pod_cidrs("n1"), R"(["10.42.0.0/24"])");
  create("n2");
  EXPECT_EQ(gets("n2", "10.42.1.0/24"), "10.42.1.0/24");
  create("n3");
  EXPECT_EQ(gets("n3", "10.42.2.0/24"), "10.42.2.0/24");
  ASSERT_TRUE(settled());
  EXPECT_EQ(allocator_->allocated(), 3u);
  EXPECT_EQ(client_->count("update", "nodes"), 3u) << "one write per node";
  EXPECT_EQ(machinery::uid_of(*stored("n1")), uid) << "the node itself, updated";
}

TEST_F(RangeAllocatorTest, BlocksInUseAreRebuiltFromTheNodeListAtEveryStart) {
  create("a", "10.42.0.0/24");
  json::object legacy = make_node("b");
  legacy["spec"] = {{"podCIDR", "10.42.2.0/24"}};  // written before podCIDRs existed
  client_->objects().create(kNodes, "", legacy);
  create("c");
  start();
  EXPECT_EQ(gets("c", "10.42.1.0/24"), "10.42.1.0/24");
  create("d");
  EXPECT_EQ(gets("d", "10.42.3.0/24"), "10.42.3.0/24");
  ASSERT_TRUE(settled());
  EXPECT_EQ(updates_of("a") + updates_of("b"), 0u) << "nodes with pod CIDRs are left as they are";
  EXPECT_EQ(pod_cidr("b"), "10.42.2.0/24");
  EXPECT_EQ(allocator_->allocated(), 4u);

  // A new allocator knows only what the nodes say: nothing of the first one's state.
  restart();
  create("e");
  EXPECT_EQ(gets("e", "10.42.4.0/24"), "10.42.4.0/24");
  ASSERT_TRUE(settled());
  EXPECT_EQ(allocator_->allocated(), 5u);
}

TEST_F(RangeAllocatorTest, AFullRangeWaitsForADeletedNodesBlock) {
  start("10.42.0.0/22");  // room for 4 nodes of /24
  std::set<std::string> given;
  for (const char* name : {"n1", "n2", "n3", "n4"}) {
    create(name);
    eventually([&] { return !pod_cidr(name).empty(); });
    given.insert(pod_cidr(name));
  }
  EXPECT_EQ(given, (std::set<std::string>{"10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24", "10.42.3.0/24"}));

  create("n5");
  ASSERT_TRUE(eventually([&] { return !events(kCidrNotAvailable).empty(); }));
  const json::object event = events(kCidrNotAvailable).front();
  EXPECT_EQ(event.at("type"), "Warning");
  EXPECT_EQ(event.at("message"), "Node n5 status is now: CIDRNotAvailable");
  EXPECT_EQ(event.at("source").at("component"), "cidrAllocator");
  EXPECT_EQ(event.at("involvedObject").at("kind"), "Node");
  EXPECT_EQ(event.at("involvedObject").at("name"), "n5");
  EXPECT_EQ(string_at(event, {"involvedObject", "uid"}), machinery::uid_of(*stored("n5")));
  EXPECT_EQ(pod_cidr("n5"), "");
  EXPECT_EQ(allocator_->allocated(), 4u);

  // n2's block is free once n2 is gone, and the waiting node gets it.
  const std::string freed = pod_cidr("n2");
  remove("n2");
  EXPECT_EQ(gets("n5", freed), freed);
  EXPECT_EQ(pod_cidrs("n5"), "[\"" + freed + "\"]");
  ASSERT_TRUE(settled());
  EXPECT_EQ(allocator_->allocated(), 4u);
}

TEST_F(RangeAllocatorTest, APodCidrOutsideTheClusterCidrIsLeftAloneWithAWarning) {
  create("stray", "10.99.0.0/24");
  start();
  create("n1");
  EXPECT_EQ(gets("n1", "10.42.0.0/24"), "10.42.0.0/24");
  ASSERT_TRUE(eventually([&] { return !events(kCidrOutOfRange).empty(); }));
  const json::object event = events(kCidrOutOfRange).front();
  EXPECT_EQ(event.at("type"), "Warning");
  EXPECT_EQ(event.at("involvedObject").at("name"), "stray");
  EXPECT_EQ(
      event.at("message"),
      "failed to mark cidr[10.99.0.0/24] at idx [0] as occupied for node: stray: cidr 10.99.0.0/24 is out "
      "the range of cluster cidr 10.42.0.0/16");
  ASSERT_TRUE(settled());
  EXPECT_EQ(updates_of("stray"), 0u);
  EXPECT_EQ(pod_cidr("stray"), "10.99.0.0/24");
  EXPECT_EQ(allocator_->allocated(), 1u);
  // Told once, not at every change of the node.
  json::object labelled = *stored("stray");
  labelled["metadata"].as_object()["labels"] = {{"seen", "again"}};
  client_->objects().update(kNodes, "", labelled);
  ASSERT_TRUE(settled());
  EXPECT_EQ(events(kCidrOutOfRange).size(), 1u);
}

TEST_F(RangeAllocatorTest, AConflictingUpdateIsRetriedOnTheNodeAsItIsNow) {
  std::atomic<int> calls = 0;
  client_->prepend_reactor("update", "nodes",
                           [&](const testing::Action&) -> std::optional<testing::Reaction> {
                             if (calls++ == 0)
                               throw ApiError::stale("nodes", "n1");  // a kubelet's write got there first
                             return std::nullopt;
                           });
  start();
  create("n1");
  EXPECT_EQ(gets("n1", "10.42.0.0/24"), "10.42.0.0/24");
  ASSERT_TRUE(settled());
  EXPECT_EQ(updates_of("n1"), 2u);
  EXPECT_GE(client_->count("get", "nodes"), 1u) << "read again after the conflict";
  EXPECT_EQ(allocator_->allocated(), 1u);
  EXPECT_TRUE(events(kCidrAssignmentFailed).empty());
}

TEST_F(RangeAllocatorTest, PodCidrsSetMeanwhileByAnotherWriterStandAndTheReservedOnesGoBack) {
  client_->prepend_reactor(
      "update", "nodes", [&](const testing::Action& a) -> std::optional<testing::Reaction> {
        json::object node = *client_->objects().get(kNodes, "", a.name);
        if (!string_at(node, {"spec", "podCIDR"}).empty()) return std::nullopt;
        node["spec"] = {{"podCIDR", "10.42.7.0/24"}, {"podCIDRs", json::array{"10.42.7.0/24"}}};
        client_->objects().update(kNodes, "", node);
        throw ApiError::stale("nodes", a.name);
      });
  start();
  create("n1");
  EXPECT_EQ(gets("n1", "10.42.7.0/24"), "10.42.7.0/24");
  ASSERT_TRUE(settled());
  EXPECT_EQ(updates_of("n1"), 1u);
  EXPECT_EQ(allocator_->allocated(), 1u) << "10.42.7.0/24 is used, the reserved 10.42.0.0/24 is free again";
}

TEST_F(RangeAllocatorTest, ARefusedWriteFreesTheBlockAndIsTriedAgain) {
  client_->prepend_reactor("update", "nodes", testing::fail_with(ApiError::forbidden("not today")));
  start();
  create("n1");
  ASSERT_TRUE(eventually([&] { return !events(kCidrAssignmentFailed).empty(); }));
  const json::object event = events(kCidrAssignmentFailed).front();
  EXPECT_EQ(event.at("type"), "Warning");
  EXPECT_EQ(event.at("message"), "Node n1 status is now: CIDRAssignmentFailed");
  // Refused by the server: not written, so not kept (each retry reserves one again briefly).
  EXPECT_TRUE(eventually([&] { return allocator_->allocated() == 0; }));
  client_->clear_reactors();
  EXPECT_TRUE(eventually([&] { return !pod_cidr("n1").empty(); }));
  ASSERT_TRUE(settled());
  EXPECT_EQ(allocator_->allocated(), 1u);
}

TEST_F(RangeAllocatorTest, AWriteOfUnknownOutcomeKeepsItsBlockReserved) {
  std::atomic<int> calls = 0;
  client_->prepend_reactor("update", "nodes",
                           [&](const testing::Action&) -> std::optional<testing::Reaction> {
                             if (calls++ == 0) throw ApiError::internal("etcdserver: request timed out");
                             return std::nullopt;
                           });
  start();
  create("n1");
  // The first write may have gone through: its block is never given to anyone else.
  EXPECT_EQ(gets("n1", "10.42.1.0/24"), "10.42.1.0/24");
  ASSERT_TRUE(settled());
  EXPECT_EQ(allocator_->allocated(), 2u);
  EXPECT_EQ(events(kCidrAssignmentFailed).size(), 1u);
}

TEST_F(RangeAllocatorTest, NodesCreatedAtOnceNeverShareABlock) {
  start();
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 25; ++i) create("n" + std::to_string(w) + "-" + std::to_string(i));
    });
  for (auto& t : writers) t.join();
  std::set<std::string> cidrs;
  EXPECT_TRUE(eventually([&] {
    cidrs.clear();
    for (const auto& node : client_->objects().list(kNodes, "").items)
      if (auto c = string_at(*node, {"spec", "podCIDR"}); !c.empty()) cidrs.insert(c);
    return cidrs.size() == 100;
  })) << cidrs.size()
      << " distinct pod CIDRs";
  ASSERT_TRUE(settled());
  EXPECT_EQ(allocator_->allocated(), 100u);
  EXPECT_EQ(client_->count("update", "nodes"), 100u);
}

TEST_F(RangeAllocatorTest, DualStackNodesGetOneBlockOfEachFamily) {
  start("10.42.0.0/16,fd00:42::/56");
  create("n1");
  create("n2");
  gets("n1", "10.42.0.0/24");
  EXPECT_EQ(pod_cidrs("n1"), R"(["10.42.0.0/24","fd00:42::/64"])");
  gets("n2", "10.42.1.0/24");
  EXPECT_EQ(pod_cidrs("n2"), R"(["10.42.1.0/24","fd00:42:0:1::/64"])");
  ASSERT_TRUE(settled());
  EXPECT_EQ(allocator_->allocated(1), 2u);
}

TEST_F(RangeAllocatorTest, BlocksInTheServiceRangeAreNeverGivenOut) {
  start("10.0.0.0/22", "10.0.1.0/24");
  create("n1");
  EXPECT_EQ(gets("n1", "10.0.0.0/24"), "10.0.0.0/24");
  create("n2");
  EXPECT_EQ(gets("n2", "10.0.2.0/24"), "10.0.2.0/24");
}

TEST_F(RangeAllocatorTest, ANodeBeingDeletedKeepsItsBlockUntilItIsGone) {
  start("10.42.0.0/23");
  json::object held = make_node("old");
  held["metadata"].as_object()["finalizers"] = json::array{"test/hold"};
  client_->objects().create(kNodes, "", held);
  EXPECT_EQ(gets("old", "10.42.0.0/24"), "10.42.0.0/24");
  create("n1");
  EXPECT_EQ(gets("n1", "10.42.1.0/24"), "10.42.1.0/24");
  client_->objects().remove(kNodes, "", "old");  // held by its finalizer: deletionTimestamp only
  create("n2");
  ASSERT_TRUE(eventually([&] { return !events(kCidrNotAvailable).empty(); }));
  EXPECT_EQ(pod_cidr("n2"), "");
  json::object released = *stored("old");
  released["metadata"].as_object().erase("finalizers");
  client_->objects().update(kNodes, "", released);
  EXPECT_EQ(gets("n2", "10.42.0.0/24"), "10.42.0.0/24");
}

TEST(NodeIpamPlugin, ActsAsTheNodeControllerAndRefusesABadConfig) {
  NodeIpamConfig config;
  testing::ControllerContext context(&config);
  auto& [client, informers, ctx, users] = context;
  client->add(kNodes, make_node("n1"));
  {
    NodeIpamPlugin plugin;
    plugin.init(ctx);
    EXPECT_THAT(users, ::testing::Contains("system:serviceaccount:kube-system:node-controller"));
    EXPECT_FALSE(plugin.settings().leader_elect);
    plugin.start();
    ASSERT_NE(dynamic_cast<RangeAllocator*>(plugin.running()), nullptr);
    EXPECT_TRUE(eventually([&] {
      return string_at(*client->objects().get(kNodes, "", "n1"), {"spec", "podCIDR"}) == "10.42.0.0/24";
    }));
    plugin.stop();
  }
  config.set_cluster_cidr("10.42.0.0/16,10.52.0.0/16");
  NodeIpamPlugin refused;
  EXPECT_THROW(refused.init(ctx), std::invalid_argument);
}

}  // namespace
}  // namespace ukube::controllers::nodeipam
