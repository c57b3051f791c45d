#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace ukube::watch {

// The only state a publisher touches per watcher: a watcher arms it when it has caught up
// and is about to sleep (or its poll() came back empty); the publisher fires armed signals
// once per batch and skips the rest with one atomic load, so watchers busy reading cost
// the writer nothing.
//
// Lost wake-ups are ruled out by the order of two sequentially consistent operations on
// each side: the watcher arms, then re-reads the head; the publisher advances the head,
// then tests the arm. At least one of them sees the other.
class WakeSignal {
 public:
  // Publisher side.
  bool armed() const { return armed_.load(); }
  void fire();
  // Closes for good: wakes a sleeper, and with `notify` also runs the callback.
  void close(bool notify);

  // Watcher side.
  void arm() { armed_.store(true); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // Arms and sleeps until fired, closed or `until`, unless `still_idle()` (checked after
  // arming) says the head has moved in the meantime.
  template <class StillIdle>
  void wait_until(std::chrono::steady_clock::time_point until, StillIdle still_idle) {
    std::unique_lock lock(mu_);
    armed_.store(true);
    if (closed() || !still_idle()) return;
    cv_.wait_until(lock, until, [this] { return !armed_.load() || closed(); });
  }

  // The callback runs under callback_mu_, so once drop_callback() returns it is neither
  // running nor will run again; hence it must not call set_callback/drop_callback itself.
  void set_callback(std::function<void()> callback);
  void drop_callback();

 private:
  void wake_sleeper();
  void run_callback();

  std::atomic<bool> armed_{false};
  std::atomic<bool> closed_{false};
  std::mutex mu_;  // pairs with cv_ only
  std::condition_variable cv_;

  std::atomic<bool> has_callback_{false};  // spares next()-only watchers the callback lock
  std::mutex callback_mu_;
  std::function<void()> callback_;
};

}  // namespace ukube::watch
