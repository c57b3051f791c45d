#include "replica_calculator.h"

#include <boost/json.hpp>
#include <cmath>
#include <functional>
#include <set>

#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/quantity.h"

namespace ukube::controllers::hpa {
namespace json = boost::json;
using machinery::string_at;

namespace {

struct PodGroups {
  int ready = 0;
  std::set<std::string> unready, missing, ignored;
};

// A CPU metric taken before the pod settled does not count: while the pod is starting up
// (cpu_initialization_period), unless it has been Ready for a whole metric window; after
// that, only when it never became Ready.
bool cpu_unready(const json::object& pod, const PodMetric& metric, const CalculatorSettings& s,
                 Clock::time_point now) {
  const json::object* condition = machinery::find_condition(pod, "Ready");
  const auto start = machinery::parse_time(string_at(pod, {"status", "startTime"}));
  if (!condition || !start) return true;
  const bool ready = string_at(*condition, {"status"}) != "False";
  const auto transition =
      machinery::parse_time(string_at(*condition, {"lastTransitionTime"})).value_or(*start);
  if (*start + s.cpu_initialization_period > now)
    return !ready || metric.timestamp < transition + metric.window;
  return !ready && *start + s.delay_of_initial_readiness > transition;
}

PodGroups group_pods(const std::vector<const json::object*>& pods, const PodMetrics& metrics,
                     const std::string& resource, const CalculatorSettings& s, Clock::time_point now) {
  PodGroups g;
  for (const json::object* pod : pods) {
    const std::string name = string_at(*pod, {"metadata", "name"});
    const std::string phase = string_at(*pod, {"status", "phase"});
    if (machinery::has_deletion_timestamp(*pod) || phase == "Failed") {
      g.ignored.insert(name);
      continue;
    }
    if (phase == "Pending") {
      g.unready.insert(name);
      continue;
    }
    auto metric = metrics.find(name);
    if (metric == metrics.end()) {
      g.missing.insert(name);
      continue;
    }
    if (resource == "cpu" && cpu_unready(*pod, metric->second, s, now)) {
      g.unready.insert(name);
      continue;
    }
    ++g.ready;
  }
  return g;
}

void drop(PodMetrics& metrics, const std::set<std::string>& names) {
  for (const auto& n : names) metrics.erase(n);
}

bool within_tolerance(double ratio, const CalculatorSettings& s) {
  return std::fabs(1.0 - ratio) <= s.tolerance;
}

struct Utilization {
  double ratio = 0;
  int32_t percent = 0;
  int64_t average_milli = 0;
};

Utilization utilization_of(const PodMetrics& metrics, const std::map<std::string, int64_t>& requests,
                           int32_t target) {
  int64_t used = 0, requested = 0, counted = 0;
  for (const auto& [name, metric] : metrics) {
    auto request = requests.find(name);
    if (request == requests.end()) continue;
    used += metric.milli;
    requested += request->second;
    ++counted;
  }
  if (requested == 0) throw CalculationError("no metrics returned matched known pods");
  Utilization u;
  u.percent = static_cast<int32_t>(used * 100 / requested);
  u.ratio = static_cast<double>(u.percent) / target;
  u.average_milli = used / counted;
  return u;
}

struct Usage {
  double ratio = 0;
  int64_t average_milli = 0;
};

Usage usage_of(const PodMetrics& metrics, int64_t target_milli) {
  int64_t total = 0;
  for (const auto& [name, metric] : metrics) total += metric.milli;
  Usage u;
  u.average_milli = total / static_cast<int64_t>(metrics.size());
  u.ratio = static_cast<double>(u.average_milli) / static_cast<double>(target_milli);
  return u;
}

const std::vector<const json::object*>& selected(const CalculatorInput& in) {
  if (!in.pods || in.pods->empty())
    throw CalculationError("no pods returned by selector while calculating replica count");
  return *in.pods;
}

// Whether a second estimate, with the missing and unready pods filled in, turns around or
// lands within tolerance: then the count stays.
bool keeps_current(double ratio, double new_ratio, const CalculatorSettings& s) {
  return within_tolerance(new_ratio, s) || (ratio < 1.0 && new_ratio > 1.0) ||
         (ratio > 1.0 && new_ratio < 1.0);
}

int32_t rebalanced(double new_ratio, size_t counted, int32_t current) {
  const auto replicas = static_cast<int32_t>(std::ceil(new_ratio * static_cast<double>(counted)));
  if ((new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current)) return current;
  return replicas;
}

constexpr const char* kNoMetrics = "did not receive metrics for targeted pods (pods might be unready)";

}  // namespace

std::map<std::string, int64_t> pod_requests(const std::vector<const json::object*>& pods,
                                            const std::string& resource, const std::string& container) {
  std::map<std::string, int64_t> out;
  for (const json::object* pod : pods) {
    const std::string pod_name = string_at(*pod, {"metadata", "name"});
    int64_t sum = 0;
    auto add = [&](const json::value& c) {
      if (!c.is_object()) return;
      const json::object& spec = c.get_object();
      const std::string name = string_at(spec, {"name"});
      if (!container.empty() && container != name) return;
      const json::value* request = machinery::value_at(spec, {"resources", "requests", resource});
      auto quantity = request ? machinery::Quantity::from_json(*request) : std::nullopt;
      if (!quantity)
        throw CalculationError("missing request for " + resource + " in container " + name + " of Pod " +
                               pod_name);
      sum += quantity->milli_value();
    };
    if (const json::array* containers = machinery::array_at(*pod, {"spec", "containers"}))
      for (const auto& c : *containers) add(c);
    if (const json::array* init = machinery::array_at(*pod, {"spec", "initContainers"}))
      for (const auto& c : *init)
        if (c.is_object() && string_at(c.get_object(), {"restartPolicy"}) == "Always") add(c);
    out[pod_name] = sum;
  }
  return out;
}

namespace {

// The selected pods sorted into groups, and the metrics of those that do not count dropped.
PodGroups settle(CalculatorInput& in, const CalculatorSettings& s) {
  PodGroups g = group_pods(selected(in), in.metrics, in.resource, s, in.now);
  drop(in.metrics, g.ignored);
  drop(in.metrics, g.unready);
  return g;
}

// The usage ratio of a set of metrics, and what a pod without metrics is assumed to use when
// the target is scaling down.
struct RatioRule {
  std::function<double(const PodMetrics&)> ratio;
  std::function<int64_t(const std::string& pod)> busy;
};

// From the first ratio to a replica count: straight from the ready pods when every pod
// reported, else again with the missing pods assumed at the edge that works against the
// move (busy on the way down, idle on the way up) and unready ones idle on the way up.
int32_t replicas_from(CalculatorInput& in, const PodGroups& g, double ratio, const RatioRule& rule,
                      const CalculatorSettings& s) {
  const bool up_with_unready = !g.unready.empty() && ratio > 1.0;
  if (!up_with_unready && g.missing.empty())
    return within_tolerance(ratio, s) ? in.current_replicas
                                      : static_cast<int32_t>(std::ceil(ratio * g.ready));
  for (const auto& name : g.missing) {
    if (ratio < 1.0)
      in.metrics[name].milli = rule.busy(name);
    else if (ratio > 1.0)
      in.metrics[name].milli = 0;
  }
  if (up_with_unready)
    for (const auto& name : g.unready) in.metrics[name].milli = 0;
  const double new_ratio = rule.ratio(in.metrics);
  if (keeps_current(ratio, new_ratio, s)) return in.current_replicas;
  return rebalanced(new_ratio, in.metrics.size(), in.current_replicas);
}

}  // namespace

ReplicaEstimate utilization_replicas(CalculatorInput in, int32_t target, const CalculatorSettings& s) {
  const PodGroups g = settle(in, s);
  const auto requests = pod_requests(*in.pods, in.resource, in.container);
  if (in.metrics.empty()) throw CalculationError(kNoMetrics);
  const Utilization first = utilization_of(in.metrics, requests, target);
  const RatioRule rule{[&](const PodMetrics& m) { return utilization_of(m, requests, target).ratio; },
                       [&](const std::string& pod) {
                         auto r = requests.find(pod);
                         return r == requests.end() ? 0 : r->second * std::max<int32_t>(100, target) / 100;
                       }};
  return {replicas_from(in, g, first.ratio, rule, s), first.percent, first.average_milli};
}

ReplicaEstimate average_value_replicas(CalculatorInput in, int64_t target_milli,
                                       const CalculatorSettings& s) {
  const PodGroups g = settle(in, s);
  if (in.metrics.empty()) throw CalculationError(kNoMetrics);
  const Usage first = usage_of(in.metrics, target_milli);
  const RatioRule rule{[&](const PodMetrics& m) { return usage_of(m, target_milli).ratio; },
                       [&](const std::string&) { return target_milli; }};
  return {replicas_from(in, g, first.ratio, rule, s), 0, first.average_milli};
}

}  // namespace ukube::controllers::hpa
