// Quantities, pod parsing (requests, priority, images) and node accounting.
#include <gtest/gtest.h>

#include "model/node_accounting.h"
#include "tests/unit/scheduler/harness.h"

namespace ukube::scheduler::testing {
namespace {

TEST(ParsePod, RequestsAndNonZeroDefaults) {
  auto p = pod("p", R"({"containers":[{"name":"a","resources":{"requests":{"cpu":"500m"}}},)"
                    R"({"name":"b","resources":{"limits":{"memory":"1Gi"}}}]})");
  EXPECT_EQ(p->requests.milli_cpu, 500);
  EXPECT_EQ(p->requests.memory, 1073741824);  // limits stand in for missing requests
  EXPECT_EQ(p->non_zero.milli_cpu, 600);      // b asked for no cpu: 100m assumed
  EXPECT_EQ(p->non_zero.memory, 1073741824 + 200 * 1024 * 1024);
  EXPECT_TRUE(p->has_requests);
  EXPECT_FALSE(pod("empty")->has_requests);
}

TEST(ParsePod, PriorityFromSpecOrClass) {
  EXPECT_EQ(pod("p", R"({"priority":7})")->priority, 7);
  PriorityResolver r;
  r.by_name = [](const std::string& n) -> std::optional<int32_t> {
    if (n == "high") return 1000;
    return std::nullopt;
  };
  r.global_default = [] { return 3; };
  auto raw = [](const std::string& spec) {
    return std::make_shared<const json::object>(json::object{
        {"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u"}}}, {"spec", json::parse(spec)}});
  };
  EXPECT_EQ(parse_pod(raw(R"({"priorityClassName":"high"})"), &r)->priority, 1000);
  EXPECT_EQ(parse_pod(raw(R"({"priorityClassName":"unknown"})"), &r)->priority, 3);
  EXPECT_EQ(parse_pod(raw("{}"), &r)->priority, 3);
}

TEST(ParsePod, ImagesAreNormalized) {
  EXPECT_EQ(normalize_image("nginx"), "docker.io/library/nginx:latest");
  EXPECT_EQ(normalize_image("nginx:1.25"), "docker.io/library/nginx:1.25");
  EXPECT_EQ(normalize_image("me/app"), "docker.io/me/app:latest");
  EXPECT_EQ(normalize_image("registry.local:5000/app"), "registry.local:5000/app:latest");
  EXPECT_EQ(normalize_image("app@sha256:abc"), "app@sha256:abc");
}

TEST(NodeAccounting, AddAndRemoveArePrecise) {
  NodeInfo n;
  auto a = pod(
      "a",
      R"({"containers":[{"name":"c","ports":[{"containerPort":80,"hostPort":80}],"resources":{"requests":{"cpu":"1","example.com/gpu":"2"}}}]})");
  add_pod(n, a);
  add_pod(n, pod("b", requests("500m")));
  EXPECT_EQ(n.requested.milli_cpu, 1500);
  EXPECT_EQ(n.requested.scalar("example.com/gpu"), 2);
  EXPECT_EQ(n.requested.pods, 2);
  EXPECT_EQ(n.used_ports.size(), 1u);
  EXPECT_TRUE(remove_pod(n, a->uid));
  EXPECT_FALSE(remove_pod(n, a->uid));
  EXPECT_EQ(n.requested.milli_cpu, 500);
  EXPECT_EQ(n.requested.scalar("example.com/gpu"), 0);
  EXPECT_TRUE(n.used_ports.empty());
}

TEST(Cache, AssumeConfirmAndForget) {
  Cache c;
  c.add_node(node_object({"n1"}));
  auto p = pod("p", requests("1"));
  c.assume(p, "n1");
  EXPECT_EQ(c.find("n1")->requested.milli_cpu, 1000);
  EXPECT_TRUE(c.is_assumed(p->uid));
  c.add_pod(on(p, "n1"));  // the binding arrives: counted once
  EXPECT_FALSE(c.is_assumed(p->uid));
  EXPECT_EQ(c.find("n1")->requested.milli_cpu, 1000);
  c.forget(p->uid);  // too late to forget a confirmed pod
  EXPECT_EQ(c.find("n1")->pods.size(), 1u);

  auto q = pod("q", requests("1"));
  c.assume(q, "n1");
  c.forget(q->uid);
  EXPECT_EQ(c.find("n1")->requested.milli_cpu, 1000);
}

TEST(Cache, ANewStatusKeepsTheNodesGenerationAndParsedChangesAreLeftToAddPod) {
  Cache c;
  c.add_node(node_object({"n1"}));
  auto with_status = [](const PodInfoPtr& p, const std::string& phase, const std::string& owner_uid = "") {
    auto next = std::make_shared<PodInfo>(*p);
    json::object o = *p->object;
    o["status"] = json::object{{"phase", phase}};
    next->object = std::make_shared<const json::object>(std::move(o));
    if (!owner_uid.empty()) next->owner_uid = owner_uid;
    return PodInfoPtr(next);
  };
  auto bound = on(pod("p", requests("1")), "n1");
  c.add_pod(bound);
  const uint64_t generation = c.find("n1")->generation;

  auto running = with_status(bound, "Running");
  ASSERT_TRUE(c.refresh_bound_pod(running));
  EXPECT_EQ(c.find("n1")->generation, generation);
  EXPECT_EQ(c.find("n1")->pods.front(), running) << "the node holds the newest version";
  EXPECT_EQ(c.pod(bound->uid), running);
  EXPECT_EQ(c.find("n1")->requested.milli_cpu, 1000);

  EXPECT_FALSE(c.refresh_bound_pod(with_status(running, "Running", "another-owner")));
  EXPECT_FALSE(c.refresh_bound_pod(on(pod("p", requests("1")), "n2"))) << "bound elsewhere";
  EXPECT_FALSE(c.refresh_bound_pod(on(pod("stranger"), "n1")));
  auto assumed = pod("q");
  c.assume(assumed, "n1");
  EXPECT_FALSE(c.refresh_bound_pod(on(assumed, "n1"))) << "an assumed pod is confirmed by add_pod";
  EXPECT_EQ(c.pod(bound->uid), running);
}

TEST(Cache, NodesStayDenseAcrossDeletes) {
  Cache c;
  for (auto n : {"a", "b", "c"}) c.add_node(node_object({n}));
  c.remove_node("a");
  ASSERT_EQ(c.nodes().size(), 2u);
  for (size_t i = 0; i < c.nodes().size(); ++i) EXPECT_EQ(c.nodes()[i]->index, static_cast<int32_t>(i));
  EXPECT_EQ(c.find("a"), nullptr);
  // A pod bound to a node the cache has not seen yet is kept until the node arrives.
  c.add_pod(on(pod("early"), "d"));
  EXPECT_EQ(c.find("d"), nullptr);
  c.add_node(node_object({"d"}));
  EXPECT_EQ(c.find("d")->pods.size(), 1u);
}

}  // namespace
}  // namespace ukube::scheduler::testing
