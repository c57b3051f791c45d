// autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscaler: defaults, validation (upstream
// validates its internal version, so v1 objects are checked as the v2 they convert to) and
// the `kubectl get hpa` table.
#include "autoscaling/hpa.h"

#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/quantity.h"
#include "common/table.h"
#include "families.h"

namespace ukube::builtin {
namespace {

constexpr int64_t kMaxStabilizationWindowSeconds = 3600;
constexpr int64_t kMaxPeriodSeconds = 1800;

json::object policy(const char* type, int64_t value, int64_t period) {
  return {{"type", type}, {"value", value}, {"periodSeconds", period}};
}

// Fills the unset fields of one rule; `window` < 0 leaves the window unset (scale-down's is
// the controller's, 300 s by default).
void default_rules(json::object& behavior, const char* key, int64_t window, json::array policies) {
  json::value& v = behavior[key];
  if (!v.is_object()) v = json::object{};
  json::object& rules = v.get_object();
  if (window >= 0) set_default(rules, "stabilizationWindowSeconds", window);
  set_default(rules, "selectPolicy", "Max");
  if (!is_set(rules, "policies")) rules["policies"] = std::move(policies);
}

void check_path_segment(Errors& e, const FieldPath& p, const json::object& o, std::string_view key) {
  std::string value = string_at(o, {key});
  if (value.empty()) return e.required(p.child(key));
  for (const auto& msg : machinery::path_segment_errors(value)) e.invalid(p.child(key), quote(value), msg);
}

void check_quantity_positive(Errors& e, const FieldPath& p, const json::object& target,
                             std::string_view key) {
  const auto* v = target.if_contains(key);
  if (!v || v->is_null()) return;
  auto q = Quantity::from_json(*v);
  if (q && (q->is_zero() || q->is_negative())) e.invalid(p.child(key), q->to_string(), "must be positive");
}

void check_target(Errors& e, const FieldPath& p, const json::object& target) {
  std::string type = string_at(target, {"type"});
  if (type.empty())
    e.required(p.child("type"), "must specify a metric target type");
  else if (type != "Utilization" && type != "Value" && type != "AverageValue")
    e.invalid(p.child("type"), quote(type), "must be either Utilization, Value, or AverageValue");
  check_quantity_positive(e, p, target, "value");
  check_quantity_positive(e, p, target, "averageValue");
  if (auto u = int_at(target, {"averageUtilization"}); u && *u < 1)
    e.invalid_int(p.child("averageUtilization"), *u, "must be greater than 0");
}

void check_resource_source(Errors& e, const FieldPath& p, const json::object& source, bool container) {
  if (string_at(source, {"name"}).empty()) e.required(p.child("name"), "must specify a resource name");
  if (container && string_at(source, {"container"}).empty())
    e.required(p.child("container"), "must specify a container");
  const json::object* target = object_at(source, {"target"});
  static const json::object kNone;
  if (!target) target = &kNone;
  check_target(e, p.child("target"), *target);
  const bool utilization = is_set(*target, "averageUtilization");
  const bool average = is_set(*target, "averageValue");
  if (!utilization && !average)
    e.required(p.child("target").child("averageUtilization"),
               "must set either a target raw value or a target utilization");
  if (utilization && average)
    e.forbidden(p.child("target").child("averageValue"),
                "may not set both a target raw value and a target utilization");
}

void check_metric_name(Errors& e, const FieldPath& p, const json::object& source) {
  const json::object* metric = object_at(source, {"metric"});
  std::string name = metric ? string_at(*metric, {"name"}) : "";
  if (name.empty()) return e.required(p.child("metric").child("name"), "must specify a metric name");
  for (const auto& msg : machinery::path_segment_errors(name))
    e.invalid(p.child("metric").child("name"), quote(name), msg);
}

void check_metric(Errors& e, const FieldPath& p, const json::object& metric) {
  static const std::vector<std::string> kTypes = {"ContainerResource", "External", "Object", "Pods",
                                                  "Resource"};
  static const std::vector<std::pair<std::string, std::string>> kSources = {
      {"Object", "object"},
      {"External", "external"},
      {"Pods", "pods"},
      {"Resource", "resource"},
      {"ContainerResource", "containerResource"}};
  const std::string type = string_at(metric, {"type"});
  if (type.empty()) e.required(p.child("type"), "must specify a metric source type");
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end())
    e.unsupported(p.child("type"), type, kTypes);
  std::string expected;
  for (const auto& [t, field] : kSources)
    if (t == type) expected = field;
  if (!expected.empty() && !object_at(metric, {expected}))
    e.required(p.child(expected), "must populate information for the given metric source");
  bool validated = false;
  for (const auto& [t, field] : kSources) {
    const json::object* source = object_at(metric, {field});
    if (!source) continue;
    if (field != expected && !expected.empty())
      e.forbidden(p.child(field), "must populate the given metric source only");
    if (validated) continue;
    validated = true;
    const FieldPath sp = p.child(field);
    static const json::object kNone;
    const json::object* target = object_at(*source, {"target"});
    if (!target) target = &kNone;
    if (field == "resource" || field == "containerResource") {
      check_resource_source(e, sp, *source, field == "containerResource");
    } else if (field == "pods") {
      check_metric_name(e, sp, *source);
      check_target(e, sp.child("target"), *target);
      if (!is_set(*target, "averageValue"))
        e.required(sp.child("target").child("averageValue"), "must specify a positive target averageValue");
    } else if (field == "object") {
      const json::object* described = object_at(*source, {"describedObject"});
      check_path_segment(e, sp.child("describedObject"), described ? *described : kNone, "kind");
      check_path_segment(e, sp.child("describedObject"), described ? *described : kNone, "name");
      check_metric_name(e, sp, *source);
      check_target(e, sp.child("target"), *target);
      if (!is_set(*target, "value") && !is_set(*target, "averageValue"))
        e.required(sp.child("target").child("averageValue"),
                   "must set either a target value or averageValue");
    } else {
      check_metric_name(e, sp, *source);
      check_target(e, sp.child("target"), *target);
      const bool value = is_set(*target, "value"), average = is_set(*target, "averageValue");
      if (!value && !average)
        e.required(sp.child("target").child("averageValue"),
                   "must set either a target value for metric or a per-pod target");
      if (value && average)
        e.forbidden(sp.child("target").child("value"),
                    "may not set both a target value for metric and a per-pod target");
    }
  }
}

void check_rules(Errors& e, const FieldPath& p, const json::object& rules) {
  if (auto w = int_at(rules, {"stabilizationWindowSeconds"})) {
    if (*w < 0)
      e.invalid_int(p.child("stabilizationWindowSeconds"), *w, "must be greater than or equal to zero");
    if (*w > kMaxStabilizationWindowSeconds)
      e.invalid_int(p.child("stabilizationWindowSeconds"), *w, "must be less than or equal to 3600");
  }
  std::string select = string_at(rules, {"selectPolicy"});
  if (is_set(rules, "selectPolicy") && select != "Disabled" && select != "Max" && select != "Min")
    e.unsupported(p.child("selectPolicy"), select, {"Disabled", "Max", "Min"});
  const json::array* policies = array_at(rules, {"policies"});
  if (!policies || policies->empty())
    return e.required(p.child("policies"), "must specify at least one Policy");
  for_each_object(policies, [&](const json::object& policy, size_t i) {
    const FieldPath pp = p.child("policies").index(i);
    std::string type = string_at(policy, {"type"});
    if (type != "Percent" && type != "Pods") e.unsupported(pp.child("type"), type, {"Percent", "Pods"});
    if (int64_t v = int_or(policy, {"value"}, 0); v <= 0)
      e.invalid_int(pp.child("value"), v, "must be greater than zero");
    int64_t period = int_or(policy, {"periodSeconds"}, 0);
    if (period <= 0) e.invalid_int(pp.child("periodSeconds"), period, "must be greater than zero");
    if (period > kMaxPeriodSeconds)
      e.invalid_int(pp.child("periodSeconds"), period, "must be less than or equal to 1800");
  });
}

void validate_v2(const json::object& hpa, std::vector<FieldError>& out) {
  Errors e(out);
  static const json::object kNone;
  const json::object* spec = object_at(hpa, {"spec"});
  if (!spec) spec = &kNone;
  const FieldPath sp("spec");
  const auto min = int_at(*spec, {"minReplicas"});
  if (min && *min < 1) e.invalid_int(sp.child("minReplicas"), *min, "must be greater than or equal to 1");
  const int64_t max = int_or(*spec, {"maxReplicas"}, 0);
  if (max < 1) e.invalid_int(sp.child("maxReplicas"), max, "must be greater than 0");
  if (min && max < *min)
    e.invalid_int(sp.child("maxReplicas"), max, "must be greater than or equal to `minReplicas`");
  const json::object* ref = object_at(*spec, {"scaleTargetRef"});
  check_path_segment(e, sp.child("scaleTargetRef"), ref ? *ref : kNone, "kind");
  check_path_segment(e, sp.child("scaleTargetRef"), ref ? *ref : kNone, "name");
  for_each_object(array_at(*spec, {"metrics"}),
                  [&](const json::object& m, size_t i) { check_metric(e, sp.child("metrics").index(i), m); });
  if (const json::object* behavior = object_at(*spec, {"behavior"})) {
    for (const char* key : {"scaleUp", "scaleDown"})
      if (const json::object* rules = object_at(*behavior, {key}))
        check_rules(e, sp.child("behavior").child(key), *rules);
  }
}

// --- the table ---------------------------------------------------------------------------

std::string quantity_text(const json::value* v) {
  if (!v || v->is_null()) return "<unknown>";
  auto q = Quantity::from_json(*v);
  return q ? q->to_string() : "<unknown>";
}

std::string percent(const json::value* v) {
  auto n = v ? as_int(*v) : std::nullopt;
  return n ? std::to_string(*n) + "%" : "";
}

// One TARGETS entry: the metric's current value (status.currentMetrics at the same index)
// over its target.
std::string target_entry(const json::object& metric, const json::object* status) {
  const std::string type = string_at(metric, {"type"});
  auto current_of = [&](const char* source, const char* field) -> const json::value* {
    if (!status) return nullptr;
    return value_at(*status, {source, "current", field});
  };
  if (type == "Resource" || type == "ContainerResource") {
    const char* source = type == "Resource" ? "resource" : "containerResource";
    const std::string name = string_at(metric, {source, "name"});
    const json::object* target = object_at(metric, {source, "target"});
    if (target && is_set(*target, "averageValue")) {
      std::string current = status && object_at(*status, {source})
                                ? quantity_text(current_of(source, "averageValue"))
                                : "<unknown>";
      return name + ": " + current + "/" + quantity_text(target->if_contains("averageValue"));
    }
    std::string current = percent(current_of(source, "averageUtilization"));
    std::string wanted = target ? percent(target->if_contains("averageUtilization")) : "";
    return name + ": " + (current.empty() ? "<unknown>" : current) + "/" +
           (wanted.empty() ? "<auto>" : wanted);
  }
  if (type == "Pods") {
    std::string current = status && object_at(*status, {"pods"})
                              ? quantity_text(current_of("pods", "averageValue"))
                              : "<unknown>";
    return current + "/" + quantity_text(value_at(metric, {"pods", "target", "averageValue"}));
  }
  if (type == "Object" || type == "External") {
    const char* source = type == "Object" ? "object" : "external";
    const json::object* target = object_at(metric, {source, "target"});
    const bool average = target && is_set(*target, "averageValue");
    const char* field = average ? "averageValue" : "value";
    std::string current =
        status && object_at(*status, {source}) ? quantity_text(current_of(source, field)) : "<unknown>";
    return current + "/" + quantity_text(target ? target->if_contains(field) : nullptr) +
           (average ? " (avg)" : "");
  }
  return "<unknown type>";
}

std::string targets_cell(const json::object& hpa) {
  constexpr size_t kShown = 2;
  const json::array* metrics = array_at(hpa, {"spec", "metrics"});
  if (!metrics || metrics->empty()) return "<none>";
  const json::array* statuses = array_at(hpa, {"status", "currentMetrics"});
  std::vector<std::string> entries;
  for_each_object(metrics, [&](const json::object& m, size_t i) {
    const json::object* status = statuses && i < statuses->size() && (*statuses)[i].is_object()
                                     ? &(*statuses)[i].get_object()
                                     : nullptr;
    entries.push_back(target_entry(m, status));
  });
  if (entries.size() <= kShown) return join(entries, ", ");
  std::vector<std::string> first(entries.begin(), entries.begin() + kShown);
  return join(first, ", ") + " + " + std::to_string(entries.size() - kShown) + " more...";
}

json::array hpa_row(const json::object& hpa, Clock::time_point now) {
  const auto min = int_at(hpa, {"spec", "minReplicas"});
  return json::array{name_of(hpa),
                     string_at(hpa, {"spec", "scaleTargetRef", "kind"}) + "/" +
                         string_at(hpa, {"spec", "scaleTargetRef", "name"}),
                     targets_cell(hpa),
                     min ? std::to_string(*min) : "<unset>",
                     int_or(hpa, {"spec", "maxReplicas"}, 0),
                     int_or(hpa, {"status", "currentReplicas"}, 0),
                     age_cell(hpa, now)};
}

json::object as_v2(const json::object& hpa) {
  json::object copy = hpa;
  convert_hpa(copy, "v2");
  return copy;
}

TypeInfo hpa_type(const char* version) {
  TypeInfo t = make_type("autoscaling", version, "HorizontalPodAutoscaler", "horizontalpodautoscalers", true,
                         {"hpa"}, {"all"});
  t.status_subresource = true;
  t.storage_version = "v2";
  t.convert = convert_hpa;
  t.printer_columns = {name_column(),
                       column("Reference", "string", "The scaled object, kind/name."),
                       column("Targets", "string", "Current value over target of each metric."),
                       column("MinPods", "string", "Lower limit of replicas."),
                       column("MaxPods", "string", "Upper limit of replicas."),
                       column("Replicas", "string", "Current replicas."),
                       age_column()};
  return t;
}

}  // namespace

