#include "model/match.h"

#include <algorithm>

#include "ukube/machinery/labels.h"

namespace ukube::scheduler {
namespace {

bool contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

bool matches(const NodeSelectorTerm& term, const Labels& labels, std::string_view node_name) {
  if (term.expressions.empty() && term.fields.empty()) return false;
  for (const auto& r : term.expressions)
    if (!matches(r, labels)) return false;
  for (const auto& r : term.fields) {
    if (r.key != "metadata.name") return false;
    // metadata.name is the one field a term can name.
    if (!machinery::matches_value(r, node_name)) return false;
  }
  return true;
}

bool matches_required_node_affinity(const PodInfo& pod, const NodeInfo& node) {
  for (const auto& [k, v] : pod.node_selector.entries()) {
    const std::string* have = node.labels.find(k);
    if (!have || *have != v) return false;
  }
  if (!pod.node_affinity.has_required) return true;
  for (const auto& term : pod.node_affinity.required)
    if (matches(term, node.labels, node.name)) return true;
  return false;
}

bool tolerates(const Toleration& t, const Taint& taint) {
  if (t.effect != TaintEffect::All && t.effect != taint.effect) return false;
  if (t.key.empty()) return t.exists;  // an empty key tolerates every taint only with Exists
  if (t.key != taint.key) return false;
  return t.exists || t.value == taint.value;
}

bool tolerates(std::span<const Toleration> tolerations, const Taint& taint) {
  for (const auto& t : tolerations)
    if (tolerates(t, taint)) return true;
  return false;
}

const Taint* untolerated_hard_taint(std::span<const Toleration> tolerations, const NodeInfo& node) {
  for (const auto& taint : node.taints) {
    if (taint.effect != TaintEffect::NoSchedule && taint.effect != TaintEffect::NoExecute) continue;
    if (!tolerates(tolerations, taint)) return &taint;
  }
  return nullptr;
}

bool term_selects_namespace(const PodAffinityTerm& term, std::string_view owner_ns, std::string_view ns,
                            const Labels* ns_labels) {
  if (term.namespaces.empty() && !term.namespace_selector) return ns == owner_ns;
  if (contains(term.namespaces, ns)) return true;
  if (term.namespace_selector) {
    static const Labels kNone;
    return matches(*term.namespace_selector, ns_labels ? *ns_labels : kNone);
  }
  return false;
}

bool term_matches_pod(const PodAffinityTerm& term, std::string_view owner_ns, const PodInfo& other,
                      const Labels* other_ns_labels) {
  return term_selects_namespace(term, owner_ns, other.ns, other_ns_labels) &&
         matches(term.selector, other.labels);
}

const char* to_string(TaintEffect effect) {
  switch (effect) {
    case TaintEffect::NoSchedule: return "NoSchedule";
    case TaintEffect::PreferNoSchedule: return "PreferNoSchedule";
    case TaintEffect::NoExecute: return "NoExecute";
    case TaintEffect::All: return "";
  }
  return "";
}

}  // namespace ukube::scheduler
