#include "apiserver/metrics_api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "apiserver/discovery.h"
#include "apiserver/route.h"
#include "apiserver/url.h"
#include "tests/support/test_kernel.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

const std::string kNow = "2026-01-01T00:02:00Z";

json::object summary() {
  return json::parse(R"({"node": {"nodeName": "n1", "startTime": "2026-01-01T00:00:00Z",
      "cpu": {"time": "2026-01-01T00:01:00Z", "usageNanoCores": 1500000000, "usageCoreNanoSeconds": 9},
      "memory": {"time": "2026-01-01T00:01:00Z", "workingSetBytes": 1073741824}},
    "pods": [
      {"podRef": {"name": "web", "namespace": "ns", "uid": "u1"},
       "containers": [
         {"name": "app", "cpu": {"time": "2026-01-01T00:01:00Z", "usageNanoCores": 250000000},
          "memory": {"time": "2026-01-01T00:01:00Z", "workingSetBytes": 104857600}},
         {"name": "side", "cpu": {"time": "2026-01-01T00:01:00Z", "usageNanoCores": 123},
          "memory": {"time": "2026-01-01T00:01:00Z", "workingSetBytes": 1000}}]},
      {"podRef": {"name": "new", "namespace": "ns", "uid": "u2"},
       "containers": [{"name": "app", "cpu": {"time": "2026-01-01T00:01:00Z", "usageCoreNanoSeconds": 5},
                       "memory": {"time": "2026-01-01T00:01:00Z", "workingSetBytes": 1000}}]}]})")
      .as_object();
}

json::object object(const std::string& ns, const std::string& name, const std::string& uid) {
  json::object meta{{"name", name}, {"uid", uid}, {"labels", json::object{{"app", "web"}}}};
  if (!ns.empty()) meta["namespace"] = ns;
  return {{"metadata", std::move(meta)}};
}

TEST(MetricsApi, QuantitiesAreCanonical) {
  EXPECT_EQ(cpu_quantity(250000000), "250m");
  EXPECT_EQ(cpu_quantity(1000000000), "1");
  EXPECT_EQ(cpu_quantity(1500000000), "1500m");
  EXPECT_EQ(cpu_quantity(123), "123n");
  EXPECT_EQ(cpu_quantity(0), "0");
  EXPECT_EQ(memory_quantity(104857600), "100Mi");
  EXPECT_EQ(memory_quantity(1536), "1536");
  EXPECT_EQ(memory_quantity(1000), "1k");  // below 1Ki upstream prints decimal SI
}

TEST(MetricsApi, NodeMetricsFromTheSummary) {
  auto metrics = node_metrics(summary(), object("", "n1", "nu"), kNow);
  ASSERT_TRUE(metrics);
  EXPECT_EQ(*metrics, json::parse(R"({"metadata": {"name": "n1", "creationTimestamp": "2026-01-01T00:02:00Z",
      "labels": {"app": "web"}}, "timestamp": "2026-01-01T00:01:00Z", "window": "10s",
      "usage": {"cpu": "1500m", "memory": "1Gi"}})"));
  // One sample so far: no rate, no metrics.
  json::object first = summary();
  first["node"].as_object()["cpu"].as_object().erase("usageNanoCores");
  EXPECT_FALSE(node_metrics(first, object("", "n1", "nu"), kNow));
}

TEST(MetricsApi, PodMetricsMatchTheIncarnationAndNeedEveryContainer) {
  auto metrics = pod_metrics(summary(), object("ns", "web", "u1"), kNow);
  ASSERT_TRUE(metrics);
  EXPECT_EQ(*metrics, json::parse(R"({"metadata": {"name": "web", "namespace": "ns",
      "creationTimestamp": "2026-01-01T00:02:00Z", "labels": {"app": "web"}},
      "timestamp": "2026-01-01T00:01:00Z", "window": "10s",
      "containers": [{"name": "app", "usage": {"cpu": "250m", "memory": "100Mi"}},
                     {"name": "side", "usage": {"cpu": "123n", "memory": "1k"}}]})"));
  EXPECT_FALSE(pod_metrics(summary(), object("ns", "web", "other-uid"), kNow));  // a newer pod of that name
  EXPECT_FALSE(pod_metrics(summary(), object("ns", "new", "u2"), kNow));         // no CPU rate yet
  EXPECT_FALSE(pod_metrics(summary(), object("ns", "gone", "u3"), kNow));
}

