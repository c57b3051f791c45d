#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "informer_cache.h"
#include "informer_handlers.h"
#include "informer_pool.h"
#include "ukube/informer.h"

// An informer's list + watch loop as a series of short steps on a pool: a step lists,
// or opens the watch, or applies the events the watch has ready, then returns. The watch
// stream's readiness callback (or, for streams without one, a timer) asks for the next
// step, so no thread waits on any one informer. Steps of one informer never overlap.
namespace ukube {

struct Informer::State : std::enable_shared_from_this<Informer::State> {
  State(std::shared_ptr<Client> client, GroupVersionResource gvr, std::string ns, ListOptions selectors,
        bool shared)
      : client(std::move(client)),
        gvr(std::move(gvr)),
        ns(std::move(ns)),
        selectors(std::move(selectors)),
        shared(shared) {}

  // Runs the loop on `pool` until halt().
  void run(detail::InformerPool& pool);
  // Stops the loop: waits for a step in progress (unless called from it) and closes the
  // watch, so its readiness callback is never called again.
  void halt();

  const std::shared_ptr<Client> client;
  const GroupVersionResource gvr;
  const std::string ns;
  const ListOptions selectors;
  const bool shared;  // from a factory: users cannot start or stop it
  detail::InformerCache cache;
  detail::InformerHandlerSet handlers;

 private:
  using Clock = std::chrono::steady_clock;

  void kick();  // asks for a step soon
  // Asks for a step no later than `when`: one timer at a time, the earliest wanted.
  void kick_by(Clock::time_point when);
  void run_step(uint64_t generation);
  void step();
  void relist();
  void open_watch();
  void close_watch();
  // Applies what the watch has ready, a bounded batch at a time.
  void drain();

  // Scheduling: at most one step queued or running; news during a step runs another.
  std::mutex scheduling_;
  std::condition_variable step_done_;
  detail::InformerPool* pool_ = nullptr;
  uint64_t generation_ = 0;  // steps and timers of an earlier run() are ignored
  bool queued_ = false, running_ = false, again_ = false;
  Clock::time_point timer_due_ = Clock::time_point::max();  // max: no timer pending
  std::thread::id stepping_thread_;
  std::atomic<bool> stopping_{true};

  // Touched by steps only.
  std::unique_ptr<WatchStream> stream_;
  bool stream_notifies_ = false;
  bool need_list_ = true;
  std::chrono::milliseconds error_backoff_{100};
  std::chrono::milliseconds poll_backoff_{1};
};

}  // namespace ukube
