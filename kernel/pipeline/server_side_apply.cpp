#include "kernel/pipeline/server_side_apply.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "kernel/pipeline/field_set.h"
#include "kernel/pipeline/managed_fields.h"
#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

namespace json = boost::json;

ListKind kind_of(SchemaView list) {
  return list.known() ? list.list_kind() : ListKind::Atomic;
}

// Null members of an applied configuration mean "not set" (they are never stored).
json::value without_nulls(const json::value& v) {
  if (const auto* o = v.if_object()) {
    json::object out;
    for (const auto& m : *o)
      if (!m.value().is_null()) out.emplace(m.key(), without_nulls(m.value()));
    return out;
  }
  if (const auto* a = v.if_array()) {
    json::array out;
    for (const auto& item : *a) out.push_back(without_nulls(item));
    return out;
  }
  return v;
}

json::array merge_list(const json::array& live, const json::array& applied, ListKind kind, SchemaView schema);

void merge_applied(json::value& live, const json::value& applied, SchemaView schema) {
  const auto* a = applied.if_object();
  if (a && live.is_object() && !schema.atomic_map()) {
    auto& l = live.get_object();
    for (const auto& m : *a) {
      if (m.value().is_null()) {
        l.erase(m.key());
      } else if (auto* existing = l.if_contains(m.key())) {
        merge_applied(*existing, m.value(), schema.field(m.key()));
      } else {
        l[m.key()] = without_nulls(m.value());
      }
    }
    return;
  }
  const auto* al = applied.if_array();
  ListKind kind = kind_of(schema);
  if (al && live.is_array() && kind != ListKind::Atomic) {
    live = merge_list(live.get_array(), *al, kind, schema);
    return;
  }
  live = without_nulls(applied);
}

// A keyed list or set merged element by element. Order, as upstream's merge produces it:
// walking both lists, elements only the live list has stay where they were, and the
// elements the applied list names come in the applied order (new ones where the applied
// list puts them).
json::array merge_list(const json::array& live, const json::array& applied, ListKind kind,
                       SchemaView schema) {
  auto name = [&](const json::value& v) {
    return kind == ListKind::Map ? key_element(v, schema) : value_element(v);
  };
  std::vector<std::string> live_ids, applied_ids;
  std::map<std::string, size_t> live_at, applied_at;
  for (size_t i = 0; i < live.size(); ++i) live_at.emplace(live_ids.emplace_back(name(live[i])), i);
  for (size_t j = 0; j < applied.size(); ++j)
    applied_at.emplace(applied_ids.emplace_back(name(applied[j])), j);
  std::vector<std::string> shared;  // applied elements the live list has, in applied order
  for (const auto& id : applied_ids)
    if (live_at.count(id)) shared.push_back(id);

  json::array out;
  std::set<std::string> emitted;
  size_t next_shared = 0;
  auto emit_applied = [&](size_t j) {
    const std::string& id = applied_ids[j];
    if (!emitted.insert(id).second) return;
    auto l = live_at.find(id);
    if (l == live_at.end()) {
      out.push_back(without_nulls(applied[j]));
    } else {
      json::value merged = live[l->second];
      if (kind == ListKind::Map) merge_applied(merged, applied[j], schema.items());
      out.push_back(std::move(merged));
    }
    while (next_shared < shared.size() && emitted.count(shared[next_shared])) ++next_shared;
  };
  size_t i = 0, j = 0;
  while (i < live.size() || j < applied.size()) {
    if (i < live.size()) {
      const std::string& id = live_ids[i];
      if (j < applied.size() && applied_ids[j] == id) {
        emit_applied(j);
        ++i;
        ++j;
        continue;
      }
      if (!applied_at.count(id)) {
        if (emitted.insert(id).second) out.push_back(live[i]);
        ++i;
        continue;
      }
      // Shared, but the applied list wants another shared element first: it comes later.
      if (emitted.count(id) || (next_shared < shared.size() && shared[next_shared] != id)) {
        ++i;
        continue;
      }
    }
    if (j < applied.size()) {
      emit_applied(j++);
    } else {
      ++i;
    }
  }
  return out;
}

std::string describe(const ManagedFieldsEntry& e) {
  std::string s = json::serialize(json::string(e.manager));
  if (!e.subresource.empty()) s += " with subresource \"" + e.subresource + "\"";
  if (e.operation == "Update") {
    s += " using " + e.api_version;
    if (!e.time.empty()) s += " at " + e.time;
  }
  return s;
}

struct Conflict {
  size_t entry;
  FieldPath path;
};

