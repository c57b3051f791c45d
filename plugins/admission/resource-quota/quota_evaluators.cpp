#include "quota_evaluators.h"
#include "ukube/machinery/pod.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>

namespace ukube::admission {

QuotaEvaluator::~QuotaEvaluator() = default;

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Quantity one() {
  return Quantity::of(1);
}

// IsNativeResource: no domain, or the kubernetes.io domain.
bool is_native(std::string_view name) {
  return name.find('/') == std::string_view::npos || name.find("kubernetes.io/") != std::string_view::npos;
}

// IsExtendedResourceName (the qualified-name check of requests.<name> aside).
bool is_extended(std::string_view name) {
  return !is_native(name) && !starts_with(name, "requests.");
}

// podComputeUsageHelper: what a set of requests and limits is charged as.
ResourceList compute_usage(const ResourceList& requests, const ResourceList& limits) {
  ResourceList out;
  out["pods"] = one();
  auto both = [&](const char* resource, const char* requests_name) {
    if (auto it = requests.find(resource); it != requests.end()) {
      out[resource] = it->second;
      out[requests_name] = it->second;
    }
  };
  both("cpu", "requests.cpu");
  both("memory", "requests.memory");
  both("ephemeral-storage", "requests.ephemeral-storage");
  for (const char* resource : {"cpu", "memory", "ephemeral-storage"})
    if (auto it = limits.find(resource); it != limits.end())
      out["limits." + std::string(resource)] = it->second;
  for (const auto& [name, q] : requests) {
    if (starts_with(name, "hugepages-")) {
      out[name] = q;
      out["requests." + name] = q;
    }
    if (is_extended(name)) out["requests." + name] = q;
  }
  return out;
}

const ResourceNames kPodResources = {"count/pods",
                                     "cpu",
                                     "memory",
                                     "ephemeral-storage",
                                     "requests.cpu",
                                     "requests.memory",
                                     "requests.ephemeral-storage",
                                     "limits.cpu",
                                     "limits.memory",
                                     "limits.ephemeral-storage",
                                     "pods"};
// The resources for which a quota makes every container state its request or limit.
const ResourceNames kPodValidation = {"cpu",        "memory",       "requests.cpu", "requests.memory",
                                      "limits.cpu", "limits.memory"};

bool has_cross_namespace_terms(const json::object& pod) {
  auto term_crosses = [](const json::object& term) {
    const auto* namespaces = array_at(term, {"namespaces"});
    const auto* selector = value_at(term, {"namespaceSelector"});
    return (namespaces && !namespaces->empty()) || (selector && !selector->is_null());
  };
  for (const char* kind : {"podAffinity", "podAntiAffinity"}) {
    const auto* affinity = object_at(pod, {"spec", "affinity", kind});
    if (!affinity) continue;
    if (const auto* required = array_at(*affinity, {"requiredDuringSchedulingIgnoredDuringExecution"}))
      for (const auto& t : *required)
        if (t.is_object() && term_crosses(t.get_object())) return true;
    if (const auto* preferred = array_at(*affinity, {"preferredDuringSchedulingIgnoredDuringExecution"}))
      for (const auto& t : *preferred)
        if (const auto* term = t.is_object() ? object_at(t.get_object(), {"podAffinityTerm"}) : nullptr;
            term && term_crosses(*term))
          return true;
  }
  return false;
}

// time.Time from RFC 3339 ("2024-01-02T03:04:05Z", fraction or offset allowed).
std::optional<std::chrono::system_clock::time_point> parse_time(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
  std::string_view rest = std::string_view(text).substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    size_t end = 1;
    while (end < rest.size() && std::isdigit(static_cast<unsigned char>(rest[end]))) ++end;
    rest.remove_prefix(end);
  }
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-')) {
    int hours = std::atoi(std::string(rest.substr(1, 2)).c_str());
    int minutes = std::atoi(std::string(rest.substr(4, 2)).c_str());
    auto offset = std::chrono::hours(hours) + std::chrono::minutes(minutes);
    t = rest[0] == '+' ? t - offset : t + offset;
  }
  return t;
}

class PodEvaluator final : public QuotaEvaluator {
 public:
  ResourceNames matching(const ResourceNames& names) const override {
    ResourceNames out;
    for (const auto& name : names)
      if (kPodResources.count(name) || starts_with(name, "hugepages-") ||
          starts_with(name, "requests.hugepages-") || (!is_native(name) && starts_with(name, "requests.")))
        out.insert(name);
    return out;
  }

  ResourceList usage(const json::object& pod) const override {
    // count/pods counts every stored pod; the rest only pods that still run or may.
    ResourceList out{{"count/pods", one()}};
    if (!pod_counts_for_compute(pod)) return out;
    const json::object empty;
    const json::object* spec = object_at(pod, {"spec"});
    if (!spec) spec = &empty;
    return add(out, compute_usage(pod_requests(*spec, true), pod_limits(*spec, true)));
  }

