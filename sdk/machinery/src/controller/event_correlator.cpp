#include "ukube/controller/event_correlator.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <set>

#include "lru_cache.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"
#include "ukube/machinery/time.h"
#include "ukube/machinery/uuid.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

// Cache keys join fields with a separator no field contains, so ("ab","c") and ("a","bc")
// stay apart.
template <class... Fields>
std::string key_of(const Fields&... fields) {
  std::string key;
  ((key += fields, key += '\x1f'), ...);
  return key;
}

// Everything that makes two events the same event: a repeat of it is counted.
std::string event_key(const CoreEvent& e) {
  const auto& o = e.involved;
  return key_of(e.source.component, e.source.host, o.kind, o.ns, o.name, o.field_path, o.uid, o.api_version,
                e.type, e.reason, e.message);
}

// Who speaks about which object: the unit the spam filter rate-limits.
std::string spam_key(const CoreEvent& e) {
  const auto& o = e.involved;
  return key_of(e.source.component, e.source.host, o.kind, o.ns, o.name, o.uid, o.api_version, e.type);
}

// Similar events differ in their message only. The reporting controller and instance are
// the source's component and host, as the recorder sets them.
std::string similar_key(const CoreEvent& e) {
  const auto& o = e.involved;
  return key_of(e.source.component, e.source.host, o.kind, o.ns, o.name, o.uid, o.api_version, e.type,
                e.reason, e.source.component, e.source.host);
}

int64_t unix_nanos(EventClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

struct EventCorrelator::State {
  // The messages seen lately for one similar-events key.
  struct SimilarRecord {
    std::set<std::string> messages;
    EventClock::time_point last{};
    bool seen = false;
  };

  // What was last written for one event key: the next repeat patches that Event.
  struct Observation {
    int32_t count = 0;
    EventClock::time_point first_timestamp{};
    std::string name;
    std::string resource_version;
  };

  // A token bucket read only when asked, as upstream's passive rate limiter, kept as the
  // time its tokens would all be back (the generic cell rate algorithm): exact arithmetic
  // on durations, so a token is back after exactly one refill period.
  struct TokenBucket {
    EventClock::time_point full_at{};
  };

  explicit State(size_t entries) : similar(entries), observed(entries), spam(entries) {}
  LruCache<SimilarRecord> similar;
  LruCache<Observation> observed;
  LruCache<TokenBucket> spam;
};

ObjectReference reference_to(const json::object& object, const std::string& field_path) {
  ObjectReference ref;
  ref.kind = machinery::string_at(object, {"kind"});
  ref.api_version = machinery::string_at(object, {"apiVersion"});
  ref.field_path = field_path;
  if (machinery::object_at(object, {"metadata"})) {
    ref.ns = machinery::namespace_of(object);
    ref.name = machinery::name_of(object);
    ref.uid = machinery::uid_of(object);
    ref.resource_version = machinery::meta_string(object, "resourceVersion");
  } else {  // already an ObjectReference
    ref.ns = machinery::string_at(object, {"namespace"});
    ref.name = machinery::string_at(object, {"name"});
    ref.uid = machinery::string_at(object, {"uid"});
    ref.resource_version = machinery::string_at(object, {"resourceVersion"});
    if (ref.field_path.empty()) ref.field_path = machinery::string_at(object, {"fieldPath"});
  }
  return ref;
}

ObjectReference reference_to(const json::object& object, const GroupVersionKind& kind) {
  ObjectReference ref = reference_to(object);
  ref.kind = kind.kind;
  ref.api_version = kind.api_version();
  return ref;
}

json::object to_json(const CoreEvent& e) {
  json::object involved{{"kind", e.involved.kind},
                        {"namespace", e.involved.ns},
                        {"name", e.involved.name},
                        {"uid", e.involved.uid},
                        {"apiVersion", e.involved.api_version},
                        {"resourceVersion", e.involved.resource_version}};
  if (!e.involved.field_path.empty()) involved["fieldPath"] = e.involved.field_path;
  json::object source{{"component", e.source.component}};
  if (!e.source.host.empty()) source["host"] = e.source.host;
  json::object metadata{{"name", e.name}, {"namespace", e.ns}};
  if (!e.resource_version.empty()) metadata["resourceVersion"] = e.resource_version;
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", std::move(metadata)},
          {"involvedObject", std::move(involved)},
          {"reason", e.reason},
          {"message", e.message},
          {"source", std::move(source)},
          {"firstTimestamp", machinery::format_time(e.first_timestamp)},
          {"lastTimestamp", machinery::format_time(e.last_timestamp)},
          {"count", e.count},
          {"type", e.type},
          {"eventTime", nullptr},
          {"reportingComponent", e.source.component},
          {"reportingInstance", e.source.host}};
}

