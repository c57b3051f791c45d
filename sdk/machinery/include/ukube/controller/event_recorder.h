#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/controller/event_correlator.h"
#include "ukube/machinery/export.h"

namespace spdlog {
class logger;
}

// core/v1 Events as client-go's record package writes them, so `kubectl describe` shows
// "Warning  FailedScheduling  2m (x3 over 5m)  default-scheduler  ...". The caller only
// queues the event; one background thread correlates it (EventCorrelator: repeats patch
// the existing Event's count, similar ones are combined, spam is dropped) and writes it
// best effort, without waiting for the commit. A full queue drops the event with a log
// line, as upstream's broadcaster does, so a component never waits on its events.
//
// Upstream's record package never writes `series`: that field belongs to events.k8s.io/v1
// Events (tools/events), where it replaces count and lastTimestamp.
namespace ukube::controller {

struct RecorderSettings {
  EventSource source;         // who reports, unless a call names another source
  size_t queue_limit = 1000;  // upstream's maxQueuedEvents
  CorrelatorSettings correlator;
};

class UKUBE_MACHINERY_API EventRecorder {
 public:
  // `log` (null: spdlog's default logger) gets a line for each event dropped or refused.
  EventRecorder(std::shared_ptr<Client> client, RecorderSettings settings,
                std::shared_ptr<spdlog::logger> log = nullptr);
  // Stops after the write under way; events still queued are dropped.
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // `object` is the involved object itself (kind, apiVersion, metadata) or an
  // ObjectReference (kind, namespace, name, uid, apiVersion, resourceVersion, fieldPath).
  // `type` is Normal or Warning; other types are refused with a log line, as upstream.
  void event(const boost::json::object& object, const std::string& type, const std::string& reason,
             const std::string& message);
  void event(const ObjectReference& involved, const std::string& type, const std::string& reason,
             const std::string& message);
  // From another source: components that share one writer (the scheduler's profiles).
  void event(const EventSource& source, const ObjectReference& involved, const std::string& type,
             const std::string& reason, const std::string& message);

  // Blocks until every event queued so far has been written or dropped (tests, shutdown).
  void flush();

 private:
  struct Queued {
    EventSource source;
    ObjectReference involved;
    std::string type, reason, message;
  };

  void run();
  void write(const Queued& queued);

  std::shared_ptr<Client> client_;
  RecorderSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  EventCorrelator correlator_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Queued> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  // Writes in the background, started by the first event and gone once none has come for
  // a while: a component that records nothing holds no thread.
  std::thread writer_;
  bool writer_running_ = false;
};

// upstream's RecordNodeStatusChange, shared by the node lifecycle and IPAM controllers:
// an event of `type` about `node` (referenced as a v1 Node by name and uid) whose reason is
// the node's new status, "Node <name> status is now: <status>". `source` overrides the
// recorder's own (IPAM reports as cidrAllocator).
UKUBE_MACHINERY_API void record_node_status_change(EventRecorder& events, const boost::json::object& node,
                                                   const std::string& type, const std::string& status,
                                                   const EventSource* source = nullptr);

}  // namespace ukube::controller
