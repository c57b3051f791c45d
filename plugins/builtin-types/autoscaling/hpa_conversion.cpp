// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler, as upstream converts them: what
// v1 has no field for rides in the round-trip annotations of the v1 object.
#include <boost/json.hpp>
#include <cctype>
#include <optional>

#include "autoscaling/hpa.h"
#include "common/json.h"

namespace ukube::builtin {
namespace {

constexpr const char* kMetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
constexpr const char* kCurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
constexpr const char* kConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
constexpr const char* kBehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

// Copies o[from] to out[to] when o has it.
void copy_as(const json::object& o, std::string_view from, json::object& out, std::string_view to) {
  if (const auto* v = o.if_contains(from); v && !v->is_null()) out[to] = *v;
}

json::object* annotations_of(json::object& hpa, bool create) {
  auto* meta = hpa.if_contains("metadata");
  if (!meta || !meta->is_object()) {
    if (!create) return nullptr;
    meta = &(hpa["metadata"] = json::object{});
  }
  auto* annotations = meta->get_object().if_contains("annotations");
  if (!annotations || !annotations->is_object()) {
    if (!create) return nullptr;
    annotations = &(meta->get_object()["annotations"] = json::object{});
  }
  return &annotations->get_object();
}

void drop_round_trip_annotations(json::object& hpa) {
  json::object* annotations = annotations_of(hpa, false);
  if (!annotations) return;
  for (const char* key :
       {kMetricsAnnotation, kCurrentMetricsAnnotation, kConditionsAnnotation, kBehaviorAnnotation})
    annotations->erase(key);
  if (annotations->empty()) hpa["metadata"].get_object().erase("annotations");
}

void annotate(json::object& hpa, const char* key, const json::value& value) {
  (*annotations_of(hpa, true))[key] = json::serialize(value);
}

// The annotation's JSON; null when absent or malformed (upstream ignores those).
json::value annotation_json(json::object& hpa, const char* key) {
  json::object* annotations = annotations_of(hpa, false);
  if (!annotations) return nullptr;
  const auto* text = annotations->if_contains(key);
  if (!text || !text->is_string()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(text->get_string(), ec);
  return ec ? json::value(nullptr) : v;
}

// --- metrics: v1 flattens each source of a v2 MetricSpec or MetricStatus into one object --

// Where a v2 field (a path of up to two keys) lives in the v1 source object.
struct FieldMapping {
  std::string_view first;
  std::string_view second;  // empty: `first` is the whole path
  std::string_view v1;
};
using Mappings = std::initializer_list<FieldMapping>;

// The fields of each source, for specs (`target`) and statuses (`current`).
Mappings source_fields(std::string_view source, bool status) {
  static const Mappings resource_spec = {{"name", "", "name"},
                                         {"container", "", "container"},
                                         {"target", "averageUtilization", "targetAverageUtilization"},
                                         {"target", "averageValue", "targetAverageValue"}};
  static const Mappings resource_status = {{"name", "", "name"},
                                           {"container", "", "container"},
                                           {"current", "averageUtilization", "currentAverageUtilization"},
                                           {"current", "averageValue", "currentAverageValue"}};
  static const Mappings pods_spec = {{"metric", "name", "metricName"},
                                     {"metric", "selector", "selector"},
                                     {"target", "averageValue", "targetAverageValue"}};
  static const Mappings pods_status = {{"metric", "name", "metricName"},
                                       {"metric", "selector", "selector"},
                                       {"current", "averageValue", "currentAverageValue"}};
  static const Mappings object_spec = {{"describedObject", "", "target"},
                                       {"metric", "name", "metricName"},
                                       {"metric", "selector", "selector"},
                                       {"target", "value", "targetValue"},
                                       {"target", "averageValue", "averageValue"}};
  static const Mappings object_status = {{"describedObject", "", "target"},
                                         {"metric", "name", "metricName"},
                                         {"metric", "selector", "selector"},
                                         {"current", "value", "currentValue"},
                                         {"current", "averageValue", "averageValue"}};
  static const Mappings external_spec = {{"metric", "name", "metricName"},
                                         {"metric", "selector", "metricSelector"},
                                         {"target", "value", "targetValue"},
                                         {"target", "averageValue", "targetAverageValue"}};
  static const Mappings external_status = {{"metric", "name", "metricName"},
                                           {"metric", "selector", "metricSelector"},
                                           {"current", "value", "currentValue"},
                                           {"current", "averageValue", "currentAverageValue"}};
  if (source == "pods") return status ? pods_status : pods_spec;
  if (source == "object") return status ? object_status : object_spec;
  if (source == "external") return status ? external_status : external_spec;
  return status ? resource_status : resource_spec;
}

constexpr std::string_view kSources[] = {"resource", "containerResource", "pods", "object", "external"};

json::object flatten(const json::object& source, Mappings fields) {
  json::object out;
  for (const auto& f : fields) {
    const json::value* v =
        f.second.empty() ? source.if_contains(f.first) : value_at(source, {f.first, f.second});
    if (v && !v->is_null()) out[f.v1] = *v;
  }
  return out;
}

json::object nest(const json::object& flat, Mappings fields) {
  json::object out;
  for (const auto& f : fields) {
    const json::value* v = flat.if_contains(f.v1);
    if (!v || v->is_null()) continue;
    if (f.second.empty())
      out[f.first] = *v;
    else
      machinery::child(out, f.first)[f.second] = *v;
  }
  return out;
}

// v1 leaves a spec's target type to be inferred from which value it sets.
void infer_target_type(std::string_view source, json::object& nested) {
  json::object& target = machinery::child(nested, "target");
  if (source == "resource" || source == "containerResource")
    target["type"] = target.contains("averageUtilization") ? "Utilization" : "AverageValue";
  else if (source == "pods")
    target["type"] = "AverageValue";
  else
    target["type"] = target.contains("averageValue") ? "AverageValue" : "Value";
}

json::object v1_metric(const json::object& metric, bool status) {
  json::object out;
  copy_as(metric, "type", out, "type");
  for (std::string_view source : kSources)
    if (const json::object* s = object_at(metric, {source}))
      out[source] = flatten(*s, source_fields(source, status));
  return out;
}

json::object v2_metric(const json::object& metric, bool status) {
  json::object out;
  copy_as(metric, "type", out, "type");
  for (std::string_view source : kSources) {
    const json::object* s = object_at(metric, {source});
    if (!s) continue;
    json::object nested = nest(*s, source_fields(source, status));
    if (!status) infer_target_type(source, nested);
    out[source] = std::move(nested);
  }
  return out;
}

// --- behavior: upstream writes the internal Go struct, whose keys are its field names ----

json::value rename_keys(const json::value& v, bool to_go) {
  if (v.is_array()) {
    json::array out;
    for (const auto& item : v.get_array()) out.push_back(rename_keys(item, to_go));
    return out;
  }
  if (!v.is_object()) return v;
  json::object out;
  for (const auto& [key, value] : v.get_object()) {
    if (value.is_null()) continue;
    std::string name(key);
    if (!name.empty()) name[0] = static_cast<char>(to_go ? std::toupper(name[0]) : std::tolower(name[0]));
    out[name] = rename_keys(value, to_go);
  }
  return out;
}

bool cpu_utilization(const json::object& metric) {
  return string_at(metric, {"type"}) == "Resource" && string_at(metric, {"resource", "name"}) == "cpu" &&
         is_set(*object_at(metric, {"resource"}), "target") &&
         value_at(metric, {"resource", "target", "averageUtilization"}) &&
         !value_at(metric, {"resource", "target", "averageUtilization"})->is_null();
}

json::object cpu_metric(const json::value& utilization) {
  return json::object{
      {"type", "Resource"},
      {"resource",
       json::object{{"name", "cpu"},
                    {"target", json::object{{"type", "Utilization"}, {"averageUtilization", utilization}}}}}};
}

void to_v1(json::object& hpa) {
  drop_round_trip_annotations(hpa);
  // Collected first, annotated last: annotating may add metadata and move the members.
  json::array others;
  json::value behavior;
  if (auto* spec_value = hpa.if_contains("spec"); spec_value && spec_value->is_object()) {
    json::object& spec = spec_value->get_object();
    std::optional<json::value> cpu_target;
    if (const auto* metrics = array_at(spec, {"metrics"})) {
      for (const auto& m : *metrics) {
        if (!m.is_object()) continue;
        if (cpu_utilization(m.get_object())) {
          if (!cpu_target)
            cpu_target = *value_at(m.get_object(), {"resource", "target", "averageUtilization"});
          continue;
        }
        others.push_back(v1_metric(m.get_object(), false));
      }
    }
    if (const auto* b = spec.if_contains("behavior"); b && b->is_object()) behavior = rename_keys(*b, true);
    spec.erase("metrics");
    spec.erase("behavior");
    if (cpu_target) spec["targetCPUUtilizationPercentage"] = *cpu_target;
  }
  if (!others.empty()) annotate(hpa, kMetricsAnnotation, others);
  if (behavior.is_object()) annotate(hpa, kBehaviorAnnotation, behavior);
  if (auto* status_value = hpa.if_contains("status"); status_value && status_value->is_object()) {
    json::object& status = status_value->get_object();
    json::array current;
    std::optional<json::value> cpu_now;
    if (const auto* metrics = array_at(status, {"currentMetrics"})) {
      for (const auto& m : *metrics) {
        if (!m.is_object()) continue;
        const json::object& metric = m.get_object();
        if (string_at(metric, {"type"}) == "Resource" && string_at(metric, {"resource", "name"}) == "cpu")
          if (const auto* u = value_at(metric, {"resource", "current", "averageUtilization"});
              u && !u->is_null())
            cpu_now = *u;
        current.push_back(v1_metric(metric, true));
      }
    }
    json::value conditions = status.contains("conditions") ? status["conditions"] : json::value(nullptr);
    status.erase("currentMetrics");
    status.erase("conditions");
    if (cpu_now) status["currentCPUUtilizationPercentage"] = *cpu_now;
    if (!current.empty()) annotate(hpa, kCurrentMetricsAnnotation, current);
    if (conditions.is_array() && !conditions.get_array().empty())
      annotate(hpa, kConditionsAnnotation, conditions);
  }
  hpa["apiVersion"] = "autoscaling/v1";
}

void to_v2(json::object& hpa) {
  const json::value metrics_note = annotation_json(hpa, kMetricsAnnotation);
  const json::value current_note = annotation_json(hpa, kCurrentMetricsAnnotation);
  const json::value conditions_note = annotation_json(hpa, kConditionsAnnotation);
  const json::value behavior_note = annotation_json(hpa, kBehaviorAnnotation);
  drop_round_trip_annotations(hpa);

  json::object& spec =
      hpa["spec"].is_object() ? hpa["spec"].get_object() : (hpa["spec"] = json::object{}).get_object();
  json::array metrics;
  if (metrics_note.is_array())
    for (const auto& m : metrics_note.get_array())
      if (m.is_object()) metrics.push_back(v2_metric(m.get_object(), false));
  if (const auto* cpu = spec.if_contains("targetCPUUtilizationPercentage"); cpu && !cpu->is_null())
    metrics.push_back(cpu_metric(*cpu));
  if (metrics.empty()) metrics.push_back(cpu_metric(kDefaultHpaCpuUtilization));
  spec.erase("targetCPUUtilizationPercentage");
  spec["metrics"] = std::move(metrics);
  if (behavior_note.is_object()) spec["behavior"] = rename_keys(behavior_note, false);

  if (auto* status_value = hpa.if_contains("status"); status_value && status_value->is_object()) {
    json::object& status = status_value->get_object();
    json::array current;
    if (current_note.is_array()) {
      for (const auto& m : current_note.get_array())
        if (m.is_object()) current.push_back(v2_metric(m.get_object(), true));
    } else if (const auto* cpu = status.if_contains("currentCPUUtilizationPercentage");
               cpu && !cpu->is_null()) {
      current.push_back(json::object{
          {"type", "Resource"},
          {"resource",
           json::object{{"name", "cpu"}, {"current", json::object{{"averageUtilization", *cpu}}}}}});
    }
    status.erase("currentCPUUtilizationPercentage");
    if (!current.empty()) status["currentMetrics"] = std::move(current);
    if (conditions_note.is_array()) status["conditions"] = conditions_note;
  }
  hpa["apiVersion"] = "autoscaling/v2";
}

}  // namespace

void convert_hpa(json::object& hpa, const std::string& version) {
  const std::string wanted = "autoscaling/" + version;
  if (string_at(hpa, {"apiVersion"}) == wanted) return;
  if (version == "v1") {
    to_v1(hpa);
  } else {
    // Whatever is not v1 is read as v2 already (v2 is the only other version served).
    if (string_at(hpa, {"apiVersion"}) == "autoscaling/v1") to_v2(hpa);
    hpa["apiVersion"] = wanted;
  }
}

}  // namespace ukube::builtin