  bool matches_scope(const ScopeRequirement& s, const json::object& pod) const override {
    const auto* deadline = value_at(pod, {"spec", "activeDeadlineSeconds"});
    bool terminating = deadline && deadline->is_number() && deadline->to_number<double>() >= 0;
    if (s.scope == "Terminating") return terminating;
    if (s.scope == "NotTerminating") return !terminating;
    if (s.scope == "BestEffort") return pod_is_best_effort(pod);
    if (s.scope == "NotBestEffort") return !pod_is_best_effort(pod);
    if (s.scope == "CrossNamespacePodAffinity") return has_cross_namespace_terms(pod);
    if (s.scope == "PriorityClass") {
      std::string cls = string_at(pod, {"spec", "priorityClassName"});
      bool listed = std::find(s.values.begin(), s.values.end(), cls) != s.values.end();
      if (s.op == "Exists") return !cls.empty();
      if (s.op == "DoesNotExist") return cls.empty();
      if (s.op == "In") return !cls.empty() && listed;
      if (s.op == "NotIn") return cls.empty() || !listed;
    }
    return false;
  }

  std::string constraints(const ResourceNames& required, const json::object& pod) const override {
    ResourceNames needed;
    for (const auto& name : required)
      if (kPodValidation.count(name)) needed.insert(name);
    if (needed.empty()) return {};
    std::map<std::string, ResourceNames> missing;  // resource -> containers
    const json::object empty;
    const json::object* spec = object_at(pod, {"spec"});
    for_each_container(spec ? *spec : empty, [&](const json::object& c, bool) {
      ResourceNames has = names_of(compute_usage(container_requests(c), container_limits(c)));
      for (const auto& name : needed)
        if (!has.count(name)) missing[name].insert(string_at(c, {"name"}));
    });
    if (missing.empty()) return {};
    std::string out;
    for (const auto& [resource, containers] : missing)
      out += (out.empty() ? "" : "; ") + resource + " for: " + join_names(containers);
    return "must specify " + out;
  }
};

class ServiceEvaluator final : public QuotaEvaluator {
 public:
  bool handles(AdmissionOperation op) const override {
    return op == AdmissionOperation::Create || op == AdmissionOperation::Update;
  }
  ResourceNames matching(const ResourceNames& names) const override {
    static const ResourceNames mine = {"count/services", "services", "services.nodeports",
                                       "services.loadbalancers"};
    ResourceNames out;
    for (const auto& n : names)
      if (mine.count(n)) out.insert(n);
    return out;
  }
  ResourceList usage(const json::object& svc) const override {
    const auto* ports = array_at(svc, {"spec", "ports"});
    int64_t count = ports ? static_cast<int64_t>(ports->size()) : 0;
    ResourceList out{{"count/services", one()},
                     {"services", one()},
                     {"services.loadbalancers", Quantity()},
                     {"services.nodeports", Quantity()}};
    std::string type = string_at(svc, {"spec", "type"});
    if (type == "NodePort") out["services.nodeports"] = Quantity::of(count);
    if (type == "LoadBalancer") {
      const auto* allocate = value_at(svc, {"spec", "allocateLoadBalancerNodePorts"});
      if (allocate && allocate->is_bool() && !allocate->get_bool()) {
        // Node ports are then only the ones asked for explicitly.
        int64_t explicit_ports = 0;
        if (ports)
          for (const auto& p : *ports) {
            const auto* node_port = p.is_object() ? p.get_object().if_contains("nodePort") : nullptr;
            if (node_port && node_port->is_number() && node_port->to_number<double>() != 0) ++explicit_ports;
          }
        out["services.nodeports"] = Quantity::of(explicit_ports);
      } else {
        out["services.nodeports"] = Quantity::of(count);
      }
      out["services.loadbalancers"] = one();
    }
    return out;
  }
};

constexpr std::string_view kStorageClassSuffix = ".storageclass.storage.k8s.io/";

