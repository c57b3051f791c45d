#include "daemonset_util.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/json.hpp>

#include "ukube/machinery/int_or_string.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/node_affinity.h"
#include "ukube/machinery/taints.h"

namespace ukube::controllers::daemonset {
namespace json = boost::json;
using machinery::object_at;
using machinery::string_at;

namespace {

json::object toleration(const char* key, const char* effect) {
  return {{"key", key}, {"operator", "Exists"}, {"effect", effect}};
}

// Adds `t` unless a toleration of the same key and effect is there (upstream replaces it
// with its own; a template's own toleration of such a taint means the same thing here).
void add_toleration(json::array& tolerations, json::object t) {
  for (const auto& v : tolerations)
    if (const auto* o = v.if_object(); o && string_at(*o, {"key"}) == string_at(t, {"key"}) &&
                                       string_at(*o, {"effect"}) == string_at(t, {"effect"}))
      return;
  tolerations.emplace_back(std::move(t));
}

json::object name_requirement(const std::string& node_name) {
  return {{"key", "metadata.name"}, {"operator", "In"}, {"values", json::array{json::value(node_name)}}};
}

}  // namespace

NodeFit node_should_run(const json::object& pod_spec, const json::object& node) {
  const std::string node_name = machinery::name_of(node);
  if (const std::string wanted = string_at(pod_spec, {"nodeName"}); !wanted.empty() && wanted != node_name)
    return {};
  auto affinity = machinery::RequiredNodeAffinity::from_pod_spec(pod_spec);
  if (!affinity.matches(node)) return {};
  const auto taints = machinery::parse_taints(machinery::array_at(node, {"spec", "taints"}));
  const auto tolerations = machinery::parse_tolerations(machinery::array_at(pod_spec, {"tolerations"}));
  if (!machinery::find_untolerated_taint(taints, tolerations, machinery::keeps_pods_off)) return {true, true};
  // A pod already there stays unless a NoExecute taint would evict it.
  const bool evicted = machinery::find_untolerated_taint(
      taints, tolerations, [](const Taint& t) { return t.effect == TaintEffect::NoExecute; });
  return {false, !evicted};
}

void add_daemon_tolerations(json::object& pod_spec) {
  auto& tolerations = machinery::child_array(pod_spec, "tolerations");
  add_toleration(tolerations, toleration("node.kubernetes.io/not-ready", "NoExecute"));
  add_toleration(tolerations, toleration("node.kubernetes.io/unreachable", "NoExecute"));
  add_toleration(tolerations, toleration("node.kubernetes.io/disk-pressure", "NoSchedule"));
  add_toleration(tolerations, toleration("node.kubernetes.io/memory-pressure", "NoSchedule"));
  add_toleration(tolerations, toleration("node.kubernetes.io/pid-pressure", "NoSchedule"));
  add_toleration(tolerations, toleration("node.kubernetes.io/unschedulable", "NoSchedule"));
  if (machinery::bool_at(pod_spec, {"hostNetwork"}).value_or(false))
    add_toleration(tolerations, toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
}

json::object daemon_pod_spec(const json::object& ds) {
  json::object spec = machinery::object_or_empty(object_at(ds, {"spec", "template", "spec"}));
  add_daemon_tolerations(spec);
  return spec;
}

void require_node(json::object& pod_spec, const std::string& node_name) {
  auto& node_affinity = machinery::child(machinery::child(pod_spec, "affinity"), "nodeAffinity");
  auto& required = machinery::child(node_affinity, "requiredDuringSchedulingIgnoredDuringExecution");
  auto& terms = machinery::child_array(required, "nodeSelectorTerms");
  if (terms.empty()) terms.emplace_back(json::object{});
  // Every term keeps its label expressions and now also names the node: whichever term
  // the node satisfies, the pod can only go there.
  for (auto& term : terms) {
    if (!term.is_object()) term = json::object{};
    term.get_object()["matchFields"] = json::array{name_requirement(node_name)};
  }
}

std::string target_node(const json::object& pod) {
  if (std::string name = string_at(pod, {"spec", "nodeName"}); !name.empty()) return name;
  const auto* terms =
      machinery::array_at(pod, {"spec", "affinity", "nodeAffinity",
                                "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"});
  std::string found;
  machinery::for_each_object(terms, [&](const json::object& term, size_t) {
    machinery::for_each_object(machinery::array_at(term, {"matchFields"}),
                               [&](const json::object& field, size_t) {
                                 const auto values = machinery::strings_at(field, {"values"});
                                 if (found.empty() && string_at(field, {"key"}) == "metadata.name" &&
                                     string_at(field, {"operator"}) == "In" && values.size() == 1)
                                   found = values.front();
                               });
  });
  return found;
}

json::object pod_template_for_node(const json::object& ds, const std::string& hash,
                                   const std::string& node_name) {
  json::object pod_template = machinery::object_or_empty(object_at(ds, {"spec", "template"}));
  auto& meta = machinery::child(pod_template, "metadata");
  machinery::child(meta, "labels")[kRevisionHashLabel] = hash;
  machinery::child(meta, "annotations")[kTemplateGenerationAnnotation] =
      std::to_string(machinery::int_or(ds, {"metadata", "generation"}, 0));
  auto& spec = machinery::child(pod_template, "spec");
  add_daemon_tolerations(spec);
  require_node(spec, node_name);
  return pod_template;
}

UpdateBudget update_budget(const json::object& ds, int64_t desired) {
  const auto& rolling =
      machinery::object_or_empty(object_at(ds, {"spec", "updateStrategy", "rollingUpdate"}));
  UpdateBudget budget;
  budget.max_surge = machinery::scaled_value(rolling.if_contains("maxSurge"), desired, true);
  budget.max_unavailable = machinery::scaled_value(rolling.if_contains("maxUnavailable"), desired, false);
  if (!rolling.if_contains("maxUnavailable") && !rolling.if_contains("maxSurge")) budget.max_unavailable = 1;
  // Neither may stop an update: upstream lets one pod be unavailable then.
  if (budget.max_surge == 0 && budget.max_unavailable == 0) budget.max_unavailable = 1;
  return budget;
}

uint32_t fnv32a(std::string_view bytes, uint32_t seed) {
  uint32_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string safe_encode(std::string_view text) {
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string out(text.size(), ' ');
  for (size_t i = 0; i < text.size(); ++i)
    out[i] = kAlphanums[static_cast<unsigned char>(text[i]) % kAlphanums.size()];
  return out;
}

std::string canonical(const json::value& v) {
  if (const auto* o = v.if_object()) {
    std::vector<std::string_view> keys;
    for (const auto& kv : *o) keys.push_back(kv.key());
    std::sort(keys.begin(), keys.end());
    std::string out = "{";
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ',';
      out += json::serialize(json::value(keys[i])) + ':' + canonical(o->at(keys[i]));
    }
    return out + '}';
  }
  if (const auto* a = v.if_array()) {
    std::string out = "[";
    for (size_t i = 0; i < a->size(); ++i) {
      if (i) out += ',';
      out += canonical((*a)[i]);
    }
    return out + ']';
  }
  return json::serialize(v);
}

std::string template_hash(const json::object& pod_template, std::optional<int64_t> collision_count) {
  uint32_t h = fnv32a(canonical(pod_template));
  // The collision count moves the hash so a name taken by another revision is avoided.
  if (collision_count) h = fnv32a(std::to_string(*collision_count), h);
  return safe_encode(std::to_string(h));
}

}  // namespace ukube::controllers::daemonset
