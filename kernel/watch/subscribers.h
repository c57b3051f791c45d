#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "kernel/watch/wake_signal.h"
#include "ukube/store.h"

namespace ukube::watch {

// The live watchers' wake signals. Signals are fired and closed outside the lock, so a
// callback may create, cancel or poll watchers without deadlocking the publisher.
//
// A sleeping watcher is woken only by a batch holding a key under its prefix: waking
// every watcher of every resource for each write cost more than the writes themselves
// once a dozen informers watched. So that a watcher left asleep never falls out of the
// history or past its lag bound, it is also woken once `catch_up_every` events have gone
// by without one for it.
class Subscribers {
 public:
  // False once closed: the watcher starts out closed. An empty prefix wants every batch.
  bool add(std::shared_ptr<WakeSignal> signal, std::string prefix, size_t catch_up_every);
  void remove(const WakeSignal* signal);
  size_t size() const;

  // Once per published batch. `scratch` is the publisher's, reused to avoid allocating.
  void fire_armed(std::span<const store::EventPtr> batch, std::vector<std::shared_ptr<WakeSignal>>& scratch);
  // Closes every signal, notifying their callbacks, and refuses new ones.
  void close_all();

 private:
  mutable std::mutex mu_;
  struct Entry {
    std::shared_ptr<WakeSignal> signal;
    std::string prefix;
    size_t catch_up_every;
    size_t passed_by = 0;  // events published while it slept, none for it
  };
  bool closed_ = false;
  std::vector<Entry> entries_;
};

}  // namespace ukube::watch