class ClaimEvaluator final : public QuotaEvaluator {
 public:
  bool handles(AdmissionOperation op) const override {
    return op == AdmissionOperation::Create || op == AdmissionOperation::Update;
  }
  ResourceNames matching(const ResourceNames& names) const override {
    ResourceNames out;
    for (const auto& n : names)
      if (n == "count/persistentvolumeclaims" || n == "persistentvolumeclaims" || n == "requests.storage" ||
          ends_with(n, std::string(kStorageClassSuffix) + "persistentvolumeclaims") ||
          ends_with(n, std::string(kStorageClassSuffix) + "requests.storage"))
        out.insert(n);
    return out;
  }
  ResourceList usage(const json::object& pvc) const override {
    ResourceList out{{"persistentvolumeclaims", one()}, {"count/persistentvolumeclaims", one()}};
    std::string cls = string_at(pvc, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
    if (cls.empty()) cls = string_at(pvc, {"spec", "storageClassName"});
    std::string prefix = cls + std::string(kStorageClassSuffix);
    if (!cls.empty()) out[prefix + "persistentvolumeclaims"] = one();
    const auto* request = value_at(pvc, {"spec", "resources", "requests", "storage"});
    std::optional<Quantity> storage = request ? Quantity::from_json(*request) : std::nullopt;
    // An expansion in progress is charged at the larger of request and allocation.
    if (const auto* allocated = value_at(pvc, {"status", "allocatedResources", "storage"}))
      if (auto a = Quantity::from_json(*allocated); a && (!storage || a->compare(*storage) > 0)) storage = a;
    if (storage) {
      out["requests.storage"] = *storage;
      if (!cls.empty()) out[prefix + "requests.storage"] = *storage;
    }
    return out;
  }
};

class ObjectCountEvaluator final : public QuotaEvaluator {
 public:
  ObjectCountEvaluator(std::string count_name, std::string legacy_name)
      : count_name_(std::move(count_name)), legacy_name_(std::move(legacy_name)) {}
  ResourceNames matching(const ResourceNames& names) const override {
    ResourceNames out;
    for (const auto& n : names)
      if (n == count_name_ || (!legacy_name_.empty() && n == legacy_name_)) out.insert(n);
    return out;
  }
  ResourceList usage(const json::object&) const override {
    ResourceList out{{count_name_, one()}};
    if (!legacy_name_.empty()) out[legacy_name_] = one();
    return out;
  }

 private:
  std::string count_name_, legacy_name_;
};

}  // namespace

bool pod_is_best_effort(const json::object& pod) {
  const auto* spec = object_at(pod, {"spec"});
  return !spec || machinery::pod_qos_class(*spec) == "BestEffort";
}

bool pod_counts_for_compute(const json::object& pod) {
  std::string phase = string_at(pod, {"status", "phase"});
  if (phase == "Failed" || phase == "Succeeded") return false;
  // A pod past its deletion grace period is as good as gone.
  std::string deleted = string_at(pod, {"metadata", "deletionTimestamp"});
  const auto* grace = value_at(pod, {"metadata", "deletionGracePeriodSeconds"});
  if (!deleted.empty() && grace && grace->is_number()) {
    auto at = parse_time(deleted);
    if (at && std::chrono::system_clock::now() >
                  *at + std::chrono::seconds(static_cast<int64_t>(grace->to_number<double>())))
      return false;
  }
  return true;
}

std::vector<ScopeRequirement> quota_scopes(const json::object& quota) {
  std::vector<ScopeRequirement> out;
  if (const auto* scopes = array_at(quota, {"spec", "scopes"}))
    for (const auto& s : *scopes)
      if (s.is_string()) out.push_back({std::string(s.get_string()), "Exists", {}});
  if (const auto* exprs = array_at(quota, {"spec", "scopeSelector", "matchExpressions"}))
    for (const auto& e : *exprs) {
      if (!e.is_object()) continue;
      ScopeRequirement r{
          string_at(e.get_object(), {"scopeName"}), string_at(e.get_object(), {"operator"}), {}};
      if (const auto* values = array_at(e.get_object(), {"values"}))
        for (const auto& v : *values)
          if (v.is_string()) r.values.emplace_back(v.get_string());
      out.push_back(std::move(r));
    }
  return out;
}

bool QuotaEvaluator::matches(const json::object& quota, const json::object& object) const {
  ResourceNames hard = names_of(parse_resource_list(object_at(quota, {"status", "hard"})));
  if (matching(hard).empty()) return false;
  for (const auto& scope : quota_scopes(quota))
    if (!matches_scope(scope, object)) return false;
  return true;
}

bool quota_ignores(const TypeInfo& type) {
  if (!type.namespaced || type.ephemeral_create) return true;
  if (type.plural == "events" && (type.group.empty() || type.group == "events.k8s.io")) return true;
  return false;
}

std::shared_ptr<const QuotaEvaluator> evaluator_for(const TypeInfo& type) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const QuotaEvaluator>> cache;
  std::string key = type.plural + "." + type.group;
  std::lock_guard lock(mutex);
  auto& e = cache[key];
  if (e) return e;
  if (type.group.empty() && type.plural == "pods")
    e = std::make_shared<PodEvaluator>();
  else if (type.group.empty() && type.plural == "services")
    e = std::make_shared<ServiceEvaluator>();
  else if (type.group.empty() && type.plural == "persistentvolumeclaims")
    e = std::make_shared<ClaimEvaluator>();
  else {
    std::string count = "count/" + type.plural + (type.group.empty() ? "" : "." + type.group);
    bool legacy =
        type.group.empty() && (type.plural == "configmaps" || type.plural == "secrets" ||
                               type.plural == "replicationcontrollers" || type.plural == "resourcequotas");
    e = std::make_shared<ObjectCountEvaluator>(count, legacy ? type.plural : "");
  }
  return e;
}

}  // namespace ukube::admission
