#include "common/labels.h"

#include <algorithm>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/json.h"
#include "common/names.h"

namespace ukube::builtin {
namespace {

std::vector<std::string> string_list(const json::value* v) {
  std::vector<std::string> out;
  if (const auto* a = v ? v->if_array() : nullptr)
    for (const auto& s : *a) out.emplace_back(as_string(s));
  return out;
}

}  // namespace

bool selector_is_empty(const json::object& selector) {
  const auto* labels = object_at(selector, {"matchLabels"});
  const auto* exprs = array_at(selector, {"matchExpressions"});
  return (!labels || labels->empty()) && (!exprs || exprs->empty());
}

std::string go_string_map(const json::object* labels) {
  if (!labels) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  const Labels sorted = machinery::to_labels(labels);
  for (const auto& [k, v] : sorted.entries()) {
    out += (first ? "" : ", ") + quote(k) + ":" + quote(v);
    first = false;
  }
  return out + "}";
}

std::string go_label_selector(const json::object* selector) {
  if (!selector) return "(*v1.LabelSelector)(nil)";
  std::string out = "v1.LabelSelector{MatchLabels:" + go_string_map(object_at(*selector, {"matchLabels"})) +
                    ", MatchExpressions:";
  const auto* exprs = array_at(*selector, {"matchExpressions"});
  if (!exprs) return out + "[]v1.LabelSelectorRequirement(nil)}";
  out += "[]v1.LabelSelectorRequirement{";
  bool first = true;
  for_each_object(exprs, [&](const json::object& r, size_t) {
    auto values = string_list(r.if_contains("values"));
    std::string vals = r.contains("values") ? "[]string{" : "[]string(nil)";
    if (r.contains("values")) {
      for (size_t i = 0; i < values.size(); ++i) vals += (i ? ", " : "") + quote(values[i]);
      vals += "}";
    }
    out += std::string(first ? "" : ", ") +
           "v1.LabelSelectorRequirement{Key:" + quote(string_at(r, {"key"})) +
           ", Operator:" + quote(string_at(r, {"operator"})) + ", Values:" + vals + "}";
    first = false;
  });
  return out + "}}";
}

void validate_label_map(Errors& e, const FieldPath& p, const json::object& labels) {
  for (const auto& m : labels) {
    std::string_view key(m.key().data(), m.key().size());
    report(e, p, key, qualified_name_errors(key));
    std::string_view value = as_string(m.value());
    report(e, p, value, label_value_errors(value));
  }
}

void validate_label_selector(Errors& e, const FieldPath& p, const json::object& selector) {
  if (const auto* labels = object_at(selector, {"matchLabels"}))
    validate_label_map(e, p.child("matchLabels"), *labels);
  for_each_object(array_at(selector, {"matchExpressions"}), [&](const json::object& r, size_t i) {
    FieldPath rp = p.child("matchExpressions").index(i);
    std::string op = string_at(r, {"operator"});
    const auto* values = array_at(r, {"values"});
    bool has_values = values && !values->empty();
    if (op == "In" || op == "NotIn") {
      if (!has_values) e.required(rp.child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (has_values)
        e.forbidden(rp.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else {
      e.invalid(rp.child("operator"), quote(op), "not a valid selector operator");
    }
    std::string key = string_at(r, {"key"});
    report(e, rp.child("key"), key, qualified_name_errors(key));
  });
}

}  // namespace ukube::builtin
