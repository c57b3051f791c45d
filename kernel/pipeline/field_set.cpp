#include "kernel/pipeline/field_set.h"

#include <algorithm>
#include <boost/json.hpp>

namespace ukube::pipeline {
namespace {

namespace json = boost::json;

bool has_prefix(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

ListKind kind_of(SchemaView list) {
  return list.known() ? list.list_kind() : ListKind::Atomic;
}

// The element of `list` (a keyed list or a set) that `element` names.
const json::value* element_in(const json::array& list, std::string_view element, SchemaView schema) {
  if (has_prefix(element, "i:")) {
    size_t i = std::strtoul(std::string(element.substr(2)).c_str(), nullptr, 10);
    return i < list.size() ? &list[i] : nullptr;
  }
  const bool by_key = has_prefix(element, "k:");
  for (const auto& item : list)
    if ((by_key ? key_element(item, schema) : value_element(item)) == element) return &item;
  return nullptr;
}

void diff(const json::value& old, const json::value& now, SchemaView schema, FieldSet& changed,
          FieldSet& removed);

void diff_objects(const json::object& o, const json::object& n, SchemaView schema, FieldSet& changed,
                  FieldSet& removed) {
  if (n.empty() && !o.empty()) changed.member = true;
  for (const auto& m : n) {
    const auto* before = o.if_contains(m.key());
    // Unchanged members (most of them) leave no trace: no nodes to build and prune.
    if (before ? *before == m.value() : m.value().is_null()) continue;
    std::string element = field_element(m.key());
    if (before)
      diff(*before, m.value(), schema.field(m.key()), changed.child(element), removed.child(element));
    else
      collect_fields(m.value(), schema.field(m.key()), changed.child(element));
  }
  for (const auto& m : o)
    if (!n.contains(m.key())) removed.child(field_element(m.key())).member = true;
}

void diff(const json::value& old, const json::value& now, SchemaView schema, FieldSet& changed,
          FieldSet& removed) {
  if (old == now) return;
  const auto* o = old.if_object();
  const auto* n = now.if_object();
  if (o && n && !schema.atomic_map()) {
    diff_objects(*o, *n, schema, changed, removed);
    return;
  }
  const auto* oa = old.if_array();
  const auto* na = now.if_array();
  ListKind kind = kind_of(schema);
  if (oa && na && kind != ListKind::Atomic) {
    if (na->empty()) changed.member = true;
    auto name = [&](const json::value& item) {
      return kind == ListKind::Map ? key_element(item, schema) : value_element(item);
    };
    std::map<std::string, const json::value*> before;
    for (const auto& item : *oa) before.emplace(name(item), &item);
    std::map<std::string, bool> seen;
    for (const auto& item : *na) {
      std::string element = name(item);
      seen[element] = true;
      auto it = before.find(element);
      if (kind == ListKind::Map && it != before.end()) {
        if (*it->second != item)
          diff(*it->second, item, schema.items(), changed.child(element), removed.child(element));
      } else if (it == before.end()) {
        FieldSet& added = changed.child(element);
        added.member = true;
        if (kind == ListKind::Map) collect_fields(item, schema.items(), added);
      }
    }
    for (const auto& [element, item] : before)
      if (!seen.count(element)) removed.child(element).member = true;
    return;
  }
  // A new value replaces the old one whole: whoever owned parts of an old container
  // loses them, and the writer owns the value.
  changed.member = true;
  if (old.is_object() || old.is_array()) removed.member = true;
}

// FieldsV1 printed directly (fields_v1_of). A printed node is {} for a member without
// children, {".":{}, ...} for a member with children and {...} otherwise; every non-null
// value prints as a node with a member at or below it.
using Elements = std::vector<std::pair<std::string, json::object>>;

bool printed_member(const json::object& node) {
  return node.empty() || node.contains(".");
}

json::object assemble(Elements elements, bool member);

json::object as_member(json::object node) {
  if (printed_member(node)) return node;
  json::object out;
  out.reserve(node.size() + 1);
  out.emplace(".", json::object{});
  for (auto& m : node) out.emplace(m.key(), std::move(m.value()));
  return out;
}

// Two elements of one list with the same key (or value) own the union of their fields.
json::object unite_printed(json::object a, json::object b) {
  const bool member = printed_member(a) || printed_member(b);
  Elements children;
  for (auto* node : {&a, &b})
    for (auto& m : *node)
      if (m.key() != ".") children.emplace_back(std::string(m.key()), std::move(m.value().as_object()));
  return assemble(std::move(children), member);
}

// Children in FieldSet's order (by element text), duplicates united.
json::object assemble(Elements elements, bool member) {
  std::stable_sort(elements.begin(), elements.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  json::object out;
  out.reserve(elements.size() + 1);
  if (member && !elements.empty()) out.emplace(".", json::object{});
  for (size_t i = 0; i < elements.size(); ++i) {
    json::object node = std::move(elements[i].second);
    while (i + 1 < elements.size() && elements[i + 1].first == elements[i].first)
      node = unite_printed(std::move(node), std::move(elements[++i].second));
    out.emplace(elements[i].first, std::move(node));
  }
  return out;
}

json::object print_value(const json::value& value, SchemaView schema);

json::object print_members(const json::object& object, SchemaView schema) {
  Elements elements;
  elements.reserve(object.size());
  for (const auto& m : object)
    if (!m.value().is_null())
      elements.emplace_back(field_element(m.key()), print_value(m.value(), schema.field(m.key())));
  return assemble(std::move(elements), false);  // none: a member without children, {}
}

json::object print_value(const json::value& value, SchemaView schema) {
  if (const auto* o = value.if_object(); o && !schema.atomic_map()) return print_members(*o, schema);
  const auto* a = value.if_array();
  const ListKind kind = kind_of(schema);
  if (!a || kind == ListKind::Atomic || a->empty()) return {};
  Elements elements;
  elements.reserve(a->size());
  for (const auto& item : *a) {
    if (kind == ListKind::Set) {
      elements.emplace_back(value_element(item), json::object{});
      continue;
    }
    // A keyed element is a member itself, with whatever its fields set below it.
    elements.emplace_back(key_element(item, schema), as_member(print_value(item, schema.items())));
  }
  return assemble(std::move(elements), false);
}

}  // namespace

bool FieldSet::empty() const {
  if (member) return false;
  for (const auto& [_, c] : children)
    if (!c.empty()) return false;
  return true;
}

void FieldSet::insert(const FieldPath& path) {
  FieldSet* node = this;
  for (const auto& e : path) node = &node->child(e);
  node->member = true;
}

bool FieldSet::contains(const FieldPath& path) const {
  const FieldSet* node = this;
  for (const auto& e : path) {
    auto it = node->children.find(e);
    if (it == node->children.end()) return false;
    node = &it->second;
  }
  return node->member;
}

bool FieldSet::owns_at_or_under(const FieldPath& path) const {
  const FieldSet* node = this;
  for (const auto& e : path) {
    auto it = node->children.find(e);
    if (it == node->children.end()) return false;
    node = &it->second;
  }
  return !node->empty();
}

void FieldSet::unite(const FieldSet& other) {
  member = member || other.member;
  for (const auto& [e, c] : other.children) child(e).unite(c);
}

void FieldSet::subtract(const FieldSet& other) {
  if (other.member) member = false;
  for (const auto& [e, c] : other.children) {
    auto it = children.find(e);
    if (it != children.end()) it->second.subtract(c);
  }
  prune();
}

void FieldSet::erase_subtrees(const FieldSet& roots) {
  if (roots.member) {
    member = false;
    children.clear();
    return;
  }
  for (const auto& [e, c] : roots.children) {
    auto it = children.find(e);
    if (it != children.end()) it->second.erase_subtrees(c);
  }
  prune();
}

void FieldSet::prune() {
  for (auto it = children.begin(); it != children.end();) {
    it->second.prune();
    if (it->second.empty())
      it = children.erase(it);
    else
      ++it;
  }
}

void FieldSet::visit(FieldPath& prefix, const std::function<void(const FieldPath&, bool)>& fn) const {
  if (member) fn(prefix, children.empty());
  for (const auto& [e, c] : children) {
    prefix.push_back(e);
    c.visit(prefix, fn);
    prefix.pop_back();
  }
}

void FieldSet::for_each_member(const std::function<void(const FieldPath&, bool)>& visit_fn) const {
  FieldPath prefix;
  visit(prefix, visit_fn);
}

json::object FieldSet::to_json() const {
  json::object out;
  if (member && !children.empty()) out["."] = json::object{};
  for (const auto& [e, c] : children) {
    // A child with no member at or below it prints as {} and is not a member itself: it is
    // left out. Deciding from its JSON keeps this one walk instead of one per level.
    json::object sub = c.to_json();
    if (c.member || !sub.empty()) out[e] = std::move(sub);
  }
  return out;
}

FieldSet FieldSet::from_json(const json::object& fields_v1) {
  FieldSet set;
  set.member = fields_v1.empty() || fields_v1.contains(".");
  for (const auto& m : fields_v1) {
    if (m.key() == "." || !m.value().is_object()) continue;
    set.children.emplace(std::string(m.key()), from_json(m.value().get_object()));
  }
  return set;
}

std::string field_element(std::string_view name) {
  std::string out = "f:";
  out.append(name);
  return out;
}

std::string key_element(const json::value& item, SchemaView list) {
  std::vector<std::string> keys = list.list_map_keys();
  std::sort(keys.begin(), keys.end());
  const auto* fields = item.if_object();
  json::object key;
  for (const auto& k : keys) {
    const json::value* v = fields ? fields->if_contains(k) : nullptr;
    if (!v) v = list.items().field(k).default_value();
    if (v) key[k] = *v;
  }
  return "k:" + json::serialize(key);
}

std::string value_element(const json::value& item) {
  return "v:" + json::serialize(item);
}

std::string path_string(const FieldPath& path) {
  std::string out;
  for (const auto& e : path) {
    std::string_view body = std::string_view(e).substr(std::min<size_t>(2, e.size()));
    if (has_prefix(e, "f:")) {
      out += '.';
      out += body;
    } else if (has_prefix(e, "k:")) {
      json::error_code ec;
      json::value key = json::parse(body, ec);
      out += '[';
      bool first = true;
      if (!ec && key.is_object())
        for (const auto& m : key.get_object()) {
          if (!first) out += ',';
          first = false;
          out.append(m.key().data(), m.key().size());
          out += '=';
          out += json::serialize(m.value());
        }
      out += ']';
    } else if (has_prefix(e, "v:")) {
      out += "[=";
      out += body;
      out += ']';
    } else {
      out += '[';
      out += body;
      out += ']';
    }
  }
  return out;
}

void collect_fields(const json::object& object, SchemaView schema, FieldSet& into) {
  bool any = false;
  for (const auto& m : object) {
    if (m.value().is_null()) continue;
    collect_fields(m.value(), schema.field(m.key()), into.child(field_element(m.key())));
    any = true;
  }
  if (!any) into.member = true;
}

void collect_fields(const json::value& value, SchemaView schema, FieldSet& into) {
  if (const auto* o = value.if_object(); o && !schema.atomic_map()) {
    collect_fields(*o, schema, into);
    return;
  }
  const auto* a = value.if_array();
  ListKind kind = kind_of(schema);
  if (!a || kind == ListKind::Atomic || a->empty()) {
    into.member = true;
    return;
  }
  for (const auto& item : *a) {
    if (kind == ListKind::Set) {
      into.child(value_element(item)).member = true;
      continue;
    }
    FieldSet& element = into.child(key_element(item, schema));
    element.member = true;
    collect_fields(item, schema.items(), element);
  }
}

json::object fields_v1_of(const json::object& object, SchemaView schema) {
  return print_members(object, schema);
}

void diff_fields(const json::object& old, const json::object& now, SchemaView schema, FieldSet& changed,
                 FieldSet& removed) {
  diff_objects(old, now, schema, changed, removed);
  changed.prune();
  removed.prune();
}

const json::value* find_path(const json::value& root, const FieldPath& path, SchemaView schema) {
  const json::value* cur = &root;
  for (const auto& e : path) {
    if (has_prefix(e, "f:")) {
      const auto* o = cur->if_object();
      std::string_view name = std::string_view(e).substr(2);
      cur = o ? o->if_contains(name) : nullptr;
      schema = schema.field(name);
    } else {
      const auto* a = cur->if_array();
      cur = a ? element_in(*a, e, schema) : nullptr;
      schema = schema.items();
    }
    if (!cur) return nullptr;
  }
  return cur;
}

bool erase_path(json::value& root, const FieldPath& path, SchemaView schema) {
  if (path.empty()) return false;
  FieldPath parent_path(path.begin(), path.end() - 1);
  SchemaView parent_schema = schema;
  for (const auto& e : parent_path)
    parent_schema =
        has_prefix(e, "f:") ? parent_schema.field(std::string_view(e).substr(2)) : parent_schema.items();
  auto* parent = const_cast<json::value*>(find_path(root, parent_path, schema));
  if (!parent) return false;
  const std::string& last = path.back();
  if (has_prefix(last, "f:")) {
    auto* o = parent->if_object();
    return o && o->erase(std::string_view(last).substr(2)) > 0;
  }
  auto* a = parent->if_array();
  if (!a) return false;
  const json::value* element = element_in(*a, last, parent_schema);
  if (!element) return false;
  a->erase(a->begin() + (element - a->data()));
  return true;
}

}  // namespace ukube::pipeline