void default_hpa_v2(json::object& hpa) {
  json::value& spec_value = hpa["spec"];
  if (!spec_value.is_object()) spec_value = json::object{};
  json::object& spec = spec_value.get_object();
  set_default(spec, "minReplicas", 1);
  const json::array* metrics = array_at(spec, {"metrics"});
  if (!metrics || metrics->empty())
    spec["metrics"] = json::array{json::object{
        {"type", "Resource"},
        {"resource",
         json::object{{"name", "cpu"},
                      {"target", json::object{{"type", "Utilization"},
                                              {"averageUtilization", kDefaultHpaCpuUtilization}}}}}}};
  if (auto* behavior = spec.if_contains("behavior"); behavior && behavior->is_object()) {
    default_rules(behavior->get_object(), "scaleUp", 0, {policy("Pods", 4, 15), policy("Percent", 100, 15)});
    default_rules(behavior->get_object(), "scaleDown", -1, {policy("Percent", 100, 15)});
  }
}

TypeInfo horizontalpodautoscalers_v2_type() {
  TypeInfo t = hpa_type("v2");
  t.schema = hpa_v2_schema();
  t.defaulters.push_back(default_hpa_v2);
  t.validators.push_back(
      [](const json::object& o, const json::object*, std::vector<FieldError>& out) { validate_v2(o, out); });
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) { return hpa_row(o, now); });
  return t;
}

TypeInfo horizontalpodautoscalers_v1_type() {
  TypeInfo t = hpa_type("v1");
  t.schema = hpa_v1_schema();
  t.defaulters.push_back([](json::object& o) {
    json::value& spec = o["spec"];
    if (!spec.is_object()) spec = json::object{};
    set_default(spec.get_object(), "minReplicas", 1);
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    json::object v2 = as_v2(o);
    default_hpa_v2(v2);
    validate_v2(v2, out);
  });
  t.table_row =
      at_call_time([](const json::object& o, Clock::time_point now) { return hpa_row(as_v2(o), now); });
  return t;
}

}  // namespace ukube::builtin
