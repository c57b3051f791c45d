// One autoscaler reconciled against a FakeClient: the target's scale and the pods' usage
// answered by reactors, as the API server and metrics.k8s.io would, and what the
// controller writes back: the scale, the status with its conditions, and its events.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include <boost/json.hpp>

#include "controllers/horizontalpodautoscaling/hpa_controller.h"
#include "controllers/horizontalpodautoscaling/hpa_plugin.h"
#include "ukube/controller/cache_indexes.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controllers::hpa {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using machinery::string_at;

const machinery::Clock::time_point kSyncTime = *machinery::parse_time("2026-06-01T12:00:00Z");
const GroupVersionResource kDeploymentScale = machinery::kDeployments;

json::object hpa_object(const std::string& metrics_json = R"([{"type":"Resource","resource":{"name":"cpu",
    "target":{"type":"Utilization","averageUtilization":50}}}])") {
  json::object hpa = json::parse(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
    "metadata":{"name":"web","namespace":"default","uid":"hpa-uid"},
    "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
            "minReplicas":1,"maxReplicas":10}})")
                         .as_object();
  hpa["spec"].as_object()["metrics"] = json::parse(metrics_json);
  return hpa;
}

json::object web_pod(const std::string& name) {
  json::object p = json::parse(R"({"metadata":{"namespace":"default","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"100m"}}}]},
    "status":{"phase":"Running","startTime":"2026-06-01T10:00:00Z",
              "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-06-01T10:00:00Z"}]}})")
                       .as_object();
  p["metadata"].as_object()["name"] = name;
  return p;
}

json::object usage(const std::string& pod, const std::string& cpu) {
  return json::object{{"apiVersion", "metrics.k8s.io/v1beta1"},
                      {"kind", "PodMetrics"},
                      {"metadata", {{"name", pod}, {"namespace", "default"}}},
                      {"timestamp", "2026-06-01T11:59:50Z"},
                      {"window", "10s"},
                      {"containers", json::array{json::object{{"name", "app"}, {"usage", {{"cpu", cpu}}}}}}};
}

controller::RecorderSettings recorder_settings() {
  controller::RecorderSettings settings;
  settings.source.component = "horizontal-pod-autoscaler";
  return settings;
}

class HpaSyncTest : public ::testing::Test {
 protected:
  HpaSyncTest() {
    client_->prepend_reactor("get", "deployments/scale", [this](const testing::Action&) {
      std::lock_guard lock(mu_);
      testing::Reaction r;
      r.object = std::make_shared<const json::object>(
          json::object{{"apiVersion", "autoscaling/v1"},
                       {"kind", "Scale"},
                       {"metadata", {{"name", "web"}, {"namespace", "default"}, {"resourceVersion", "7"}}},
                       {"spec", {{"replicas", replicas_}}},
                       {"status", {{"replicas", replicas_}, {"selector", selector_}}}});
      return std::optional<testing::Reaction>(std::move(r));
    });
    client_->prepend_reactor("update", "deployments/scale", [this](const testing::Action& a) {
      std::lock_guard lock(mu_);
      replicas_ = static_cast<int32_t>(machinery::int_or(*a.object, {"spec", "replicas"}, -1));
      testing::Reaction r;
      r.object = a.object;
      return std::optional<testing::Reaction>(std::move(r));
    });
    client_->prepend_reactor("list", "pods",
                             [this](const testing::Action& a) -> std::optional<testing::Reaction> {
                               if (a.resource.group != "metrics.k8s.io") return std::nullopt;
                               std::lock_guard lock(mu_);
                               listed_selector_ = a.list_options.label_selector;
                               testing::Reaction r;
                               for (const auto& item : usage_)
                                 r.list.items.push_back(std::make_shared<const json::object>(item));
                               return r;
                             });
  }
  ~HpaSyncTest() override {
    syncer_.reset();
    informers_.shutdown();
  }

