#include "kernel/watch/subscribers.h"

#include <algorithm>
#include <utility>

namespace ukube::watch {

bool Subscribers::add(std::shared_ptr<WakeSignal> signal) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  signals_.push_back(std::move(signal));
  return true;
}

void Subscribers::remove(const WakeSignal* signal) {
  std::shared_ptr<WakeSignal> removed;  // released after unlocking
  std::lock_guard lock(mu_);
  auto it = std::find_if(signals_.begin(), signals_.end(), [&](const auto& s) { return s.get() == signal; });
  if (it == signals_.end()) return;
  removed = std::move(*it);
  *it = std::move(signals_.back());
  signals_.pop_back();
}

size_t Subscribers::size() const {
  std::lock_guard lock(mu_);
  return signals_.size();
}

void Subscribers::fire_armed(std::vector<std::shared_ptr<WakeSignal>>& scratch) {
  scratch.clear();
  {
    std::lock_guard lock(mu_);
    // Copying only the armed ones keeps the per-batch cost for busy watchers at one load.
    // A watcher arming right after this scan has re-read the head and seen this batch.
    for (const auto& signal : signals_) {
      if (signal->armed()) scratch.push_back(signal);
    }
  }
  for (const auto& signal : scratch) signal->fire();
  scratch.clear();
}

void Subscribers::close_all() {
  std::vector<std::shared_ptr<WakeSignal>> signals;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    signals.swap(signals_);
  }
  for (const auto& signal : signals) signal->close(true);
}

}  // namespace ukube::watch
