#include "timer_thread.h"

#include <chrono>

namespace ukube::runtime::fake {

TimerThread::TimerThread() : thread_([this] { run(); }) {}

TimerThread::~TimerThread() {
  shutdown();
}

int64_t TimerThread::now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool TimerThread::at(int64_t due_ns, Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    queue_.push(Entry{due_ns, next_sequence_++, std::move(task)});
  }
  changed_.notify_one();
  return true;
}

void TimerThread::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  queue_ = {};
}

void TimerThread::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const int64_t wait_ns = queue_.top().due - now();
    if (wait_ns > 0) {
      // A relative wait on the steady clock, re-checked: a new earlier task or a clock step
      // only costs one extra turn of the loop.
      changed_.wait_for(lock, std::chrono::nanoseconds(wait_ns));
      continue;
    }
    // top() is const; the task is moved out just before the entry is popped.
    Task task = std::move(const_cast<Entry&>(queue_.top()).task);
    queue_.pop();
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A task is the driver's own bookkeeping; one that throws must not stop every other
      // simulated container's clock.
    }
    lock.lock();
  }
}

}  // namespace ukube::runtime::fake