  HpaSyncer& start() {
    HpaSyncerOptions options;
    options.client = client_;
    options.autoscalers = informers_.informer(machinery::kHorizontalPodAutoscalers);
    options.pods = informers_.informer(machinery::kPods);
    indexes_.push_back(
        options.pods->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
    options.resolve = [](const std::string& api_version,
                         const std::string& kind) -> std::optional<GroupVersionResource> {
      if (api_version == "apps/v1" && kind == "Deployment") return kDeploymentScale;
      return std::nullopt;
    };
    options.now = [this] { return now_; };
    options.events = &events_;
    EXPECT_TRUE(options.autoscalers->wait_for_sync(5s));
    EXPECT_TRUE(options.pods->wait_for_sync(5s));
    syncer_ = std::make_unique<HpaSyncer>(std::move(options));
    return *syncer_;
  }
  // Syncs once the autoscalers' cache shows what the client holds.
  controller::Result sync() {
    const std::string want = machinery::meta_string(stored(), "resourceVersion");
    auto cached = [&] {
      ObjectPtr hpa = informers_.informer(machinery::kHorizontalPodAutoscalers)->get("default/web");
      return hpa && machinery::meta_string(*hpa, "resourceVersion") == want;
    };
    for (int i = 0; i < 500 && !cached(); ++i) std::this_thread::sleep_for(10ms);
    return syncer_->sync("default/web");
  }
  size_t usage_reads() {
    size_t n = 0;
    for (const auto& a : client_->actions("list", "pods")) n += a.resource.group == "metrics.k8s.io";
    return n;
  }
  json::object stored() {
    return *client_->objects().get(machinery::kHorizontalPodAutoscalers, "default", "web");
  }
  std::string condition(const std::string& type, const char* field) {
    const json::object hpa = stored();
    const json::array* list = machinery::array_at(hpa, {"status", "conditions"});
    if (!list) return "";
    for (const auto& c : *list)
      if (string_at(c.as_object(), {"type"}) == type) return string_at(c.as_object(), {field});
    return "";
  }
  void add_pods(int n, const std::string& cpu) {
    for (int i = 0; i < n; ++i) {
      const std::string name = "web-" + std::to_string(i);
      client_->add(machinery::kPods, web_pod(name));
      usage_.push_back(usage(name, cpu));
    }
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  std::vector<InformerRegistration> indexes_;
  std::mutex mu_;
  int32_t replicas_ = 2;
  std::string selector_ = "app=web";
  std::string listed_selector_;
  std::vector<json::object> usage_;
  machinery::Clock::time_point now_ = kSyncTime;
  controller::EventRecorder events_{client_, recorder_settings()};
  std::unique_ptr<HpaSyncer> syncer_;
};

// The reason and message of every event written so far.
std::vector<std::string> events_of(testing::FakeClient& client, controller::EventRecorder& events) {
  events.flush();
  std::vector<std::string> out;
  for (const auto& e : client.objects().list(machinery::kEvents, "default").items)
    out.push_back(string_at(*e, {"reason"}) + ": " + string_at(*e, {"message"}));
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(HpaSyncTest, ScalesUpOnCpuAndReportsWhy) {
  client_->add(machinery::kHorizontalPodAutoscalers, hpa_object());
  add_pods(2, "150m");  // 150% of a 100m request, against 50%
  start();
  controller::Result r = sync();
  EXPECT_EQ(r.next, controller::Result::Next::RequeueAfter);
  EXPECT_EQ(r.after, 15000ms);
  EXPECT_EQ(replicas_, 4);  // ceil(3 * 2) = 6, held to twice the current count
  EXPECT_EQ(listed_selector_, "app=web");
  json::object hpa = stored();
  EXPECT_EQ(machinery::int_or(hpa, {"status", "currentReplicas"}, -1), 2);
  EXPECT_EQ(machinery::int_or(hpa, {"status", "desiredReplicas"}, -1), 4);
  EXPECT_EQ(string_at(hpa, {"status", "lastScaleTime"}), "2026-06-01T12:00:00Z");
  EXPECT_EQ(*machinery::value_at(hpa, {"status", "currentMetrics"}),
            json::parse(R"([{"type":"Resource","resource":{"name":"cpu",
              "current":{"averageUtilization":150,"averageValue":"150m"}}}])"));
  EXPECT_EQ(condition("AbleToScale", "reason"), "SucceededRescale");
  EXPECT_EQ(condition("AbleToScale", "message"),
            "the HPA controller was able to update the target scale to 4");
  EXPECT_EQ(condition("ScalingActive", "reason"), "ValidMetricFound");
  EXPECT_EQ(
      condition("ScalingActive", "message"),
      "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage "
      "of request)");
  EXPECT_EQ(condition("ScalingLimited", "reason"), "ScaleUpLimit");
  EXPECT_EQ(condition("ScalingLimited", "status"), "True");
  EXPECT_EQ(client_->count("update", "horizontalpodautoscalers/status"), 1u);
  EXPECT_EQ(events_of(*client_, events_),
            std::vector<std::string>{"SuccessfulRescale: New size: 4; reason: cpu resource utilization "
                                     "(percentage of request) above target"});
}

TEST_F(HpaSyncTest, NothingChangesWithinTolerance) {
  client_->add(machinery::kHorizontalPodAutoscalers, hpa_object());
  add_pods(2, "52m");
  start();
  sync();
  EXPECT_EQ(replicas_, 2);
  EXPECT_EQ(client_->count("update", "deployments/scale"), 0u);
  EXPECT_EQ(condition("AbleToScale", "reason"), "ReadyForNewScale");
  EXPECT_EQ(condition("ScalingLimited", "reason"), "DesiredWithinRange");
  // A second sync with nothing new writes nothing.
  client_->clear_actions();
  sync();
  EXPECT_EQ(client_->count("update", "horizontalpodautoscalers/status"), 0u);
}

TEST_F(HpaSyncTest, WithoutUsageItSaysSoAndKeepsTheCount) {
  client_->add(machinery::kHorizontalPodAutoscalers, hpa_object());
  client_->add(machinery::kPods, web_pod("web-0"));
  start();
  sync();
  EXPECT_EQ(replicas_, 2);
  EXPECT_EQ(condition("ScalingActive", "status"), "False");
  EXPECT_EQ(condition("ScalingActive", "reason"), "FailedGetResourceMetric");
  EXPECT_EQ(
      condition("ScalingActive", "message"),
      "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics "
      "for resource cpu: no metrics returned from resource metrics API");
  EXPECT_EQ(
      events_of(*client_, events_),
      (std::vector<std::string>{
          "FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get "
          "cpu "
          "resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no "
          "metrics returned from resource metrics API",
          "FailedGetResourceMetric: failed to get cpu utilization: unable to get metrics for resource cpu: "
          "no "
          "metrics returned from resource metrics API"}));
}

TEST_F(HpaSyncTest, AMissingRequestIsNamed) {
  client_->add(machinery::kHorizontalPodAutoscalers, hpa_object());
  json::object pod = web_pod("web-0");
  pod["spec"].as_object()["containers"].as_array()[0].as_object().erase("resources");
  client_->add(machinery::kPods, pod);
  usage_.push_back(usage("web-0", "10m"));
  start();
  sync();
  EXPECT_EQ(
      condition("ScalingActive", "message"),
      "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for "
      "cpu in container app of Pod web-0");
}

TEST_F(HpaSyncTest, ATargetAtZeroDisablesScaling) {
  client_->add(machinery::kHorizontalPodAutoscalers, hpa_object());
  replicas_ = 0;
  start();
  sync();
  EXPECT_EQ(replicas_, 0);
  EXPECT_EQ(condition("ScalingActive", "reason"), "ScalingDisabled");
  EXPECT_EQ(machinery::int_or(stored(), {"status", "desiredReplicas"}, -1), 0);
}

TEST_F(HpaSyncTest, AboveMaxReplicasComesBackWithoutMetrics) {
  client_->add(machinery::kHorizontalPodAutoscalers, hpa_object());
  replicas_ = 12;
  start();
  sync();
  EXPECT_EQ(replicas_, 10);
  EXPECT_EQ(usage_reads(), 0u);
}

TEST_F(HpaSyncTest, AnUnknownTargetFailsToGetItsScale) {
  json::object hpa = hpa_object();
  hpa["spec"].as_object()["scaleTargetRef"].as_object()["kind"] = "Gadget";
  client_->add(machinery::kHorizontalPodAutoscalers, hpa);
  start();
  sync();
  EXPECT_EQ(condition("AbleToScale", "status"), "False");
  EXPECT_EQ(condition("AbleToScale", "reason"), "FailedGetScale");
  EXPECT_EQ(
      condition("AbleToScale", "message"),
      "the HPA controller was unable to get the target's current scale: no matches for kind \"Gadget\" in "
      "group \"apps\"");
}

TEST_F(HpaSyncTest, CustomMetricsAreNotServedAndSayWhichApi) {
  client_->add(machinery::kHorizontalPodAutoscalers,
               hpa_object(R"([{"type":"Pods","pods":{"metric":{"name":"qps"},
    "target":{"type":"AverageValue","averageValue":"10"}}}])"));
  add_pods(1, "10m");
  start();
  sync();
  EXPECT_EQ(replicas_, 2);
  EXPECT_EQ(condition("ScalingActive", "reason"), "FailedGetPodsMetric");
  EXPECT_NE(condition("ScalingActive", "message").find("custom metrics API"), std::string::npos);
}

}  // namespace
}  // namespace ukube::controllers::hpa
