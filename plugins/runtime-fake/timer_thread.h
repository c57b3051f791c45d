#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "scheduler.h"

// The plugin's one thread: a priority queue of due tasks (delayed starts, exits, kills
// after a stop timeout, event delivery), run in due order on wall-clock time.
namespace ukube::runtime::fake {

class TimerThread final : public Scheduler {
 public:
  TimerThread();
  ~TimerThread() override;  // shuts down
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  int64_t now() override;
  bool at(int64_t due_ns, Task task) override;
  // Stops the thread and drops the tasks not yet due. Idempotent; not from a task.
  void shutdown();

 private:
  struct Entry {
    int64_t due;
    uint64_t sequence;  // keeps tasks due at once in submission order
    Task task;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
    }
  };

  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<Entry, std::vector<Entry>, Later> queue_;
  uint64_t next_sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ukube::runtime::fake
