// core/v1 Event and events.k8s.io/v1 Event. The two share upstream's printer (LAST SEEN
// TYPE REASON OBJECT MESSAGE) but name their fields differently.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

// The fields both Event versions carry, read from either shape.
struct EventView {
  std::string last_seen, first_seen;  // timestamps
  std::string type, reason, object, subobject, source, message, name;
  int64_t count = 0;
};

std::string first_non_empty(std::initializer_list<std::string> values) {
  for (const auto& v : values)
    if (!v.empty()) return v;
  return {};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string object_cell(const json::object* ref) {
  if (!ref) return "/";
  return lower(string_at(*ref, {"kind"})) + "/" + string_at(*ref, {"name"});
}

std::string source_cell(std::string component, std::string host, std::string controller,
                        std::string instance) {
  if (component.empty()) {
    component = controller;
    if (host.empty()) host = instance;
  }
  return host.empty() ? component : component + ", " + host;
}

EventView core_view(const json::object& o) {
  EventView v;
  const bool series = object_at(o, {"series"}) != nullptr;
  v.last_seen = series ? string_at(o, {"series", "lastObservedTime"})
                       : first_non_empty({string_at(o, {"lastTimestamp"}), string_at(o, {"eventTime"})});
  v.first_seen = first_non_empty({string_at(o, {"firstTimestamp"}), string_at(o, {"eventTime"})});
  v.type = string_at(o, {"type"});
  v.reason = string_at(o, {"reason"});
  v.object = object_cell(object_at(o, {"involvedObject"}));
  v.subobject = string_at(o, {"involvedObject", "fieldPath"});
  v.source = source_cell(string_at(o, {"source", "component"}), string_at(o, {"source", "host"}),
                         string_at(o, {"reportingComponent"}), string_at(o, {"reportingInstance"}));
  v.message = string_at(o, {"message"});
  v.count = series ? int_or(o, {"series", "count"}, 0) : int_or(o, {"count"}, 0);
  v.name = name_of(o);
  return v;
}

EventView v1_view(const json::object& o) {
  EventView v;
  const bool series = object_at(o, {"series"}) != nullptr;
  v.last_seen =
      series ? string_at(o, {"series", "lastObservedTime"})
             : first_non_empty({string_at(o, {"deprecatedLastTimestamp"}), string_at(o, {"eventTime"})});
  v.first_seen = first_non_empty({string_at(o, {"deprecatedFirstTimestamp"}), string_at(o, {"eventTime"})});
  v.type = string_at(o, {"type"});
  v.reason = string_at(o, {"reason"});
  v.object = object_cell(object_at(o, {"regarding"}));
  v.subobject = string_at(o, {"regarding", "fieldPath"});
  v.source =
      source_cell(string_at(o, {"deprecatedSource", "component"}), string_at(o, {"deprecatedSource", "host"}),
                  string_at(o, {"reportingController"}), string_at(o, {"reportingInstance"}));
  v.message = string_at(o, {"note"});
  v.count = series ? int_or(o, {"series", "count"}, 0) : int_or(o, {"deprecatedCount"}, 0);
  v.name = name_of(o);
  return v;
}

void use_event_table(TypeInfo& t, EventView (*view)(const json::object&)) {
  t.printer_columns = {
      column("Last Seen", "string", "How long ago the event last happened."),
      column("Type", "string", "Normal or Warning.", 0, ".type"),
      column("Reason", "string", "Short machine-readable reason.", 0, ".reason"),
      column("Object", "string", "The object the event is about."),
      column("Subobject", "string", "The part of the object the event is about.", 1),
      column("Source", "string", "Component that reported the event.", 1),
      column("Message", "string", "Human-readable description."),
      column("First Seen", "string", "How long ago the event first happened.", 1),
      column("Count", "string", "How many times the event happened.", 1),
      column("Name", "string", "Name of the event object.", 1, ".metadata.name"),
  };
  t.printer_columns.back().format = "name";
  t.table_row = at_call_time([view](const json::object& o, Clock::time_point now) {
    EventView v = view(o);
    return json::array{age_since(v.last_seen, now),
                       v.type,
                       v.reason,
                       v.object,
                       v.subobject,
                       v.source,
                       v.message,
                       age_since(v.first_seen, now),
                       std::to_string(v.count),
                       v.name};
  });
}

FieldGetter at_keys(std::vector<std::string> keys) {
  return [keys = std::move(keys)](const json::object& o) {
    const json::object* cur = &o;
    for (size_t i = 0; i + 1 < keys.size() && cur; ++i) cur = object_at(*cur, {keys[i]});
    return cur ? string_at(*cur, {keys.back()}) : std::string();
  };
}

FieldGetter at(Path path) {
  return at_keys(std::vector<std::string>(path.begin(), path.end()));
}

void validate_type(Errors& e, const json::object& o) {
  std::string type = string_at(o, {"type"});
  if (!type.empty() && type != "Normal" && type != "Warning")
    e.unsupported(FieldPath("type"), type, {"Normal", "Warning"});
}

// events.k8s.io/v1 is served from core/v1's store, as upstream does, so `kubectl get
// events` and clients of either API see every Event. Core's field names are on the left.
constexpr std::pair<const char*, const char*> kRenamed[] = {
    {"involvedObject", "regarding"},
    {"message", "note"},
    {"reportingComponent", "reportingController"},
    {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"},
    {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
};

// Rewrites an Event of either API as the other one.
void convert_event(json::object& o, const std::string& /*version*/) {
  const bool to_core = string_at(o, {"apiVersion"}) == "events.k8s.io/v1";
  json::object out;
  out.reserve(o.size());
  for (auto& m : o) {
    std::string_view key = m.key();
    if (key == "apiVersion") {
      out.emplace(key, to_core ? "v1" : "events.k8s.io/v1");
      continue;
    }
    for (const auto& [core, v1] : kRenamed)
      if (key == (to_core ? v1 : core)) {
        key = to_core ? core : v1;
        break;
      }
    out.emplace(key, std::move(m.value()));
  }
  o = std::move(out);
}

// A field selector of events.k8s.io/v1 reads the stored core/v1 object.
FieldGetter stored_at(std::string_view v1_field) {
  std::vector<std::string> keys;
  for (size_t start = 0; start <= v1_field.size();) {
    size_t dot = std::min(v1_field.find('.', start), v1_field.size());
    keys.emplace_back(v1_field.substr(start, dot - start));
    start = dot + 1;
  }
  for (const auto& [core, v1] : kRenamed)
    if (keys.front() == v1) keys.front() = core;
  return at_keys(std::move(keys));
}

}  // namespace

TypeInfo events_type() {
  TypeInfo t = make_type("", "v1", "Event", "events", true, {"ev"});
  use_event_table(t, core_view);
  for (const char* f : {"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"})
    t.selectable_fields.push_back({std::string("involvedObject.") + f, at({"involvedObject", f})});
  t.selectable_fields.push_back({"reason", at({"reason"})});
  t.selectable_fields.push_back({"reportingComponent", at({"reportingComponent"})});
  t.selectable_fields.push_back({"source", [](const json::object& o) {
                                   std::string s = string_at(o, {"source", "component"});
                                   return s.empty() ? string_at(o, {"reportingComponent"}) : s;
                                 }});
  t.selectable_fields.push_back({"type", at({"type"})});
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    validate_type(e, o);
    std::string ns = string_at(o, {"metadata", "namespace"});
    std::string involved = string_at(o, {"involvedObject", "namespace"});
    // An event about a namespaced object lives in that object's namespace.
    if (!involved.empty() && involved != ns)
      e.invalid(FieldPath("involvedObject.namespace"), quote(involved), "does not match event.namespace");
  });
  using namespace schema;
  t.schema = share(resource(
      "", "v1", "Event", "A report of something that happened to an object.",
      {{"involvedObject", object_reference("The object the event is about."), 2},
       {"reason", string(), 3},
       {"message", string(), 4},
       {"source", object({{"component", string(), 1}, {"host", string(), 2}}), 5},
       {"firstTimestamp", date_time(), 6},
       {"lastTimestamp", date_time(), 7},
       {"count", integer(), 8},
       {"type", string("Normal or Warning."), 9},
       {"eventTime", micro_time(), 10},
       {"series", object({{"count", integer(), 1}, {"lastObservedTime", micro_time(), 2}}), 11, kPointer},
       {"action", string(), 12},
       {"related", object_reference(), 13, kPointer},
       {"reportingComponent", string(), 14, kAlways},
       {"reportingInstance", string(), 15, kAlways}}));
  return t;
}

