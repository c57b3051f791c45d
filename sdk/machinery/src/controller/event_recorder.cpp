#include "ukube/controller/event_recorder.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::controller {
namespace json = boost::json;
namespace {

using machinery::kEvents;

// How long the writer waits for another event before its thread leaves.
constexpr std::chrono::seconds kWriterLinger{5};

// Events are best effort: nobody reads the answer, nobody waits for the commit.
WriteOptions best_effort() {
  WriteOptions options;
  options.return_object = false;
  options.wait_for_commit = false;
  return options;
}

}  // namespace

EventRecorder::EventRecorder(std::shared_ptr<Client> client, RecorderSettings settings,
                             std::shared_ptr<spdlog::logger> log)
    : client_(std::move(client)),
      settings_(std::move(settings)),
      log_(log ? std::move(log) : spdlog::default_logger()),
      correlator_(settings_.correlator) {}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  drained_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void EventRecorder::event(const json::object& object, const std::string& type, const std::string& reason,
                          const std::string& message) {
  event(settings_.source, reference_to(object), type, reason, message);
}

void EventRecorder::event(const ObjectReference& involved, const std::string& type, const std::string& reason,
                          const std::string& message) {
  event(settings_.source, involved, type, reason, message);
}

void EventRecorder::event(const EventSource& source, const ObjectReference& involved, const std::string& type,
                          const std::string& reason, const std::string& message) {
  if (type != "Normal" && type != "Warning") {
    log_->error("unsupported event type \"{}\" for {}/{} ({}): not recorded", type, involved.ns,
                involved.name, reason);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= settings_.queue_limit) {
      log_->error("too many queued events, dropped {} {} about {} {}/{}: {}", type, reason, involved.kind,
                  involved.ns, involved.name, message);
      return;
    }
    queue_.push_back({source, involved, type, reason, message});
    if (!writer_running_) {
      // The last writer said it was leaving before it let go of the lock: it is gone or
      // about to be.
      if (writer_.joinable()) writer_.join();
      writer_running_ = true;
      writer_ = std::thread([this] { run(); });
    }
  }
  wake_.notify_one();
}

void EventRecorder::flush() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return stopping_ || (queue_.empty() && !writing_); });
}

void EventRecorder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const bool woken = wake_.wait_for(lock, kWriterLinger, [&] { return stopping_ || !queue_.empty(); });
    if (!woken || stopping_) {
      writer_running_ = false;
      return;
    }
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    write(next);
    lock.lock();
    writing_ = false;
    if (queue_.empty()) drained_.notify_all();
  }
}

void EventRecorder::write(const Queued& queued) {
  Correlation c =
      correlator_.correlate(queued.involved, queued.source, queued.type, queued.reason, queued.message);
  if (c.action == Correlation::Action::Skip) return;
  const CoreEvent& e = c.event;
  try {
    if (c.action == Correlation::Action::Patch) {
      try {
        client_->patch(kEvents, e.ns, e.name, PatchType::JsonMerge, json::serialize(repeat_patch(e)),
                       best_effort());
        return;
      } catch (const ApiError& error) {
        // Deleted (or expired) meanwhile: written anew under its name, with its count.
        if (!is_not_found(error)) throw;
      }
    }
    CoreEvent fresh = e;
    fresh.resource_version.clear();
    client_->create(kEvents, e.ns, to_json(fresh), best_effort());
  } catch (const ApiError& error) {
    // Refused by the server (a namespace being deleted, a name taken): not retried, as
    // upstream; a taken name is expected when two writers race, so it is not reported.
    if (!is_already_exists(error))
      log_->warn("server rejected event {}/{} ({} {}): {}", e.ns, e.name, e.type, e.reason, error.what());
  } catch (const std::exception& error) {
    log_->warn("unable to write event {}/{} ({} {}): {}", e.ns, e.name, e.type, e.reason, error.what());
  }
}

void record_node_status_change(EventRecorder& events, const json::object& node, const std::string& type,
                               const std::string& status, const EventSource* source) {
  ObjectReference ref;
  ref.kind = "Node";
  ref.api_version = "v1";
  ref.name = machinery::name_of(node);
  ref.uid = machinery::uid_of(node);
  const std::string message = "Node " + ref.name + " status is now: " + status;
  if (source)
    events.event(*source, ref, type, status, message);
  else
    events.event(ref, type, status, message);
}

}  // namespace ukube::controller
