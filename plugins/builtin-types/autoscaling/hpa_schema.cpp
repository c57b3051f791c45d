// OpenAPI schemas of autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscaler, with
// upstream's protobuf field numbers.
#include "autoscaling/hpa.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

using namespace schema;

Schema scale_target_ref() {
  return atomic_struct(object({{"kind", string("Kind of the scaled object, e.g. Deployment."), 1, kAlways},
                               {"name", string("Name of the scaled object."), 2, kAlways},
                               {"apiVersion", string("API version of the scaled object."), 3}},
                              "The object whose scale subresource the autoscaler drives."));
}

Schema metric_target() {
  return object({{"type", string("Utilization, Value or AverageValue."), 1, kAlways},
                 {"value", quantity(), 2, kPointer},
                 {"averageValue", quantity(), 3, kPointer},
                 {"averageUtilization", integer("Percent of the pods' requests."), 4, kPointer}});
}

Schema metric_value_status() {
  return object({{"value", quantity(), 1, kPointer},
                 {"averageValue", quantity(), 2, kPointer},
                 {"averageUtilization", integer(), 3, kPointer}});
}

Schema metric_identifier() {
  return object({{"name", string(), 1, kAlways}, {"selector", label_selector(), 2, kPointer}});
}

Schema cross_version_reference() {
  return object(
      {{"kind", string(), 1, kAlways}, {"name", string(), 2, kAlways}, {"apiVersion", string(), 3}});
}

// MetricSpec and MetricStatus share their shape: one member per source type, whose
// `target` (spec) or `current` (status) is a MetricTarget or a MetricValueStatus.
Schema metric(bool status) {
  const char* value_name = status ? "current" : "target";
  Schema value = status ? metric_value_status() : metric_target();
  Schema resource_source =
      object({{"name", string("cpu or memory."), 1, kAlways}, {value_name, value, 2, kAlways}});
  Schema container_source = object(
      {{"name", string(), 1, kAlways}, {value_name, value, 2, kAlways}, {"container", string(), 3, kAlways}});
  Schema pods_source = object({{"metric", metric_identifier(), 1, kAlways}, {value_name, value, 2, kAlways}});
  Schema object_source = status ? object({{"metric", metric_identifier(), 1, kAlways},
                                          {"current", value, 2, kAlways},
                                          {"describedObject", cross_version_reference(), 3, kAlways}})
                                : object({{"describedObject", cross_version_reference(), 1, kAlways},
                                          {"target", value, 2, kAlways},
                                          {"metric", metric_identifier(), 3, kAlways}});
  Schema external_source =
      object({{"metric", metric_identifier(), 1, kAlways}, {value_name, value, 2, kAlways}});
  return object({{"type", string("Object, Pods, Resource, ContainerResource or External."), 1, kAlways},
                 {"object", object_source, 2, kPointer},
                 {"pods", pods_source, 3, kPointer},
                 {"resource", resource_source, 4, kPointer},
                 {"external", external_source, 5, kPointer},
                 {"containerResource", container_source, 7, kPointer}});
}

Schema scaling_rules() {
  Schema policy = object({{"type", string("Pods or Percent."), 1, kAlways},
                          {"value", integer(), 2, kAlways},
                          {"periodSeconds", integer(), 3, kAlways}});
  return object({{"selectPolicy", string("Max, Min or Disabled."), 1, kPointer},
                 {"policies", atomic_list(policy), 2},
                 {"stabilizationWindowSeconds", integer(), 3, kPointer}});
}

}  // namespace

std::shared_ptr<const schema::Schema> hpa_v1_schema() {
  Schema spec = object(
      {{"scaleTargetRef", scale_target_ref(), 1, kAlways},
       {"minReplicas", integer("Lower limit of replicas; default 1."), 2, kPointer},
       {"maxReplicas", integer("Upper limit of replicas."), 3, kAlways},
       {"targetCPUUtilizationPercentage", integer("Target average CPU, percent of requests."), 4, kPointer}});
  Schema status = object({{"observedGeneration", int64(), 1, kPointer},
                          {"lastScaleTime", date_time(), 2, kPointer},
                          {"currentReplicas", integer(), 3, kAlways},
                          {"desiredReplicas", integer(), 4, kAlways},
                          {"currentCPUUtilizationPercentage", integer(), 5, kPointer}});
  return share(resource("autoscaling", "v1", "HorizontalPodAutoscaler",
                        "Scales a workload on its pods' average CPU usage.",
                        {{"spec", spec, 2}, {"status", status, 3}}));
}

std::shared_ptr<const schema::Schema> hpa_v2_schema() {
  Schema spec = object(
      {{"scaleTargetRef", scale_target_ref(), 1, kAlways},
       {"minReplicas", integer("Lower limit of replicas; default 1."), 2, kPointer},
       {"maxReplicas", integer("Upper limit of replicas."), 3, kAlways},
       {"metrics", atomic_list(metric(false)), 4},
       {"behavior",
        object({{"scaleUp", scaling_rules(), 1, kPointer}, {"scaleDown", scaling_rules(), 2, kPointer}}), 5,
        kPointer}});
  Schema status =
      object({{"observedGeneration", int64(), 1, kPointer},
              {"lastScaleTime", date_time(), 2, kPointer},
              {"currentReplicas", integer(), 3},
              {"desiredReplicas", integer(), 4, kAlways},
              {"currentMetrics", atomic_list(metric(true)), 5},
              {"conditions", conditions({}, {}, {.last_transition_time = 3, .reason = 4, .message = 5}), 6}});
  return share(resource("autoscaling", "v2", "HorizontalPodAutoscaler",
                        "Scales a workload on the metrics it names, within minReplicas and maxReplicas.",
                        {{"spec", spec, 2}, {"status", status, 3}}));
}

}  // namespace ukube::builtin
