#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ukube/machinery/export.h"
#include "ukube/workqueue.h"

namespace spdlog {
class logger;
}

// The shape of every controller: keys (namespace/name) go into a rate-limited work
// queue, N workers take them one at a time and reconcile each with the world as the
// informers' caches show it. Level-triggered, as client-go's controllers: a key queued
// several times while it waits is reconciled once, never by two workers at once.
// Workers are threads that come when keys do and leave once the queue has been empty for
// a while, so an idle controller costs no thread.
namespace ukube::controller {

// What a reconcile asks of the loop next.
struct Result {
  enum class Next { Done, Retry, RequeueAfter };
  Next next = Next::Done;
  std::chrono::milliseconds after{0};

  static Result done() { return {}; }
  // Try again with the queue's per-key exponential back-off.
  static Result retry() { return {Next::Retry, {}}; }
  // Done when `ok`, else Retry: for reconciles that only say whether they got there.
  static Result done_if(bool ok) { return ok ? done() : retry(); }
  // Look again after `delay` (a deadline, a TTL), with no back-off.
  static Result requeue_after(std::chrono::milliseconds delay) { return {Next::RequeueAfter, delay}; }
};

using Reconcile = std::function<Result(const std::string& key)>;

struct LoopSettings {
  std::string name;  // in log lines
  unsigned workers = 1;
  RateLimits limits{std::chrono::milliseconds(5), std::chrono::milliseconds(1000 * 1000), 10, 100};
  // How long a worker with nothing to do waits for a key before its thread leaves.
  std::chrono::milliseconds linger{5000};
};

class UKUBE_MACHINERY_API ReconcileLoop {
 public:
  // A reconcile that throws counts as Retry, and its message is logged.
  ReconcileLoop(LoopSettings settings, Reconcile reconcile, std::shared_ptr<spdlog::logger> log);
  ~ReconcileLoop();
  ReconcileLoop(const ReconcileLoop&) = delete;
  ReconcileLoop& operator=(const ReconcileLoop&) = delete;

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  void start();
  void stop();

  // Every key added has been reconciled successfully since it was last added.
  bool idle() const;
  // Worker threads running now: none once the loop has been idle for `linger`.
  unsigned active_workers() const;

 private:
  struct Worker {
    std::thread thread;
    bool finished = false;  // its thread has returned, or is about to: join it
  };

  void run(Worker& self);
  void mark_pending(const std::string& key);
  // Starts a worker when none runs (or, with `peer`, one more up to the limit); mutex_ held.
  void spawn_locked(bool peer);

  LoopSettings settings_;
  Reconcile reconcile_;
  std::shared_ptr<spdlog::logger> log_;
  WorkQueue queue_;
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> pending_;  // key → times added, until reconciled after the last
  bool started_ = false;
  unsigned active_ = 0;        // workers not finished
  std::list<Worker> workers_;  // a list: each worker keeps a reference to its entry
};

}  // namespace ukube::controller
