#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "kernel/watch/wake_signal.h"

namespace ukube::watch {

// The live watchers' wake signals. Signals are fired and closed outside the lock, so a
// callback may create, cancel or poll watchers without deadlocking the publisher.
class Subscribers {
 public:
  // False once closed: the watcher starts out closed.
  bool add(std::shared_ptr<WakeSignal> signal);
  void remove(const WakeSignal* signal);
  size_t size() const;

  // Once per published batch. `scratch` is the publisher's, reused to avoid allocating.
  void fire_armed(std::vector<std::shared_ptr<WakeSignal>>& scratch);
  // Closes every signal, notifying their callbacks, and refuses new ones.
  void close_all();

 private:
  mutable std::mutex mu_;
  bool closed_ = false;
  std::vector<std::shared_ptr<WakeSignal>> signals_;
};

}  // namespace ukube::watch
