#include "hpa_controller.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "ukube/controller/cache_indexes.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/quantity.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/versions.h"

namespace ukube::controllers::hpa {
namespace json = boost::json;
using machinery::int_at;
using machinery::object_at;
using machinery::string_at;

namespace {

constexpr const char* kAbleToScale = "AbleToScale";
constexpr const char* kScalingActive = "ScalingActive";
constexpr const char* kScalingLimited = "ScalingLimited";

json::object& status_of(json::object& hpa) {
  json::value& status = hpa["status"];
  if (!status.is_object()) status = json::object{};
  return status.get_object();
}

std::chrono::seconds parse_window(const std::string& text) {
  // metrics.k8s.io writes Go durations; the kubelets' is whole seconds ("10s").
  if (text.size() > 1 && text.back() == 's') return std::chrono::seconds(std::atoll(text.c_str()));
  if (text.size() > 1 && text.back() == 'm') return std::chrono::minutes(std::atoll(text.c_str()));
  return std::chrono::seconds(0);
}

int64_t milli_of(const json::value* v) {
  auto q = v ? machinery::Quantity::from_json(*v) : std::nullopt;
  return q ? q->milli_value() : 0;
}

std::string milli_quantity(int64_t milli) {
  return machinery::Quantity::of_milli(milli).to_string();
}

ScalingRules rules_of(const json::object* rules) {
  ScalingRules out;
  if (!rules) return out;
  if (auto w = int_at(*rules, {"stabilizationWindowSeconds"}))
    out.stabilization_window_seconds = static_cast<int32_t>(*w);
  if (std::string p = string_at(*rules, {"selectPolicy"}); !p.empty()) out.select_policy = p;
  machinery::for_each_object(machinery::array_at(*rules, {"policies"}), [&](const json::object& p, size_t) {
    out.policies.push_back({string_at(p, {"type"}), static_cast<int32_t>(machinery::int_or(p, {"value"}, 0)),
                            static_cast<int32_t>(machinery::int_or(p, {"periodSeconds"}, 0))});
  });
  return out;
}

// A metric that could not be computed: the first one becomes the reason nothing scales.
struct MetricFailure {
  std::string reason;   // the condition's and event's reason
  std::string message;  // the condition's message
  std::string error;    // for FailedComputeMetricsReplicas
};

}  // namespace

struct HpaSyncer::Run {
  std::string key;
  json::object hpa;
  json::object original_status;
  machinery::Clock::time_point now;
  std::string now_text;
  std::string ns;
  json::array statuses;  // one per spec.metrics entry
  std::string metric_name;
  std::optional<MetricFailure> first_failure;
  size_t failures = 0;
  int32_t current = 0;  // the target's spec.replicas
  std::string selector;
  std::vector<ObjectPtr> pods;
  std::vector<const json::object*> pod_objects;
  std::optional<json::array> usage;  // metrics.k8s.io PodMetrics, read once per run
  std::string usage_error;

  void condition(const char* type, bool status, const std::string& reason, const std::string& message) {
    json::value& list = status_of(hpa)["conditions"];
    if (!list.is_array()) list = json::array{};
    machinery::set_condition(
        list.get_array(),
        {{"type", type}, {"status", status ? "True" : "False"}, {"reason", reason}, {"message", message}},
        now_text);
  }

