#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <vector>

#include "scheduler.h"

// A Scheduler whose time moves only when a test says: advance() runs the tasks that fall
// due, in due order, on the test's thread, with now() at each task's due time. Start delays,
// exits and stop timeouts then happen exactly when the test expects, with no sleeping.
namespace ukube::runtime::fake::testing {

class ManualScheduler final : public Scheduler {
 public:
  // 2023-11-14T22:13:20Z: any fixed, plausible instant.
  static constexpr int64_t kStart = 1'700'000'000'000'000'000;

  int64_t now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  bool at(int64_t due_ns, Task task) override {
    {
      std::lock_guard lock(mutex_);
      queue_.push(Entry{due_ns, next_sequence_++, std::move(task)});
    }
    added_.notify_all();
    return true;
  }

  void advance(std::chrono::nanoseconds step) {
    int64_t target;
    {
      std::lock_guard lock(mutex_);
      target = now_ + step.count();
    }
    for (;;) {
      Task task;
      {
        std::lock_guard lock(mutex_);
        if (queue_.empty() || queue_.top().due > target) {
          now_ = target;
          return;
        }
        now_ = std::max(now_, queue_.top().due);
        task = std::move(const_cast<Entry&>(queue_.top()).task);
        queue_.pop();
      }
      task();
    }
  }
  void run_due() { advance(std::chrono::nanoseconds(0)); }

  size_t pending() {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }
  // Waits (bounded) until at least `count` tasks are queued: another thread's call has
  // scheduled its work.
  bool wait_for_pending(size_t count, std::chrono::seconds patience = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return added_.wait_for(lock, patience, [&] { return queue_.size() >= count; });
  }

 private:
  struct Entry {
    int64_t due;
    uint64_t sequence;
    Task task;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
    }
  };

  std::mutex mutex_;
  std::condition_variable added_;
  std::priority_queue<Entry, std::vector<Entry>, Later> queue_;
  uint64_t next_sequence_ = 0;
  int64_t now_ = kStart;
};

}  // namespace ukube::runtime::fake::testing
