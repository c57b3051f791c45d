#include "ukube/controller/worker_pool.h"

#include <algorithm>
#include <utility>

namespace ukube::controller {
namespace {

constexpr std::chrono::milliseconds kGrace{1};
constexpr std::chrono::seconds kIdleExit{30};

// The pool whose task this thread is running, until the task calls done_blocking().
thread_local WorkerPool* current_pool = nullptr;

}  // namespace

WorkerPool::WorkerPool(size_t min, size_t max) : min_(std::max<size_t>(min, 1)), max_(std::max(min_, max)) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < min_; ++i) spawn();
}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::post(std::function<void()> task) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (stopped_) return;
  queue_.push_back({std::move(task), now});
  if (busy_ + queue_.size() > workers_.size() && now - queue_.front().queued >= kGrace &&
      workers_.size() < max_)
    spawn();
  ready_.notify_one();
}

void WorkerPool::done_blocking() {
  WorkerPool* pool = std::exchange(current_pool, nullptr);
  if (!pool) return;
  std::lock_guard lock(pool->mu_);
  --pool->busy_;
}

void WorkerPool::drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

void WorkerPool::stop(Queued queued) {
  std::deque<Task> dropped;
  Threads threads;
  {
    std::lock_guard lock(mu_);
    if (stopped_ && workers_.empty() && finished_.empty()) return;
    stopped_ = true;
    run_queued_ = queued == Queued::Run;
    if (!run_queued_) dropped.swap(queue_);
    threads.splice(threads.end(), workers_);
    threads.splice(threads.end(), finished_);
    ready_.notify_all();
  }
  for (auto& t : threads) t.join();
}

void WorkerPool::spawn() {
  // Threads that left have nothing more to do than return: joining them is quick.
  for (auto& t : finished_) t.join();
  finished_.clear();
  auto self = workers_.emplace(workers_.end());
  *self = std::thread([this, self] { run(self); });
}

void WorkerPool::run(Threads::iterator self) {
  std::unique_lock lock(mu_);
  while (true) {
    if (!queue_.empty() && (!stopped_ || run_queued_)) {
      std::function<void()> task = std::move(queue_.front().run);
      queue_.pop_front();
      ++running_;
      ++busy_;
      current_pool = this;
      lock.unlock();
      try {
        task();
      } catch (...) {
        // A task reports its own failures; one that escapes must not end the thread.
      }
      task = nullptr;  // whatever it holds goes before the lock is taken again
      lock.lock();
      if (std::exchange(current_pool, nullptr)) --busy_;
      --running_;
      if (queue_.empty() && running_ == 0) idle_.notify_all();
      continue;
    }
    if (stopped_) return;
    const bool woken = ready_.wait_for(lock, kIdleExit, [&] { return stopped_ || !queue_.empty(); });
    if (!woken && workers_.size() > min_) {
      finished_.splice(finished_.end(), workers_, self);
      return;
    }
  }
}

}  // namespace ukube::controller