TypeInfo events_v1_type() {
  TypeInfo t = make_type("events.k8s.io", "v1", "Event", "events", true, {"ev"});
  use_event_table(t, v1_view);
  t.storage_group = "";
  t.storage_version = "v1";
  t.convert = convert_event;
  for (const char* f : {"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"})
    t.selectable_fields.push_back({std::string("regarding.") + f, stored_at(std::string("regarding.") + f)});
  for (const char* f : {"reason", "reportingController", "type"})
    t.selectable_fields.push_back({f, stored_at(f)});
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    validate_type(e, o);
    if (old) {
      // Through this API an Event is a record: only its series (and metadata) may change.
      for (const char* f : {"regarding", "reason", "note", "deprecatedSource", "deprecatedFirstTimestamp",
                            "deprecatedLastTimestamp", "deprecatedCount", "type", "eventTime", "action",
                            "related", "reportingController", "reportingInstance"}) {
        const auto* now = o.if_contains(f);
        const auto* was = old->if_contains(f);
        const bool now_set = now && !now->is_null(), was_set = was && !was->is_null();
        if (now_set != was_set || (now_set && *now != *was))
          e.invalid(FieldPath(f), now_set ? value_repr(*now) : "null", "field is immutable");
      }
      return;
    }
    if (string_at(o, {"eventTime"}).empty()) e.required(FieldPath("eventTime"), "");
    if (string_at(o, {"reportingController"}).empty()) e.required(FieldPath("reportingController"), "");
    if (string_at(o, {"reportingInstance"}).empty()) e.required(FieldPath("reportingInstance"), "");
    if (string_at(o, {"action"}).empty()) e.required(FieldPath("action"), "");
    if (string_at(o, {"reason"}).empty()) e.required(FieldPath("reason"), "");
  });
  using namespace schema;
  t.schema = share(resource(
      "events.k8s.io", "v1", "Event", "A report of something that happened to an object.",
      {{"eventTime", micro_time(), 2, kAlways},
       {"series", object({{"count", integer(), 1, kAlways}, {"lastObservedTime", micro_time(), 2, kAlways}}),
        3, kPointer},
       {"reportingController", string(), 4},
       {"reportingInstance", string(), 5},
       {"action", string(), 6},
       {"reason", string(), 7},
       {"regarding", object_reference("The object the event is about."), 8},
       {"related", object_reference(), 9, kPointer},
       {"note", string(), 10},
       {"type", string("Normal or Warning."), 11},
       {"deprecatedSource", object({{"component", string(), 1}, {"host", string(), 2}}), 12},
       {"deprecatedFirstTimestamp", date_time(), 13},
       {"deprecatedLastTimestamp", date_time(), 14},
       {"deprecatedCount", integer(), 15}}));
  return t;
}

}  // namespace ukube::builtin
