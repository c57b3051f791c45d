// HorizontalPodAutoscaler served as autoscaling/v1 and autoscaling/v2 from one stored copy:
// what each version reads of what the other wrote, the defaults, the validation messages
// and the `kubectl get hpa` cells.
#include <gtest/gtest.h>

#include "builtin_test_support.h"
#include "ukube/errors.h"

namespace ukube::builtin::testing {
namespace {

const GroupVersionResource kHpaV1{"autoscaling", "v1", "horizontalpodautoscalers"};
const GroupVersionResource kHpaV2{"autoscaling", "v2", "horizontalpodautoscalers"};

json::object v1_hpa(const std::string& name) {
  return parse(R"({"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",
    "metadata":{"name":")" +
               name + R"("},
    "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
            "maxReplicas":5,"targetCPUUtilizationPercentage":50}})");
}

json::object v2_hpa(const std::string& name) {
  return parse(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
    "metadata":{"name":")" +
               name + R"("},
    "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
            "minReplicas":2,"maxReplicas":6,
            "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}},
                       {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"200Mi"}}}],
            "behavior":{"scaleDown":{"stabilizationWindowSeconds":30}}}})");
}

TEST(Autoscaling, AV1ObjectReadsAsV2WithItsCpuTargetAsAMetric) {
  BuiltinKernel k;
  k.client().create(kHpaV1, "default", v1_hpa("a"));
  ObjectPtr v2 = k.client().get(kHpaV2, "default", "a");
  EXPECT_EQ(at(*v2, "apiVersion"), "autoscaling/v2");
  EXPECT_EQ(at(*v2, "spec.minReplicas"), 1);
  const json::array metrics = at(*v2, "spec.metrics").as_array();
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(metrics[0], parse(R"({"type":"Resource","resource":{"name":"cpu",
    "target":{"type":"Utilization","averageUtilization":50}}})"));
  EXPECT_TRUE(at(*v2, "spec.targetCPUUtilizationPercentage").is_null());
  // And back: v1 sees what it wrote, with no annotations of the round trip.
  ObjectPtr v1 = k.client().get(kHpaV1, "default", "a");
  EXPECT_EQ(at(*v1, "apiVersion"), "autoscaling/v1");
  EXPECT_EQ(at(*v1, "spec.targetCPUUtilizationPercentage"), 50);
  EXPECT_TRUE(at(*v1, "metadata.annotations").is_null());
  EXPECT_TRUE(at(*v1, "spec.metrics").is_null());
}

TEST(Autoscaling, WithoutATargetV1GetsUpstreamsCpuDefault) {
  BuiltinKernel k;
  json::object hpa = v1_hpa("d");
  hpa["spec"].as_object().erase("targetCPUUtilizationPercentage");
  k.client().create(kHpaV1, "default", hpa);
  EXPECT_EQ(at(*k.client().get(kHpaV1, "default", "d"), "spec.targetCPUUtilizationPercentage"), 80);
  EXPECT_EQ(at(*k.client().get(kHpaV2, "default", "d"), "spec.metrics").as_array().size(), 1u);
}

TEST(Autoscaling, WhatV1CannotSayTravelsInItsAnnotationsAndComesBack) {
  BuiltinKernel k;
  k.client().create(kHpaV2, "default", v2_hpa("b"));
  ObjectPtr v1 = k.client().get(kHpaV1, "default", "b");
  EXPECT_EQ(at(*v1, "spec.targetCPUUtilizationPercentage"), 60);
  const json::object annotations = at(*v1, "metadata.annotations").as_object();
  EXPECT_EQ(
      json::parse(annotations.at("autoscaling.alpha.kubernetes.io/metrics").as_string()),
      json::parse(R"([{"type":"Resource","resource":{"name":"memory","targetAverageValue":"200Mi"}}])"));
  json::value behavior = json::parse(annotations.at("autoscaling.alpha.kubernetes.io/behavior").as_string());
  EXPECT_EQ(at(behavior.as_object(), "ScaleDown.StabilizationWindowSeconds"), 30);
  EXPECT_EQ(at(behavior.as_object(), "ScaleUp.SelectPolicy"), "Max");  // v2's defaults were stored

  // A v1 client writing the object back (kubectl edit) loses nothing.
  json::object edited = *v1;
  edited["spec"].as_object()["maxReplicas"] = 7;
  k.client().update(kHpaV1, "default", edited);
  ObjectPtr v2 = k.client().get(kHpaV2, "default", "b");
  EXPECT_EQ(at(*v2, "spec.maxReplicas"), 7);
  const json::array metrics = at(*v2, "spec.metrics").as_array();
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_EQ(at(metrics[0].as_object(), "resource.name"), "memory");  // upstream puts the CPU one last
  EXPECT_EQ(at(metrics[1].as_object(), "resource.target.averageUtilization"), 60);
  EXPECT_EQ(at(*v2, "spec.behavior.scaleDown.stabilizationWindowSeconds"), 30);
  EXPECT_TRUE(at(*v2, "metadata.annotations").is_null());
}

