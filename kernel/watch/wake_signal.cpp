#include "kernel/watch/wake_signal.h"

#include <utility>

namespace ukube::watch {

void WakeSignal::fire() {
  // The plain load first keeps the common case (watcher busy, not armed) free of a
  // read-modify-write on a line the watcher also writes.
  if (!armed_.load() || !armed_.exchange(false)) return;
  wake_sleeper();
  run_callback();
}

void WakeSignal::close(bool notify) {
  closed_.store(true, std::memory_order_release);
  wake_sleeper();
  if (notify) run_callback();
}

void WakeSignal::wake_sleeper() {
  // Taking the lock orders us after a sleeper's arm-and-check, so it is either already
  // waiting (and gets the notify) or will see the disarm/close in its predicate.
  { std::lock_guard lock(mu_); }
  cv_.notify_all();
}

void WakeSignal::run_callback() {
  if (!has_callback_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(callback_mu_);
  if (callback_) callback_();
}

void WakeSignal::set_callback(std::function<void()> callback) {
  std::lock_guard lock(callback_mu_);
  callback_ = std::move(callback);
  has_callback_.store(static_cast<bool>(callback_), std::memory_order_release);
}

void WakeSignal::drop_callback() {
  std::lock_guard lock(callback_mu_);
  callback_ = nullptr;
  has_callback_.store(false, std::memory_order_release);
}

}  // namespace ukube::watch