ApiError conflict_error(const std::vector<ManagedFieldsEntry>& entries,
                        const std::vector<Conflict>& conflicts) {
  std::string message;
  if (conflicts.size() == 1) {
    message = "Apply failed with 1 conflict: conflict with " + describe(entries[conflicts[0].entry]) + ": " +
              path_string(conflicts[0].path);
  } else {
    std::map<std::string, std::vector<std::string>> by_manager;
    for (const auto& c : conflicts) by_manager[describe(entries[c.entry])].push_back(path_string(c.path));
    message = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: ";
    bool first = true;
    for (const auto& [manager, paths] : by_manager) {
      if (!first) message += "\n";
      first = false;
      message += "conflicts with " + manager + ":";
      for (const auto& p : paths) message += "\n- " + p;
    }
  }
  ApiError e(409, "Conflict", message);
  for (const auto& c : conflicts)
    e.causes.push_back(
        {"FieldManagerConflict", "conflict with " + describe(entries[c.entry]), path_string(c.path)});
  return e;
}

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";
// Only kubectl's own server-side apply upgrades from client-side apply, as upstream: any
// other manager name opts out.
constexpr std::string_view kUpgradingManager = "kubectl";

const json::string* last_applied_of(const json::object& object) {
  const auto* meta = object.if_contains("metadata");
  const auto* annotations =
      meta && meta->is_object() ? meta->get_object().if_contains("annotations") : nullptr;
  const auto* value =
      annotations && annotations->is_object() ? annotations->get_object().if_contains(kLastApplied) : nullptr;
  return value && value->is_string() && !value->get_string().empty() ? &value->get_string() : nullptr;
}

// The conflicts that client-side apply's record does not excuse. kubectl may take over
// what its client-side apply set: the fields of the live object's last-applied
// configuration whose live values still are the ones last applied.
std::vector<Conflict> unexcused(std::vector<Conflict> conflicts, const json::object& live,
                                SchemaView schema) {
  const json::string* recorded = last_applied_of(live);
  if (!recorded) return conflicts;
  boost::system::error_code ec;
  json::value last = json::parse(*recorded, ec);
  if (ec || !last.is_object()) return conflicts;
  FieldSet last_fields;
  collect_fields(last.get_object(), schema, last_fields);
  const json::value live_value(live);
  std::erase_if(conflicts, [&](const Conflict& c) {
    if (!last_fields.contains(c.path)) return false;
    const json::value* was = find_path(last, c.path, schema);
    const json::value* is = find_path(live_value, c.path, schema);
    return !was || !is || *was == *is;
  });
  return conflicts;
}

// Go's json encoding of a decoded map: keys sorted, HTML characters escaped, ended by a
// newline (json.Encoder), as upstream writes the last-applied annotation.
void go_encode(const json::value& v, std::string& out) {
  if (const auto* o = v.if_object()) {
    std::vector<const json::key_value_pair*> members;
    for (const auto& m : *o) members.push_back(&m);
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
    out.push_back('{');
    for (size_t i = 0; i < members.size(); ++i) {
      if (i) out.push_back(',');
      go_encode(json::string(members[i]->key()), out);
      out.push_back(':');
      go_encode(members[i]->value(), out);
    }
    out.push_back('}');
  } else if (const auto* a = v.if_array()) {
    out.push_back('[');
    for (size_t i = 0; i < a->size(); ++i) {
      if (i) out.push_back(',');
      go_encode((*a)[i], out);
    }
    out.push_back(']');
  } else if (const auto* s = v.if_string()) {
    std::string text = json::serialize(*s);
    for (char c : text) {
      if (c == '<')
        out += "\\u003c";
      else if (c == '>')
        out += "\\u003e";
      else if (c == '&')
        out += "\\u0026";
      else
        out.push_back(c);
    }
  } else {
    out += json::serialize(v);
  }
}

// kubectl's server-side apply keeps an existing last-applied annotation in step with
// what it applied, so a later client-side apply computes its three-way merge from it.
void update_last_applied(json::object& out, const json::object& applied) {
  json::value recorded(applied);
  if (auto* meta = recorded.get_object().if_contains("metadata"); meta && meta->is_object())
    if (auto* annotations = meta->get_object().if_contains("annotations");
        annotations && annotations->is_object())
      annotations->get_object().erase(kLastApplied);
  std::string text;
  go_encode(recorded, text);
  text.push_back('\n');
  out["metadata"].get_object()["annotations"].get_object()[kLastApplied] = text;
}

void undeclared(const json::value& value, SchemaView schema, FieldPath& path, std::vector<std::string>& out) {
  if (!schema.known()) return;
  if (const auto* o = value.if_object()) {
    const bool closed = schema.closed();
    for (const auto& m : *o) {
      path.push_back(field_element(m.key()));
      if (closed && !schema.allows(m.key()))
        out.push_back(path_string(path) + ": field not declared in schema");
      else
        undeclared(m.value(), schema.field(m.key()), path, out);
      path.pop_back();
    }
  } else if (const auto* a = value.if_array()) {
    ListKind kind = schema.list_kind();
    for (size_t i = 0; i < a->size(); ++i) {
      const auto& item = (*a)[i];
      path.push_back(kind == ListKind::Map   ? key_element(item, schema)
                     : kind == ListKind::Set ? value_element(item)
                                             : "i:" + std::to_string(i));
      undeclared(item, schema.items(), path, out);
      path.pop_back();
    }
  }
}

}  // namespace

