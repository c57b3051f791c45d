#include "kernel/pipeline/managed_fields.h"

#include <algorithm>
#include <boost/json.hpp>

#include "kernel/pipeline/object_meta.h"

namespace ukube::pipeline {
namespace {

namespace json = boost::json;

std::string string_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::value* managed_member(const json::object& object) {
  const auto* meta = metadata(object);
  return meta ? meta->if_contains("managedFields") : nullptr;
}

std::vector<ManagedFieldsEntry> parse_entries(const json::value* list) {
  std::vector<ManagedFieldsEntry> entries;
  if (!list || !list->is_array()) return entries;
  for (const auto& item : list->get_array()) {
    const auto* o = item.if_object();
    if (!o) continue;
    ManagedFieldsEntry e;
    e.manager = string_member(*o, "manager");
    e.operation = string_member(*o, "operation");
    e.api_version = string_member(*o, "apiVersion");
    e.time = string_member(*o, "time");
    e.subresource = string_member(*o, "subresource");
    if (const auto* f = o->if_contains("fieldsV1"); f && f->is_object())
      e.fields = FieldSet::from_json(f->get_object());
    if (e.operation != "Apply" && e.operation != "Update") continue;
    entries.push_back(std::move(e));
  }
  return entries;
}

// [{}]: the documented way for a client to reset field tracking.
bool is_reset(const json::value* list) {
  if (!list || !list->is_array() || list->get_array().size() != 1) return false;
  const auto* only = list->get_array()[0].if_object();
  return only && only->empty();
}

bool carries_entries(const json::value* list) {
  return list && list->is_array() && !list->get_array().empty();
}

json::object entry_json(const ManagedFieldsEntry& e, json::object fields_v1) {
  json::object o{{"manager", e.manager}, {"operation", e.operation}, {"apiVersion", e.api_version}};
  if (!e.time.empty()) o["time"] = e.time;
  o["fieldsType"] = "FieldsV1";
  o["fieldsV1"] = std::move(fields_v1);
  if (!e.subresource.empty()) o["subresource"] = e.subresource;
  return o;
}

constexpr std::string_view kServerMetadataFields[] = {"f:name",
                                                      "f:namespace",
                                                      "f:uid",
                                                      "f:resourceVersion",
                                                      "f:generation",
                                                      "f:creationTimestamp",
                                                      "f:deletionTimestamp",
                                                      "f:deletionGracePeriodSeconds",
                                                      "f:managedFields",
                                                      "f:selfLink"};

}  // namespace

void drop_server_fields(json::object& fields_v1) {
  // Stable erasure: FieldsV1 stays in its order.
  fields_v1.stable_erase("f:apiVersion");
  fields_v1.stable_erase("f:kind");
  fields_v1.stable_erase(".");
  auto* meta = fields_v1.if_contains("f:metadata");
  if (!meta) return;
  json::object& m = meta->as_object();
  for (auto field : kServerMetadataFields) m.stable_erase(field);
  m.stable_erase(".");
  if (m.empty()) fields_v1.stable_erase("f:metadata");
}

namespace {}  // namespace

bool ManagedFieldsEntry::same_manager(const ManagedFieldsEntry& other) const {
  return manager == other.manager && operation == other.operation && subresource == other.subresource &&
         (operation == "Apply" || api_version == other.api_version);
}

std::vector<ManagedFieldsEntry> read_managed_fields(const json::object& object) {
  return parse_entries(managed_member(object));
}

bool has_managed_fields(const json::object& object) {
  return managed_member(object) != nullptr;
}

void write_managed_fields(json::object& object, std::vector<ManagedFieldsEntry> entries) {
  std::erase_if(entries, [](const ManagedFieldsEntry& e) { return e.fields.empty(); });
  std::stable_sort(entries.begin(), entries.end(),
                   [](const ManagedFieldsEntry& a, const ManagedFieldsEntry& b) {
                     if (a.operation != b.operation) return a.operation < b.operation;
                     if (a.time != b.time) return a.time < b.time;
                     if (a.manager != b.manager) return a.manager < b.manager;
                     return a.api_version < b.api_version;
                   });
  auto& meta = metadata(object);
  if (entries.empty()) {
    meta.erase("managedFields");
    return;
  }
  json::array list;
  for (const auto& e : entries) list.push_back(entry_json(e, e.fields.to_json()));
  meta["managedFields"] = std::move(list);
}

void drop_server_fields(FieldSet& set) {
  set.children.erase("f:apiVersion");
  set.children.erase("f:kind");
  auto meta = set.children.find("f:metadata");
  if (meta != set.children.end()) {
    for (auto field : kServerMetadataFields) {
      auto it = meta->second.children.find(field);
      if (it != meta->second.children.end()) meta->second.children.erase(it);
    }
    meta->second.member = false;
  }
  set.member = false;
  set.prune();
}

void track_update(const json::object* old, json::object& object, SchemaView schema,
                  const UpdateManager& writer) {
  const json::value* incoming = managed_member(object);
  if (is_reset(incoming)) {
    metadata(object).erase("managedFields");
    return;
  }
  if (!old && !carries_entries(incoming)) {
    // A create: the writer owns everything it set, and nobody else owns anything.
    json::object fields = fields_v1_of(object, schema);
    drop_server_fields(fields);
    if (fields.empty()) return;
    const ManagedFieldsEntry me{writer.manager, "Update",           writer.api_version,
                                writer.now,     writer.subresource, {}};
    metadata(object)["managedFields"] = json::array{entry_json(me, std::move(fields))};
    return;
  }
  const json::value* base = incoming;
  if (old && !carries_entries(incoming)) base = managed_member(*old);

  static const json::object kNothing;
  FieldSet changed, removed;
  diff_fields(old ? *old : kNothing, object, schema, changed, removed);
  drop_server_fields(changed);
  drop_server_fields(removed);
  if (changed.empty() && removed.empty()) {
    if (base != incoming) {
      if (base)
        metadata(object)["managedFields"] = *base;
      else
        metadata(object).erase("managedFields");
    }
    return;
  }

  std::vector<ManagedFieldsEntry> entries = parse_entries(base);
  ManagedFieldsEntry me{writer.manager, "Update", writer.api_version, writer.now, writer.subresource, {}};
  bool found = false;
  for (auto& e : entries) {
    e.fields.erase_subtrees(removed);
    if (e.same_manager(me)) {
      found = true;
      e.fields.unite(changed);
      if (!changed.empty()) e.time = writer.now;
    } else {
      e.fields.subtract(changed);
    }
  }
  if (!found) {
    me.fields = std::move(changed);
    entries.push_back(std::move(me));
  }
  write_managed_fields(object, std::move(entries));
}

}  // namespace ukube::pipeline