json::object repeat_patch(const CoreEvent& e) {
  return {{"count", e.count},
          {"lastTimestamp", machinery::format_time(e.last_timestamp)},
          {"message", e.message}};
}

EventCorrelator::EventCorrelator(CorrelatorSettings settings)
    : settings_(std::move(settings)), state_(std::make_unique<State>(settings_.cache_entries)) {
  if (!settings_.now) settings_.now = [] { return EventClock::now(); };
  if (!settings_.random_name) settings_.random_name = machinery::new_uuid;
}

EventCorrelator::~EventCorrelator() = default;

Correlation EventCorrelator::correlate(const ObjectReference& involved, const EventSource& source,
                                       const std::string& type, const std::string& reason,
                                       const std::string& message) {
  CoreEvent e;
  e.involved = involved;
  e.ns = involved.ns.empty() ? "default" : involved.ns;
  e.source = source;
  e.type = type;
  e.reason = reason;
  e.message = message;
  e.first_timestamp = e.last_timestamp = settings_.now();
  e.name = event_name(involved.name, e.first_timestamp);
  return correlate(std::move(e));
}

std::string EventCorrelator::event_name(const std::string& object_name, EventClock::time_point at) const {
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(unix_nanos(at)));
  std::string name = object_name + suffix;
  // An object name near the length limit leaves no room for the suffix.
  return machinery::dns1123_subdomain_errors(name).empty() ? name : settings_.random_name();
}

Correlation EventCorrelator::correlate(CoreEvent event) {
  const EventClock::time_point now = settings_.now();
  std::lock_guard lock(mutex_);

  // Many similar events: once `similar_events` distinct messages arrived within the window,
  // each further one becomes (a repeat of) one combined event.
  std::string key = event_key(event);
  const std::string similar = similar_key(event);
  State::SimilarRecord* record = state_->similar.find(similar);
  if (!record || now - record->last > settings_.similar_window) record = &state_->similar.put(similar, {});
  record->messages.insert(event.message);
  record->last = now;
  if (record->messages.size() >= settings_.similar_events) {
    // Upstream drops one remembered message, so the count stays just below the limit.
    record->messages.erase(record->messages.begin());
    CoreEvent combined;
    combined.involved = event.involved;
    combined.ns = event.ns;
    combined.source = event.source;
    combined.type = event.type;
    combined.reason = event.reason;
    combined.message = "(combined from similar events): " + event.message;
    combined.first_timestamp = combined.last_timestamp = now;
    combined.name = event_name(event.involved.name, now);
    event = std::move(combined);
    key = similar;
  }

  // A repeat of an event written before: that Event gets the next count.
  Correlation result;
  if (State::Observation* seen = state_->observed.find(key); seen && seen->count > 0) {
    event.name = seen->name;
    event.resource_version = seen->resource_version;
    event.first_timestamp = seen->first_timestamp;
    event.count = seen->count + 1;
    result.action = Correlation::Action::Patch;
  }
  state_->observed.put(key, {event.count, event.first_timestamp, event.name, event.resource_version});

  // The spam filter sees every event, repeats included, after they were counted.
  const std::string spam = spam_key(event);
  State::TokenBucket* bucket = state_->spam.find(spam);
  if (!bucket) bucket = &state_->spam.put(spam, {now});
  const auto full_at = std::max(bucket->full_at, now);
  // Taking a token moves full_at one period on; there is none left when that would put
  // it further out than the whole burst.
  if (full_at + settings_.spam_refill - now > settings_.spam_refill * settings_.spam_burst) {
    result.action = Correlation::Action::Skip;
    return result;
  }
  bucket->full_at = full_at + settings_.spam_refill;
  result.event = std::move(event);
  return result;
}

}  // namespace ukube::controller