  void set_status(int32_t current, std::optional<int32_t> desired, bool with_metrics, bool rescaled) {
    json::object& st = status_of(hpa);
    st["currentReplicas"] = current;
    if (desired) st["desiredReplicas"] = *desired;
    if (with_metrics && !statuses.empty())
      st["currentMetrics"] = statuses;
    else
      st.erase("currentMetrics");
    if (rescaled) st["lastScaleTime"] = now_text;
  }
};

HpaSyncer::HpaSyncer(HpaSyncerOptions options)
    : options_(std::move(options)), normalizer_(options_.settings.downscale_stabilization) {}

machinery::Clock::time_point HpaSyncer::now() const {
  return options_.now ? options_.now() : machinery::Clock::now();
}

void HpaSyncer::event(const json::object& hpa, const std::string& type, const std::string& reason,
                      const std::string& message) {
  if (options_.events) options_.events->event(hpa, type, reason, message);
}

controller::Result HpaSyncer::sync(const std::string& key) {
  if (!options_.autoscalers->has_synced() || !options_.pods->has_synced())
    return controller::Result::requeue_after(std::chrono::milliseconds(100));
  ObjectPtr cached = options_.autoscalers->get(key);
  if (!cached) {
    normalizer_.forget(key);
    return controller::Result::done();
  }
  Run run;
  run.key = key;
  run.hpa = *cached;
  run.original_status = machinery::object_or_empty(object_at(*cached, {"status"}));
  run.now = now();
  run.now_text = machinery::format_time(run.now);
  run.ns = machinery::namespace_of(*cached);
  reconcile(run);
  if (!write_status(run)) return controller::Result::retry();
  return controller::Result::requeue_after(options_.settings.sync_period);
}

bool HpaSyncer::write_status(const Run& run) {
  const json::object* status = object_at(run.hpa, {"status"});
  if (status && *status == run.original_status) return true;
  try {
    options_.client->update(machinery::kHorizontalPodAutoscalers, run.ns, run.hpa, {}, "status");
  } catch (const ApiError& e) {
    if (is_not_found(e)) return true;
    if (options_.log) options_.log->info("status of autoscaler {} not written: {}", run.key, e.what());
    if (is_conflict(e)) return false;
    event(run.hpa, "Warning", "FailedUpdateStatus", e.what());
    return false;
  }
  return true;
}

void HpaSyncer::reconcile(Run& run) {
  const json::object spec = machinery::object_or_empty(object_at(run.hpa, {"spec"}));
  const std::string kind = string_at(spec, {"scaleTargetRef", "kind"});
  const std::string name = string_at(spec, {"scaleTargetRef", "name"});
  const std::string api_version = string_at(spec, {"scaleTargetRef", "apiVersion"});

  json::object scale;
  const std::optional<GroupVersionResource> target = options_.resolve(api_version, kind);
  try {
    if (!target)
      throw ApiError(404, "NotFound",
                     "no matches for kind \"" + kind + "\" in group \"" +
                         machinery::parse_api_version(api_version).group + "\"");
    if (ObjectPtr got = options_.client->get(*target, run.ns, name, {}, "scale")) scale = *got;
  } catch (const ApiError& e) {
    event(run.hpa, "Warning", "FailedGetScale", e.what());
    run.condition(
        kAbleToScale, false, "FailedGetScale",
        std::string("the HPA controller was unable to get the target's current scale: ") + e.what());
    return;
  }
  run.condition(kAbleToScale, true, "SucceededGetScale",
                "the HPA controller was able to get the target's current scale");

  const auto current = static_cast<int32_t>(machinery::int_or(scale, {"spec", "replicas"}, 0));
  const auto min = static_cast<int32_t>(machinery::int_or(spec, {"minReplicas"}, 1));
  const auto max = static_cast<int32_t>(machinery::int_or(spec, {"maxReplicas"}, 0));
  int32_t desired = 0;
  std::string reason;
  if (current == 0 && min != 0) {
    run.condition(kScalingActive, false, "ScalingDisabled",
                  "scaling is disabled since the replica count of the target is zero");
  } else if (current > max) {
    desired = max;
    reason = "Current number of replicas above Spec.MaxReplicas";
  } else if (current < min) {
    desired = min;
    reason = "Current number of replicas below Spec.MinReplicas";
  } else {
    run.current = current;
    const std::optional<int32_t> proposed = replicas_for_metrics(run, scale, current);
    if (!proposed) {
      run.set_status(current, std::nullopt, true, false);
      return;
    }
    if (*proposed > current) reason = run.metric_name + " above target";
    if (*proposed < current) reason = "All metrics below target";
    std::optional<Behavior> behavior;
    if (const json::object* b = object_at(spec, {"behavior"}))
      behavior = Behavior{rules_of(object_at(*b, {"scaleUp"})), rules_of(object_at(*b, {"scaleDown"}))};
    const Normalized n = normalizer_.normalize(
        {run.key, current, *proposed, min, max, behavior ? &*behavior : nullptr, run.now});
    run.condition(kAbleToScale, n.able_to_scale.status, n.able_to_scale.reason, n.able_to_scale.message);
    run.condition(kScalingLimited, n.scaling_limited.status, n.scaling_limited.reason,
                  n.scaling_limited.message);
    desired = n.replicas;
    if (desired != current && target) {
      if (!rescale(run, *target, scale, desired, reason)) {
        run.set_status(current, std::nullopt, true, false);
        return;
      }
      normalizer_.record_scale(run.key, behavior ? &*behavior : nullptr, current, desired, run.now);
      run.set_status(current, desired, true, true);
      return;
    }
    run.set_status(current, current, true, false);
    return;
  }
  // Outside the metrics: disabled, or brought back within [minReplicas, maxReplicas].
  const bool rescaled =
      current != 0 && desired != current && target && rescale(run, *target, scale, desired, reason);
  if (current != 0 && desired != current && !rescaled) {
    run.set_status(current, std::nullopt, false, false);
    return;
  }
  run.set_status(current, current == 0 ? 0 : desired, false, rescaled);
}

bool HpaSyncer::rescale(Run& run, const GroupVersionResource& target, json::object scale, int32_t desired,
                        const std::string& reason) {
  machinery::child(scale, "spec")["replicas"] = desired;
  try {
    options_.client->update(target, run.ns, scale, {}, "scale");
  } catch (const ApiError& e) {
    event(run.hpa, "Warning", "FailedRescale",
          "New size: " + std::to_string(desired) + "; reason: " + reason + "; error: " + e.what());
    run.condition(kAbleToScale, false, "FailedUpdateScale",
                  std::string("the HPA controller was unable to update the target scale: ") + e.what());
    return false;
  }
  run.condition(kAbleToScale, true, "SucceededRescale",
                "the HPA controller was able to update the target scale to " + std::to_string(desired));
  event(run.hpa, "Normal", "SuccessfulRescale",
        "New size: " + std::to_string(desired) + "; reason: " + reason);
  if (options_.log)
    options_.log->info("autoscaler {} scaled its target to {} replicas: {}", run.key, desired, reason);
  return true;
}

std::optional<int32_t> HpaSyncer::replicas_for_metrics(Run& run, const json::object& scale, int32_t current) {
  run.selector = string_at(scale, {"status", "selector"});
  if (run.selector.empty()) {
    event(run.hpa, "Warning", "SelectorRequired", "selector is required");
    run.condition(kScalingActive, false, "InvalidSelector", "the HPA target's scale is missing a selector");
    return std::nullopt;
  }
  LabelSelector selector;
  try {
    selector = machinery::parse_selector(run.selector);
  } catch (const std::exception& e) {
    const std::string message =
        std::string("couldn't convert selector into a corresponding internal selector object: ") + e.what();
    event(run.hpa, "Warning", "InvalidSelector", message);
    run.condition(kScalingActive, false, "InvalidSelector", message);
    return std::nullopt;
  }
  for (const auto& pod : options_.pods->by_index(controller::kNamespaceIndex, run.ns)) {
    if (!machinery::matches(selector, object_at(*pod, {"metadata", "labels"}))) continue;
    run.pods.push_back(pod);
    run.pod_objects.push_back(pod.get());
  }

  // A copy: the conditions written meanwhile change the object.
  const json::array* listed = machinery::array_at(run.hpa, {"spec", "metrics"});
  const json::array metrics = listed ? *listed : json::array{};
  run.statuses = json::array(metrics.size(), json::object{{"type", ""}});
  std::optional<int32_t> best;
  std::string best_name;
  for (size_t i = 0; i < metrics.size(); ++i) {
    if (!metrics[i].is_object()) continue;
    auto proposal = replicas_for_metric(run, metrics[i].get_object(), i);
    if (proposal && (!best || *proposal > *best)) {
      best = proposal;
      best_name = run.metric_name;
    }
  }
  if (run.failures > 0 && (run.failures == metrics.size() || (best && *best < current))) {
    const MetricFailure& first = *run.first_failure;
    run.condition(kScalingActive, false, first.reason, first.message);
    event(run.hpa, "Warning", "FailedComputeMetricsReplicas",
          "invalid metrics (" + std::to_string(run.failures) + " invalid out of " +
              std::to_string(metrics.size()) + "), first error is: " + first.error);
    return std::nullopt;
  }
  if (!best) return current;  // no metrics at all: nothing asks for a change
  run.metric_name = best_name;
  run.condition(kScalingActive, true, "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from " + best_name);
  return best;
}

PodMetrics HpaSyncer::usage_of(Run& run, const std::string& resource, const std::string& container) {
  if (!run.usage) {
    try {
      ListOptions options;
      options.label_selector = run.selector;
      ObjectList list = options_.client->list(machinery::kPodMetrics, run.ns, options);
      json::array items;
      for (const auto& item : list.items) items.push_back(*item);
      run.usage = std::move(items);
    } catch (const std::exception& e) {
      run.usage = json::array{};
      run.usage_error = std::string("unable to fetch metrics from resource metrics API: ") + e.what();
    }
  }
  const std::string prefix = "unable to get metrics for resource " + resource + ": ";
  if (!run.usage_error.empty()) throw CalculationError(prefix + run.usage_error);
  if (run.usage->empty()) throw CalculationError(prefix + "no metrics returned from resource metrics API");
  PodMetrics out;
  for (const auto& value : *run.usage) {
    if (!value.is_object()) continue;
    const json::object& item = value.get_object();
    const std::string pod = string_at(item, {"metadata", "name"});
    const json::array* containers = machinery::array_at(item, {"containers"});
    if (!containers || containers->empty()) continue;
    int64_t sum = 0;
    bool complete = true, found = container.empty();
    for (const auto& c : *containers) {
      if (!c.is_object()) continue;
      if (!container.empty() && string_at(c.get_object(), {"name"}) != container) continue;
      found = true;
      const json::value* usage = machinery::value_at(c.get_object(), {"usage", resource});
      if (!usage) complete = false;
      sum += milli_of(usage);
    }
    if (!found)
      throw CalculationError(prefix + "failed to get container metrics: container " + container +
                             " not present in metrics for pod " + run.ns + "/" + pod);
    if (!complete) continue;
    out[pod] = {sum, machinery::parse_time(string_at(item, {"timestamp"})).value_or(run.now),
                parse_window(string_at(item, {"window"}))};
  }
  return out;
}

std::optional<int32_t> HpaSyncer::replicas_for_metric(Run& run, const json::object& metric, size_t index) {
  const std::string type = string_at(metric, {"type"});
  json::object& status = run.statuses[index].as_object();
  auto fail = [&](const std::string& reason, const std::string& inner, const std::string& outer) {
    event(run.hpa, "Warning", reason, inner);
    const std::string message = "the HPA was unable to compute the replica count: " + inner;
    run.condition(kScalingActive, false, reason, message);
    if (!run.first_failure) run.first_failure = MetricFailure{reason, message, outer};
    ++run.failures;
    return std::nullopt;
  };
  if (type != "Resource" && type != "ContainerResource") {
    // Pods, Object and External metrics come from custom.metrics.k8s.io and
    // external.metrics.k8s.io, which nothing serves here.
    const std::string api = type == "External" ? "external" : "custom";
    const char* source = type == "Pods" ? "pods" : type == "Object" ? "object" : "external";
    const std::string name = string_at(metric, {source, "metric", "name"});
    const std::string inner = "unable to get metric " + name + ": unable to fetch metrics from " + api +
                              " metrics API: the server could not find the requested resource (no " + api +
                              ".metrics.k8s.io API is served)";
    const std::string reason = type == "Pods"       ? "FailedGetPodsMetric"
                               : type == "Object"   ? "FailedGetObjectMetric"
                               : type == "External" ? "FailedGetExternalMetric"
                                                    : "InvalidMetricSourceType";
    return fail(reason, inner, inner);
  }
  const bool per_container = type == "ContainerResource";
  const char* field = per_container ? "containerResource" : "resource";
  const json::object& source = machinery::object_or_empty(object_at(metric, {field}));
  const std::string resource = string_at(source, {"name"});
  const std::string container = per_container ? string_at(source, {"container"}) : "";
  const json::object& target = machinery::object_or_empty(object_at(source, {"target"}));
  const std::string reason = per_container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
  const std::string outer_prefix = "failed to get " + resource +
                                   (per_container ? " container metric value: " : " resource metric value: ");
  const bool by_value = machinery::is_set(target, "averageValue");
  try {
    CalculatorInput in;
    in.current_replicas = run.current;
    in.resource = resource;
    in.container = container;
    in.pods = &run.pod_objects;
    in.now = run.now;
    in.metrics = usage_of(run, resource, container);
    json::object current;
    ReplicaEstimate estimate;
    if (by_value) {
      estimate = average_value_replicas(std::move(in), milli_of(target.if_contains("averageValue")),
                                        options_.settings.calculator);
      run.metric_name = resource + " resource";
    } else {
      estimate = utilization_replicas(
          std::move(in), static_cast<int32_t>(machinery::int_or(target, {"averageUtilization"}, 0)),
          options_.settings.calculator);
      current["averageUtilization"] = estimate.utilization;
      run.metric_name =
          resource + (per_container ? " container" : "") + " resource utilization (percentage of request)";
    }
    current["averageValue"] = milli_quantity(estimate.average_milli);
    json::object value{{"name", resource}, {"current", std::move(current)}};
    if (per_container) value["container"] = container;
    status = json::object{{"type", type}, {field, std::move(value)}};
    return estimate.replicas;
  } catch (const CalculationError& e) {
    const std::string inner =
        "failed to get " + resource + (by_value ? " usage: " : " utilization: ") + std::string(e.what());
    return fail(reason, inner, outer_prefix + inner);
  }
}

HorizontalPodAutoscalerController::HorizontalPodAutoscalerController(const controller::ControllerDeps& deps,
                                                                     unsigned workers, HpaSettings settings,
                                                                     ScaleTargetResolver resolve)
    : autoscalers_(deps.informers->informer(machinery::kHorizontalPodAutoscalers)),
      pods_(deps.informers->informer(machinery::kPods)) {
  controller::LoopSettings loop;
  loop.name = "horizontalpodautoscaling";
  loop.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      loop, [this](const std::string& key) { return syncer_->sync(key); }, deps.log);
  HpaSyncerOptions options;
  options.client = deps.client;
  options.autoscalers = autoscalers_;
  options.pods = pods_;
  options.resolve = std::move(resolve);
  options.events = deps.events;
  options.log = deps.log;
  options.settings = settings;
  syncer_ = std::make_unique<HpaSyncer>(std::move(options));
}

HorizontalPodAutoscalerController::~HorizontalPodAutoscalerController() {
  stop();
}

void HorizontalPodAutoscalerController::start() {
  if (!registrations_.empty()) return;
  registrations_.push_back(pods_->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
  auto add = [this](const ObjectPtr& hpa) { loop_->add(object_key(*hpa)); };
  // Status writes come back as updates: only a spec change needs a sync before the period.
  auto update = [this](const ObjectPtr& old, const ObjectPtr& hpa) {
    if (machinery::object_or_empty(object_at(*old, {"spec"})) !=
        machinery::object_or_empty(object_at(*hpa, {"spec"})))
      loop_->add(object_key(*hpa));
  };
  registrations_.push_back(autoscalers_->add_handlers({add, update, add}));
  loop_->start();
}

void HorizontalPodAutoscalerController::stop() {
  registrations_.clear();
  loop_->stop();
}

}  // namespace ukube::controllers::hpa