TEST(Autoscaling, StatusWrittenInV2ReadsInV1) {
  BuiltinKernel k;
  ObjectPtr created = k.client().create(kHpaV2, "default", v2_hpa("s"));
  json::object with_status = *created;
  with_status["status"] = parse(R"({"currentReplicas":3,"desiredReplicas":4,
    "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":75,"averageValue":"150m"}}}],
    "conditions":[{"type":"AbleToScale","status":"True","reason":"SucceededRescale","message":"m",
                   "lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
  k.client().update(kHpaV2, "default", with_status, {}, "status");
  ObjectPtr v1 = k.client().get(kHpaV1, "default", "s");
  EXPECT_EQ(at(*v1, "status.currentCPUUtilizationPercentage"), 75);
  EXPECT_EQ(at(*v1, "status.desiredReplicas"), 4);
  EXPECT_TRUE(at(*v1, "status.conditions").is_null());
  const json::object annotations = at(*v1, "metadata.annotations").as_object();
  EXPECT_TRUE(annotations.contains("autoscaling.alpha.kubernetes.io/conditions"));
  EXPECT_TRUE(annotations.contains("autoscaling.alpha.kubernetes.io/current-metrics"));
}

TEST(Autoscaling, ListsAndWatchesServeTheVersionAsked) {
  BuiltinKernel k;
  auto watch = k.client().watch(kHpaV1, "default");
  k.client().create(kHpaV2, "default", v2_hpa("w"));
  ObjectList list = k.client().list(kHpaV1, "default");
  ASSERT_EQ(list.items.size(), 1u);
  EXPECT_EQ(at(*list.items[0], "apiVersion"), "autoscaling/v1");
  auto event = watch->next(std::chrono::seconds(5));
  ASSERT_TRUE(event);
  EXPECT_EQ(at(*event->object, "apiVersion"), "autoscaling/v1");
  EXPECT_EQ(at(*event->object, "spec.targetCPUUtilizationPercentage"), 60);
  // A merge patch through v1 applies to the v1 form.
  k.client().patch(kHpaV1, "default", "w", PatchType::JsonMerge,
                   R"({"spec":{"targetCPUUtilizationPercentage":70}})");
  EXPECT_EQ(at(*k.client().get(kHpaV2, "default", "w"), "spec.metrics").as_array().size(), 2u);
  EXPECT_EQ(at(at(*k.client().get(kHpaV2, "default", "w"), "spec.metrics").as_array()[1].as_object(),
               "resource.target.averageUtilization"),
            70);
}

TEST(Autoscaling, DefaultsOfV2) {
  BuiltinKernel k;
  json::object hpa = v2_hpa("def");
  hpa["spec"].as_object().erase("metrics");
  hpa["spec"].as_object().erase("minReplicas");
  ObjectPtr created = k.client().create(kHpaV2, "default", hpa);
  EXPECT_EQ(at(*created, "spec.minReplicas"), 1);
  EXPECT_EQ(at(at(*created, "spec.metrics").as_array()[0].as_object(), "resource.target.averageUtilization"),
            80);
  EXPECT_EQ(at(*created, "spec.behavior.scaleUp"),
            parse(R"({"stabilizationWindowSeconds":0,"selectPolicy":"Max",
    "policies":[{"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]})"));
  EXPECT_EQ(at(*created, "spec.behavior.scaleDown"),
            parse(R"({"stabilizationWindowSeconds":30,"selectPolicy":"Max",
    "policies":[{"type":"Percent","value":100,"periodSeconds":15}]})"));
}

TEST(Autoscaling, ValidationSpeaksUpstreamsWords) {
  BuiltinKernel k;
  json::object hpa = v1_hpa("bad");
  hpa["spec"].as_object()["minReplicas"] = 0;
  hpa["spec"].as_object()["maxReplicas"] = 0;
  hpa["spec"].as_object()["scaleTargetRef"].as_object().erase("kind");
  ApiError e = expect_api_error([&] { k.client().create(kHpaV1, "default", hpa); });
  EXPECT_EQ(e.code(), 422);
  const std::string message = e.what();
  EXPECT_NE(message.find("spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("spec.maxReplicas: Invalid value: 0: must be greater than 0"), std::string::npos)
      << message;
  EXPECT_NE(message.find("spec.scaleTargetRef.kind: Required value"), std::string::npos) << message;

  json::object both = v2_hpa("both");
  both["spec"].as_object()["metrics"] = json::parse(R"([{"type":"Resource","resource":{"name":"cpu",
    "target":{"type":"Utilization","averageUtilization":50,"averageValue":"1"}}}])");
  e = expect_api_error([&] { k.client().create(kHpaV2, "default", both); });
  EXPECT_NE(std::string(e.what()).find(
                "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a "
                "target raw value and a target utilization"),
            std::string::npos)
      << e.what();
  EXPECT_TRUE(k.client().list(kHpaV2, "default").items.empty());
}

TEST(Autoscaling, TableCellsAsKubectlShowsThem) {
  BuiltinKernel k;
  json::object hpa = v2_hpa("t");
  hpa["status"] = parse(R"({"currentReplicas":3,
    "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":75}}}]})");
  hpa["metadata"].as_object()["creationTimestamp"] = ago(std::chrono::minutes(5));
  json::array row = k.type(kHpaV2)->table_row(hpa);
  ASSERT_EQ(row.size(), 7u);
  EXPECT_EQ(row[1], "Deployment/web");
  EXPECT_EQ(row[2], "cpu: 75%/60%, memory: <unknown>/200Mi");
  EXPECT_EQ(row[3], "2");
  EXPECT_EQ(row[4], 6);
  EXPECT_EQ(row[5], 3);
  // The v1 row is the same, read through v2.
  json::object old = v1_hpa("t1");
  old["metadata"].as_object()["creationTimestamp"] = ago(std::chrono::minutes(5));
  json::array v1_row = k.type(kHpaV1)->table_row(old);
  EXPECT_EQ(v1_row[2], "cpu: <unknown>/50%");
  EXPECT_EQ(v1_row[3], "<unset>");
}

}  // namespace
}  // namespace ukube::builtin::testing