std::vector<std::string> undeclared_applied_fields(const json::object& applied, SchemaView schema) {
  std::vector<std::string> out;
  if (!schema.known()) return out;
  FieldPath path;
  for (const auto& m : applied) {
    if (m.key() == "apiVersion" || m.key() == "kind" || (m.key() == "metadata" && !schema.allows("metadata")))
      continue;
    path.push_back(field_element(m.key()));
    if (schema.closed() && !schema.allows(m.key()))
      out.push_back(path_string(path) + ": field not declared in schema");
    else
      undeclared(m.value(), schema.field(m.key()), path, out);
    path.pop_back();
  }
  return out;
}

json::object server_side_apply(const ApplyRequest& r) {
  json::object applied = *r.applied;
  FieldSet applied_fields;
  collect_fields(applied, r.schema, applied_fields);
  drop_server_fields(applied_fields);
  if (r.subresource == "status") {
    // Through the status subresource only status is applied.
    FieldSet status;
    if (auto it = applied_fields.children.find("f:status"); it != applied_fields.children.end())
      status.children.emplace(it->first, std::move(it->second));
    applied_fields = std::move(status);
  } else if (r.status_separate) {
    applied_fields.children.erase("f:status");
    applied.erase("status");
  }

  json::value live = r.live ? json::value(*r.live) : json::value(json::object{});
  std::vector<ManagedFieldsEntry> entries;
  if (r.live) {
    entries = read_managed_fields(*r.live);
    if (!has_managed_fields(*r.live)) {
      ManagedFieldsEntry before{"before-first-apply", "Update", r.api_version, r.now, "", {}};
      collect_fields(*r.live, r.schema, before.fields);
      drop_server_fields(before.fields);
      entries.push_back(std::move(before));
    }
  }
  ManagedFieldsEntry me{r.manager, "Apply", r.api_version, r.now, r.subresource, {}};
  FieldSet previous;
  const ManagedFieldsEntry* last = nullptr;
  for (const auto& e : entries)
    if (e.same_manager(me)) {
      previous = e.fields;
      last = &e;
    }
  // Re-applying the same fields keeps the entry as it was, so an unchanged apply is a
  // no-op write (no new revision).
  if (last && last->api_version == me.api_version && last->fields.to_json() == applied_fields.to_json())
    me.time = last->time;

  json::value merged = live;
  merge_applied(merged, applied, r.schema);

  std::vector<Conflict> conflicts;
  applied_fields.for_each_member([&](const FieldPath& path, bool leaf) {
    if (!leaf) return;
    const json::value* before = find_path(live, path, r.schema);
    if (!before) return;
    const json::value* after = find_path(merged, path, r.schema);
    if (after && *after == *before) return;
    for (size_t i = 0; i < entries.size(); ++i)
      if (!entries[i].same_manager(me) && entries[i].fields.contains(path)) conflicts.push_back({i, path});
  });
  if (!conflicts.empty()) {
    if (!r.force) {
      // Upstream's upgrade from client-side apply: when every conflict is excused, kubectl
      // takes the fields over as if it had forced.
      auto remaining =
          r.manager == kUpgradingManager && r.live ? unexcused(conflicts, *r.live, r.schema) : conflicts;
      if (!remaining.empty()) throw conflict_error(entries, remaining);
    }
    for (const auto& c : conflicts) {
      FieldSet taken;
      taken.insert(c.path);
      entries[c.entry].fields.subtract(taken);
    }
  }

  FieldSet others;
  for (const auto& e : entries)
    if (!e.same_manager(me)) others.unite(e.fields);
  FieldSet dropped = previous;
  dropped.subtract(applied_fields);
  std::vector<FieldPath> to_erase;
  dropped.for_each_member([&](const FieldPath& path, bool) {
    if (!others.owns_at_or_under(path)) to_erase.push_back(path);
  });
  for (const auto& path : to_erase) erase_path(merged, path, r.schema);

  std::erase_if(entries, [&](const ManagedFieldsEntry& e) { return e.same_manager(me); });
  me.fields = std::move(applied_fields);
  entries.push_back(std::move(me));
  json::object out = std::move(merged.get_object());
  write_managed_fields(out, std::move(entries));
  if (r.manager == kUpgradingManager && r.live && last_applied_of(*r.live) && last_applied_of(out))
    update_last_applied(out, *r.applied);
  return out;
}

}  // namespace ukube::pipeline
