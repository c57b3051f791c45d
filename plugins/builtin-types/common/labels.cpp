#include "common/labels.h"

#include <algorithm>
#include <map>
#include <vector>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/names.h"

namespace ukube::builtin {
namespace {

std::map<std::string, std::string> sorted(const json::object* labels) {
  std::map<std::string, std::string> out;
  if (labels)
    for (const auto& m : *labels) out[std::string(m.key())] = std::string(as_string(m.value()));
  return out;
}

std::vector<std::string> string_list(const json::value* v) {
  std::vector<std::string> out;
  if (const auto* a = v ? v->if_array() : nullptr)
    for (const auto& s : *a) out.emplace_back(as_string(s));
  return out;
}

bool valid_label_value(std::string_view v) {
  if (v.empty()) return true;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  return v.size() <= 63 && alnum(v.front()) && alnum(v.back()) &&
         std::all_of(v.begin(), v.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

constexpr std::string_view kLabelValueRule =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

}  // namespace

std::string format_labels(const json::object* labels) {
  auto m = sorted(labels);
  if (m.empty()) return "<none>";
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

std::string selector_string(const json::object* selector) {
  if (!selector) return "<none>";
  // One requirement per key, sorted by key, as upstream's selector String() does.
  std::vector<std::pair<std::string, std::string>> reqs;
  for (const auto& [k, v] : sorted(object_at(*selector, {"matchLabels"}))) reqs.emplace_back(k, k + "=" + v);
  for_each_object(array_at(*selector, {"matchExpressions"}), [&](const json::object& r, size_t) {
    std::string key = string_at(r, {"key"}), op = string_at(r, {"operator"});
    auto values = string_list(r.if_contains("values"));
    std::sort(values.begin(), values.end());
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
    if (op == "In")
      reqs.emplace_back(key, key + " in (" + joined + ")");
    else if (op == "NotIn")
      reqs.emplace_back(key, key + " notin (" + joined + ")");
    else if (op == "Exists")
      reqs.emplace_back(key, key);
    else if (op == "DoesNotExist")
      reqs.emplace_back(key, "!" + key);
  });
  std::stable_sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& r : reqs) out += (out.empty() ? "" : ",") + r.second;
  return out;
}

bool selector_matches(const json::object& selector, const json::object* labels) {
  auto have = sorted(labels);
  for (const auto& [k, v] : sorted(object_at(selector, {"matchLabels"}))) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  bool ok = true;
  for_each_object(array_at(selector, {"matchExpressions"}), [&](const json::object& r, size_t) {
    std::string key = string_at(r, {"key"}), op = string_at(r, {"operator"});
    auto values = string_list(r.if_contains("values"));
    auto it = have.find(key);
    bool present = it != have.end();
    bool listed = present && std::find(values.begin(), values.end(), it->second) != values.end();
    if (op == "In" && !listed) ok = false;
    if (op == "NotIn" && listed) ok = false;
    if (op == "Exists" && !present) ok = false;
    if (op == "DoesNotExist" && present) ok = false;
  });
  return ok;
}

bool selector_is_empty(const json::object& selector) {
  const auto* labels = object_at(selector, {"matchLabels"});
  const auto* exprs = array_at(selector, {"matchExpressions"});
  return (!labels || labels->empty()) && (!exprs || exprs->empty());
}

std::string go_string_map(const json::object* labels) {
  if (!labels) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : sorted(labels)) {
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
    if (!valid_label_value(value)) e.invalid(p, quote(value), kLabelValueRule);
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