TEST(MetricsApi, GroupIsInDiscovery) {
  DiscoveryDocs docs = build_discovery(MetricsApi::types(), 1, "127.0.0.1:6443");
  json::object list = json::parse(docs.resource_lists.at("metrics.k8s.io/v1beta1")).as_object();
  const auto& resources = list.at("resources").as_array();
  ASSERT_EQ(resources.size(), 2u);
  EXPECT_EQ(resources[0].at("name"), "nodes");
  EXPECT_EQ(resources[0].at("kind"), "NodeMetrics");
  EXPECT_EQ(resources[0].at("namespaced"), false);
  EXPECT_EQ(resources[0].at("verbs"), (json::array{"get", "list"}));
  EXPECT_EQ(resources[1].at("name"), "pods");
  EXPECT_EQ(resources[1].at("kind"), "PodMetrics");
  EXPECT_EQ(resources[1].at("namespaced"), true);
  EXPECT_NE(docs.group_list.find("\"metrics.k8s.io/v1beta1\""), std::string::npos);
  EXPECT_NE(docs.apis_aggregated_v2.find("\"PodMetrics\""), std::string::npos);
}

// Refuses metrics.k8s.io to jane; says nothing about anyone else.
class JaneMayNotReadMetrics : public Authorizer {
 public:
  AuthzResult authorize(const RequestAttributes& a) override {
    if (a.user.name == "jane" && a.api_group == kMetricsGroup) return {AuthzResult::Decision::Deny, "no"};
    return {AuthzResult::Decision::Allow, ""};
  }
};

// MetricsApi on a kernel holding node n1 and pods web (app=web) and db, with kubelets
// answering what `summary` says (or failing when it is empty).
class MetricsApiServe : public ::testing::Test {
 protected:
  MetricsApiServe() {
    for (auto [kind, plural, namespaced] :
         {std::tuple{"Pod", "pods", true}, std::tuple{"Node", "nodes", false}}) {
      TypeInfo t;
      t.version = "v1";
      t.kind = kind;
      t.plural = plural;
      t.namespaced = namespaced;
      kernel_.types().add(t);
    }
    kernel_.auth().add_authorizer("test", std::make_shared<JaneMayNotReadMetrics>());
    auto& p = kernel_.pipeline();
    const UserInfo admin = ukube::testing::test_admin();
    p.create(admin, {"", "v1", "nodes"}, "",
             json::parse(R"({"metadata": {"name": "n1"}, "status": {
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}})")
                 .as_object());
    for (const char* name : {"web", "db"}) {
      json::object pod = json::parse(R"({"metadata": {}, "spec": {"nodeName": "n1"}})").as_object();
      pod["metadata"].as_object()["name"] = name;
      if (std::string(name) == "web") pod["metadata"].as_object()["labels"] = json::object{{"app", "web"}};
      json::object created = json::parse(*p.create(admin, {"", "v1", "pods"}, "default", pod)).as_object();
      uids_[name] = std::string(created["metadata"].at("uid").as_string());
    }
  }

  HttpResponse serve(const std::string& target, const std::string& user = "test-admin",
                     const std::string& method = "GET", bool watch = false) {
    std::string_view path, query_text;
    split_target(target, path, query_text);
    const Route route = parse_route(path);
    const Query query = Query::parse(query_text);
    HttpRequest request;
    request.method = method;
    request.target = target;
    const UserInfo who{user, "", {"system:masters"}, {}};
    return api_.serve({request, route, query, who, Representation::Plain, watch});
  }

  std::string summary_json() {
    json::array pods;
    for (const auto& [name, uid] : uids_)
      pods.push_back(json::object{
          {"podRef", json::object{{"name", name}, {"namespace", "default"}, {"uid", uid}}},
          {"containers", json::array{json::object{{"name", "c"},
                                                  {"cpu", json::object{{"time", "2026-01-01T00:01:00Z"},
                                                                       {"usageNanoCores", 5000000}}},
                                                  {"memory", json::object{{"workingSetBytes", 2097152}}}}}}});
    return json::serialize(json::object{
        {"node",
         json::object{{"nodeName", "n1"},
                      {"cpu", json::object{{"time", "2026-01-01T00:01:00Z"}, {"usageNanoCores", 10000000}}},
                      {"memory", json::object{{"workingSetBytes", 4194304}}}}},
        {"pods", std::move(pods)}});
  }

  ukube::testing::TestKernel kernel_;
  std::map<std::string, std::string> uids_;
  bool kubelet_up_ = true;
  std::vector<std::string> asked_;
  MetricsApi api_{kernel_.pipeline(), kernel_.auth(),
                  [this](const std::string& node, const KubeletEndpoint& kubelet, const std::string& target) {
                    asked_.push_back(node + " " + kubelet.host + ":" + std::to_string(kubelet.port) + target);
                    if (!kubelet_up_) throw std::runtime_error("the kubelet of node " + node + ": refused");
                    return summary_json();
                  }};
};

json::object body_of(const HttpResponse& r) {
  return json::parse(r.body.flatten()).as_object();
}

