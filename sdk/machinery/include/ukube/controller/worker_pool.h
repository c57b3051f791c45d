#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "ukube/machinery/export.h"

// Threads that run posted tasks: the API server's request handlers, the scheduler's
// writes, a controller's reconciles. Between `min` and `max` threads: a thread is added
// when every running one is inside the part of its task that may block and the oldest
// queued task has waited a moment; a thread idle for a while leaves again, down to `min`.
// A pool with min == max is a plain fixed pool.
namespace ukube::controller {

class UKUBE_MACHINERY_API WorkerPool {
 public:
  WorkerPool(size_t min, size_t max);
  explicit WorkerPool(size_t threads) : WorkerPool(threads, threads) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // A task that throws is dropped with its exception: tasks report their own failures.
  void post(std::function<void()> task);

  // Called by a task once what may block is done; the rest of it is quick, so the pool
  // need not grow for it. A busy CPU then does not pass for blocked writes.
  static void done_blocking();

  // Blocks until every posted task has run.
  void drain();

  enum class Queued { Drop, Run };
  // Stops the threads: queued tasks are dropped, or run first; running ones finish.
  void stop(Queued queued = Queued::Drop);

 private:
  using Threads = std::list<std::thread>;
  struct Task {
    std::function<void()> run;
    std::chrono::steady_clock::time_point queued;
  };

  void spawn();  // mu_ held
  void run(Threads::iterator self);

  const size_t min_, max_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::condition_variable idle_;
  std::deque<Task> queue_;
  Threads workers_;     // alive
  Threads finished_;    // left after idling; joined by the next spawn() or stop()
  size_t running_ = 0;  // threads inside a task
  size_t busy_ = 0;     // threads inside the part of a task that may block
  bool stopped_ = false;
  bool run_queued_ = false;
};

}  // namespace ukube::controller
