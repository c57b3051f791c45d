#pragma once

#include <cstdint>
#include <functional>

// The fake runtime's notion of time: what "now" is and a way to run work later. One
// scheduler serves every node of the plugin, so thousands of simulated containers cost no
// thread each. The plugin uses a TimerThread; tests use a manual one to drive time
// deterministically.
namespace ukube::runtime::fake {

class Scheduler {
 public:
  using Task = std::function<void()>;

  virtual ~Scheduler() = default;
  // Nanoseconds since the Unix epoch, as the CRI's timestamps.
  virtual int64_t now() = 0;
  // Runs `task` on the scheduler's thread once now() >= due_ns; tasks due at the same time
  // run in the order they were given. Returns false (and drops the task) after shutdown.
  virtual bool at(int64_t due_ns, Task task) = 0;

  bool after(int64_t delay_ns, Task task) { return at(now() + delay_ns, std::move(task)); }
  // Runs `task` as soon as possible: ahead of every timed task, in submission order (events
  // keep their order even when the wall clock steps back).
  bool soon(Task task) { return at(0, std::move(task)); }
};

}  // namespace ukube::runtime::fake