TEST_F(MetricsApiServe, ListsAndGetsPodAndNodeMetrics) {
  json::object list =
      body_of(serve("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb"));
  EXPECT_EQ(list["kind"], "PodMetricsList");
  ASSERT_EQ(list["items"].as_array().size(), 1u);
  EXPECT_EQ(list["items"].at(0).at("metadata").at("name"), "web");
  EXPECT_EQ(list["items"].at(0).at("containers").at(0).at("usage"),
            (json::object{{"cpu", "5m"}, {"memory", "2Mi"}}));
  EXPECT_EQ(asked_,
            std::vector<std::string>{"n1 127.0.0.1:10250/stats/summary?only_cpu_and_memory=true&node=n1"});

  EXPECT_EQ(body_of(serve("/apis/metrics.k8s.io/v1beta1/pods"))["items"].as_array().size(), 2u);  // -A
  json::object db = body_of(serve("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db"));
  EXPECT_EQ(db["kind"], "PodMetrics");
  EXPECT_EQ(db["apiVersion"], "metrics.k8s.io/v1beta1");

  json::object nodes = body_of(serve("/apis/metrics.k8s.io/v1beta1/nodes"));
  EXPECT_EQ(nodes["kind"], "NodeMetricsList");
  EXPECT_EQ(nodes["items"].at(0).at("usage"), (json::object{{"cpu", "10m"}, {"memory", "4Mi"}}));
  EXPECT_EQ(body_of(serve("/apis/metrics.k8s.io/v1beta1/nodes/n1"))["kind"], "NodeMetrics");
}

TEST_F(MetricsApiServe, RefusesWhatUpstreamRefuses) {
  auto code_of = [&](auto&& call) {
    try {
      call();
    } catch (const ApiError& e) {
      return std::pair{e.code(), std::string(e.what())};
    }
    return std::pair{200, std::string()};
  };
  auto missing = code_of([&] { serve("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope"); });
  EXPECT_EQ(missing, (std::pair{404, std::string("podmetrics.metrics.k8s.io \"default/nope\" not found")}));
  EXPECT_EQ(code_of([&] { serve("/apis/metrics.k8s.io/v1beta1/nodes/n2"); }).first, 404);
  EXPECT_EQ(code_of([&] { serve("/apis/metrics.k8s.io/v1beta1/pods", "jane"); }).first, 403);
  EXPECT_EQ(code_of([&] { serve("/apis/metrics.k8s.io/v1beta1/pods", "test-admin", "GET", true); }).first,
            405);
  EXPECT_EQ(code_of([&] { serve("/apis/metrics.k8s.io/v1beta1/pods", "test-admin", "POST"); }).first, 405);
  EXPECT_EQ(code_of([&] { serve("/apis/metrics.k8s.io/v1/pods"); }).first, 404);
  // Kubelets that cannot be asked: the reason, not an empty list.
  kubelet_up_ = false;
  auto down = code_of([&] { serve("/apis/metrics.k8s.io/v1beta1/nodes"); });
  EXPECT_EQ(down.first, 503);
  EXPECT_NE(down.second.find("the kubelet of node n1: refused"), std::string::npos) << down.second;
}

TEST_F(MetricsApiServe, InProcessReadersGoThroughThePipeline) {
  for (auto& type : api_.registered_types()) kernel_.types().add(std::move(type));
  auto& p = kernel_.pipeline();
  const UserInfo admin = ukube::testing::test_admin();
  const GroupVersionResource pods{kMetricsGroup, kMetricsVersion, "pods"};
  ListOptions web;
  web.label_selector = "app=web";
  RawList list = p.list(admin, pods, "default", web);
  ASSERT_EQ(list.items.size(), 1u);
  json::object item = json::parse(*list.items.front()).as_object();
  EXPECT_EQ(item["kind"], "PodMetrics");
  EXPECT_EQ(item["apiVersion"], "metrics.k8s.io/v1beta1");
  EXPECT_EQ(item["metadata"].at("name"), "web");
  EXPECT_EQ(json::parse(*p.get(admin, pods, "default", "db")).at("metadata").at("name"), "db");
  EXPECT_EQ(json::parse(*p.get(admin, {kMetricsGroup, kMetricsVersion, "nodes"}, "", "n1")).at("kind"),
            "NodeMetrics");

  auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const ApiError& e) {
      return e.code();
    }
    return 200;
  };
  EXPECT_EQ(code_of([&] { p.get(admin, pods, "default", "nope"); }), 404);
  EXPECT_EQ(code_of([&] { p.list(UserInfo{"jane", "", {}, {}}, pods, "default"); }), 403);
  EXPECT_EQ(code_of([&] { p.watch(admin, pods, "default"); }), 405);
  EXPECT_EQ(code_of([&] {
              p.create(admin, pods, "default", json::object{{"metadata", json::object{{"name", "x"}}}});
            }),
            405);
  EXPECT_EQ(code_of([&] { p.remove(admin, pods, "default", "web"); }), 405);
}

}  // namespace
}  // namespace ukube::apiserver
