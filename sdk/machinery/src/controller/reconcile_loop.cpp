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
}

void ReconcileLoop::add_after(const std::string& key, std::chrono::milliseconds delay) {
  mark_pending(key);
  queue_.add_after(key, delay);
}

// One worker to begin with; more join, up to `workers`, only when keys wait while every
// worker is busy. A node runs a dozen controllers whose upstream concurrency adds up to
// ~70 threads that would mostly sleep; here an idle controller costs one.
void ReconcileLoop::start() {
  std::lock_guard lock(mutex_);
  if (!workers_.empty()) return;
  workers_.emplace_back([this] { run(); });
}

void ReconcileLoop::stop() {
  queue_.shut_down();
  // A worker that took a key just before the shut-down may still add a peer: join until none is left.
  while (true) {
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mutex_);
      workers.swap(workers_);
    }
    if (workers.empty()) return;
    for (auto& t : workers)
      if (t.joinable()) t.join();
  }
}

bool ReconcileLoop::idle() const {
  std::lock_guard lock(mutex_);
  return pending_.empty();
}

void ReconcileLoop::run() {
  while (true) {
    auto key = queue_.get();
    if (!key) return;
    if (queue_.size() > 0) {  // keys wait while this worker is busy: bring in a peer
      std::lock_guard lock(mutex_);
      if (workers_.size() < std::max(1u, settings_.workers)) workers_.emplace_back([this] { run(); });
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
