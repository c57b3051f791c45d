#include "ukube/controller/reconcile_loop.h"

#include <spdlog/logger.h>

namespace ukube::controller {

ReconcileLoop::ReconcileLoop(LoopSettings settings, Reconcile reconcile, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      reconcile_(std::move(reconcile)),
      log_(std::move(log)),
      queue_(settings_.limits) {}

ReconcileLoop::~ReconcileLoop() {
  stop();
}

void ReconcileLoop::mark_pending(const std::string& key) {
  std::lock_guard lock(mutex_);
  ++pending_[key];
}

void ReconcileLoop::add(const std::string& key) {
  mark_pending(key);
  queue_.add(key);
  std::lock_guard lock(mutex_);
  if (started_) spawn_locked(false);
}

void ReconcileLoop::add_after(const std::string& key, std::chrono::milliseconds delay) {
  mark_pending(key);
  queue_.add_after(key, delay);
  std::lock_guard lock(mutex_);
  if (started_) spawn_locked(false);
}

void ReconcileLoop::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  if (queue_.size() > 0 || queue_.has_delayed()) spawn_locked(false);
}

// One worker to begin with; more join, up to `workers`, only when keys wait while every
// worker is busy. A node runs a dozen controllers whose upstream concurrency adds up to
// ~70 threads that would mostly sleep.
void ReconcileLoop::spawn_locked(bool peer) {
  if (queue_.shutting_down()) return;
  if (peer ? active_ >= std::max(1u, settings_.workers) : active_ > 0) return;
  // Threads that have left are joined here: each returned right after saying so.
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->finished) {
      ++it;
      continue;
    }
    it->thread.join();
    it = workers_.erase(it);
  }
  ++active_;
  Worker& worker = workers_.emplace_back();
  worker.thread = std::thread([this, &worker] { run(worker); });
}

void ReconcileLoop::stop() {
  queue_.shut_down();
  // A worker that took a key just before the shut-down may still add a peer: join until none is left.
  while (true) {
    std::list<Worker> workers;
    {
      std::lock_guard lock(mutex_);
      workers.swap(workers_);
    }
    if (workers.empty()) return;
    for (auto& w : workers)
      if (w.thread.joinable()) w.thread.join();
  }
}

bool ReconcileLoop::idle() const {
  std::lock_guard lock(mutex_);
  return pending_.empty();
}

unsigned ReconcileLoop::active_workers() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void ReconcileLoop::run(Worker& self) {
  while (true) {
    auto key = queue_.get(settings_.linger);
    if (!key) {
      std::lock_guard lock(mutex_);
      // Leave once nothing is ready or waiting for its time; a key added after this
      // check finds no worker and starts one. Shut down: leave at once.
      if (queue_.shutting_down() || (queue_.size() == 0 && !queue_.has_delayed())) {
        --active_;
        self.finished = true;
        return;
      }
      continue;
    }
    if (queue_.size() > 0) {  // keys wait while this worker is busy: bring in a peer
      std::lock_guard lock(mutex_);
      spawn_locked(true);
    }
    uint64_t seen = 0;
    {
      std::lock_guard lock(mutex_);
      seen = pending_[*key];
    }
    Result result = Result::retry();
    try {
      result = reconcile_(*key);
    } catch (const std::exception& e) {
      if (log_) log_->warn("{}: reconciling {} failed: {}", settings_.name, *key, e.what());
    }
    switch (result.next) {
      case Result::Next::Retry: queue_.add_rate_limited(*key); break;
      case Result::Next::RequeueAfter:
        queue_.forget(*key);
        queue_.add_after(*key, result.after);
        break;
      case Result::Next::Done: queue_.forget(*key); break;
    }
    queue_.done(*key);
    if (result.next == Result::Next::Retry) continue;
    std::lock_guard lock(mutex_);
    // Added again while it was reconciled: the queue hands it out once more, so it stays pending.
    if (auto it = pending_.find(*key); it != pending_.end() && it->second == seen) pending_.erase(it);
  }
}

}  // namespace ukube::controller
