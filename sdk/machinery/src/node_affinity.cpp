#include "ukube/machinery/node_affinity.h"

#include <boost/json.hpp>

#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/names.h"

namespace ukube::machinery {
namespace {

// One matchExpressions / matchFields list; false (with `error`) when an entry does not
// parse.
bool parse_requirements(const boost::json::array* list, bool fields, std::vector<Requirement>& out,
                        std::string& error) {
  bool ok = true;
  for_each_object(list, [&](const boost::json::object& r, size_t) {
    if (!ok) return;
    Requirement req;
    req.key = string_at(r, {"key"});
    req.values = strings_at(r, {"values"});
    const std::string op = string_at(r, {"operator"});
    auto parsed = operator_from_json(op);
    if (fields) {
      // Field selectors know equality only.
      if (!parsed || (*parsed != SelectorOp::In && *parsed != SelectorOp::NotIn)) {
        error = "matchFields: Unsupported value: " + quote(op) + ": supported values: \"In\", \"NotIn\"";
        ok = false;
      } else if (req.values.size() != 1) {
        error = "matchFields: values: must have one element";
        ok = false;
      }
    } else if (!parsed) {
      error = "matchExpressions: Unsupported value: " + quote(op);
      ok = false;
    } else {
      req.op = *parsed;
      error = requirement_error(req);
      ok = error.empty();
    }
    if (ok) {
      if (parsed) req.op = *parsed;
      out.push_back(std::move(req));
    }
  });
  return ok;
}

}  // namespace

std::optional<NodeSelectorTerm> parse_node_selector_term(const boost::json::object& term,
                                                         std::string* error) {
  std::string why;
  NodeSelectorTerm out;
  if (!parse_requirements(array_at(term, {"matchExpressions"}), false, out.expressions, why) ||
      !parse_requirements(array_at(term, {"matchFields"}), true, out.fields, why)) {
    if (error) *error = std::move(why);
    return std::nullopt;
  }
  if (out.expressions.empty() && out.fields.empty()) return std::nullopt;
  return out;
}

std::vector<NodeSelectorTerm> parse_node_selector(const boost::json::object& selector) {
  std::vector<NodeSelectorTerm> out;
  for_each_object(array_at(selector, {"nodeSelectorTerms"}), [&](const boost::json::object& t, size_t) {
    if (auto term = parse_node_selector_term(t)) out.push_back(std::move(*term));
  });
  return out;
}

bool matches(const NodeSelectorTerm& term, const Labels& node_labels, std::string_view node_name) {
  if (term.expressions.empty() && term.fields.empty()) return false;
  for (const auto& r : term.expressions)
    if (!machinery::matches(r, node_labels)) return false;
  if (node_name.empty()) return true;  // upstream checks fields only when the node has some
  for (const auto& r : term.fields) {
    // metadata.name is the one field a node offers; any other reads as "".
    std::string_view value = r.key == "metadata.name" ? node_name : std::string_view();
    if (!matches_value(r, value)) return false;
  }
  return true;
}

bool matches_any(std::span<const NodeSelectorTerm> terms, const Labels& node_labels,
                 std::string_view node_name) {
  for (const auto& term : terms)
    if (matches(term, node_labels, node_name)) return true;
  return false;
}

bool matches_node_selector(const Labels& node_selector, const Labels& node_labels) {
  for (const auto& [key, value] : node_selector.entries()) {
    const std::string* have = node_labels.find(key);
    if (!have || *have != value) return false;
  }
  return true;
}

RequiredNodeAffinity RequiredNodeAffinity::from_pod_spec(const boost::json::object& pod_spec) {
  RequiredNodeAffinity out;
  out.node_selector = to_labels(object_at(pod_spec, {"nodeSelector"}));
  if (const auto* required = object_at(
          pod_spec, {"affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"})) {
    out.has_required = true;
    out.required = parse_node_selector(*required);
  }
  return out;
}

bool RequiredNodeAffinity::matches(const Labels& node_labels, std::string_view node_name) const {
  if (!matches_node_selector(node_selector, node_labels)) return false;
  return !has_required || matches_any(required, node_labels, node_name);
}

bool RequiredNodeAffinity::matches(const boost::json::object& node) const {
  const Labels labels = to_labels(labels_of(node));
  return matches(labels, name_of(node));
}

}  // namespace ukube::machinery
