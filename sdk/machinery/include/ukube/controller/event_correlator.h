#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

namespace ukube {
struct GroupVersionKind;  // ukube/types.h
}

// What client-go's record package decides before it writes a core/v1 Event: whether an
// event repeats one already written (then the existing Event's count, lastTimestamp and
// message are patched), whether it is one of many similar events (same object and
// reason, different messages: after 10 within 10 minutes they collapse into one
// "(combined from similar events): ..." Event) and whether its source has spoken about
// the object too often (a token bucket per source, object and type: 25 at once, then one
// per 5 minutes). Pure bookkeeping, no I/O, so a table of events can test it.
namespace ukube::controller {

using EventClock = std::chrono::system_clock;

// A core/v1 ObjectReference: the object an event is about.
struct ObjectReference {
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;  // a part of the object: spec.containers{web}
};

// The reference to an object (kind, apiVersion and metadata as written), as upstream's
// reference.GetReference builds it.
UKUBE_MACHINERY_API ObjectReference reference_to(const boost::json::object& object,
                                                 const std::string& field_path = {});
// The same for an object of a kind the caller knows: objects from an informer's cache may
// carry no kind or apiVersion.
UKUBE_MACHINERY_API ObjectReference reference_to(const boost::json::object& object,
                                                 const GroupVersionKind& kind);

struct EventSource {
  std::string component;  // source.component and reportingComponent: default-scheduler
  std::string host;       // source.host and reportingInstance; may be empty
};

// One core/v1 Event as the recorder writes it.
struct CoreEvent {
  std::string name;
  std::string ns;
  std::string resource_version;
  ObjectReference involved;
  EventSource source;
  std::string type;  // Normal or Warning
  std::string reason;
  std::string message;
  EventClock::time_point first_timestamp;
  EventClock::time_point last_timestamp;
  int32_t count = 1;
};

// The v1 Event document (apiVersion, kind, metadata, involvedObject, source,
// reportingComponent / reportingInstance, timestamps, count).
UKUBE_MACHINERY_API boost::json::object to_json(const CoreEvent& event);
// The merge patch that records another occurrence of an Event already written: count,
// lastTimestamp and message, the fields upstream's patch changes.
UKUBE_MACHINERY_API boost::json::object repeat_patch(const CoreEvent& event);

struct CorrelatorSettings {
  size_t cache_entries = 4096;  // per cache, least recently used entries leave first
  size_t similar_events = 10;   // distinct messages before similar events are combined
  std::chrono::seconds similar_window{600};
  int spam_burst = 25;
  std::chrono::seconds spam_refill{300};  // one token per this long
  std::function<EventClock::time_point()> now = [] { return EventClock::now(); };
  // Names an event whose "<object>.<hex nanoseconds>" is not a valid object name.
  std::function<std::string()> random_name;
};

struct Correlation {
  enum class Action { Create, Patch, Skip };
  Action action = Action::Create;
  CoreEvent event;  // to create, or the repeated Event with its count and timestamps
};

class UKUBE_MACHINERY_API EventCorrelator {
 public:
  explicit EventCorrelator(CorrelatorSettings settings = {});
  ~EventCorrelator();
  EventCorrelator(const EventCorrelator&) = delete;
  EventCorrelator& operator=(const EventCorrelator&) = delete;

  // A fresh event about `involved` (count 1, both timestamps now, named after the object,
  // in its namespace or "default"), then correlated.
  Correlation correlate(const ObjectReference& involved, const EventSource& source, const std::string& type,
                        const std::string& reason, const std::string& message);
  Correlation correlate(CoreEvent event);

 private:
  struct State;
  // "<object>.<hex nanoseconds>", as upstream names events.
  std::string event_name(const std::string& object_name, EventClock::time_point at) const;

  CorrelatorSettings settings_;
  std::mutex mutex_;
  std::unique_ptr<State> state_;
};

}  // namespace ukube::controller
