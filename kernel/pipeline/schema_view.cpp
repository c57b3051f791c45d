#include "kernel/pipeline/schema_view.h"

#include <boost/json.hpp>

namespace ukube::pipeline {
namespace {

const boost::json::object* as_object(const boost::json::value* v) {
  return v ? v->if_object() : nullptr;
}

std::string_view as_string(const boost::json::value* v) {
  if (!v || !v->is_string()) return {};
  const auto& s = v->get_string();
  return {s.data(), s.size()};
}

bool as_true(const boost::json::value* v) {
  return v && v->is_bool() && v->get_bool();
}

// Published OpenAPI documents wrap referenced schemas as {allOf: [<schema>]}; look
// through a single-element wrapper so inline and wrapped schemas read the same.
const boost::json::object* unwrap(const boost::json::object* node) {
  for (int depth = 0; node && depth < 4; ++depth) {
    if (node->contains("properties") || node->contains("items") || node->contains("additionalProperties"))
      break;
    const auto* all = node->if_contains("allOf");
    if (!all || !all->is_array() || all->get_array().size() != 1) break;
    const auto* inner = all->get_array()[0].if_object();
    if (!inner) break;
    node = inner;
  }
  return node;
}

}  // namespace

SchemaView::SchemaView(const boost::json::object* node) : outer_(node), inner_(unwrap(node)) {}

const boost::json::value* SchemaView::extension(std::string_view name) const {
  if (!outer_) return nullptr;
  if (const auto* v = outer_->if_contains(name)) return v;
  return inner_ != outer_ ? inner_->if_contains(name) : nullptr;
}

SchemaView SchemaView::field(std::string_view key) const {
  if (!inner_) return {};
  if (const auto* props = as_object(inner_->if_contains("properties")))
    if (const auto* p = as_object(props->if_contains(key))) return SchemaView(p);
  if (const auto* extra = as_object(inner_->if_contains("additionalProperties"))) return SchemaView(extra);
  return {};
}

SchemaView SchemaView::items() const {
  if (!inner_) return {};
  return SchemaView(as_object(inner_->if_contains("items")));
}

bool SchemaView::declares(std::string_view key) const {
  if (!inner_) return false;
  const auto* props = as_object(inner_->if_contains("properties"));
  return props && props->contains(key);
}

SchemaView SchemaView::map_values() const {
  if (!inner_) return {};
  return SchemaView(as_object(inner_->if_contains("additionalProperties")));
}

bool SchemaView::allows(std::string_view key) const {
  if (!inner_) return true;
  if (const auto* props = as_object(inner_->if_contains("properties")); props && props->contains(key))
    return true;
  const auto* extra = inner_->if_contains("additionalProperties");
  return extra && (extra->is_object() || as_true(extra));
}

bool SchemaView::closed() const {
  if (!inner_ || preserves_unknown()) return false;
  const auto* extra = inner_->if_contains("additionalProperties");
  if (extra && (extra->is_object() || as_true(extra))) return false;
  return inner_->contains("properties") || (extra && extra->is_bool());
}

bool SchemaView::preserves_unknown() const {
  return as_true(extension("x-kubernetes-preserve-unknown-fields"));
}

bool SchemaView::atomic_map() const {
  return as_string(extension("x-kubernetes-map-type")) == "atomic";
}

ListKind SchemaView::list_kind() const {
  std::string_view type = as_string(extension("x-kubernetes-list-type"));
  if (type == "set") return ListKind::Set;
  if (type == "map" && !list_map_keys().empty()) return ListKind::Map;
  return ListKind::Atomic;
}

std::vector<std::string> SchemaView::list_map_keys() const {
  std::vector<std::string> keys;
  const auto* v = extension("x-kubernetes-list-map-keys");
  if (!v || !v->is_array()) return keys;
  for (const auto& k : v->get_array())
    if (k.is_string()) keys.emplace_back(k.get_string());
  return keys;
}

std::string_view SchemaView::patch_merge_key() const {
  return as_string(extension("x-kubernetes-patch-merge-key"));
}

std::string_view SchemaView::patch_strategy() const {
  return as_string(extension("x-kubernetes-patch-strategy"));
}

const boost::json::value* SchemaView::default_value() const {
  return extension("default");
}

std::string_view SchemaView::text(const boost::json::value* v) {
  return as_string(v);
}

bool SchemaView::int_or_string() const {
  return as_true(extension("x-kubernetes-int-or-string"));
}

}  // namespace ukube::pipeline
