#include "kernel/watch/subscribers.h"

#include <algorithm>
#include <utility>

namespace ukube::watch {

bool Subscribers::add(std::shared_ptr<WakeSignal> signal, std::string prefix, size_t catch_up_every) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  entries_.push_back({std::move(signal), std::move(prefix), std::max<size_t>(catch_up_every, 1)});
  return true;
}

void Subscribers::remove(const WakeSignal* signal) {
  std::shared_ptr<WakeSignal> removed;  // released after unlocking
  std::lock_guard lock(mu_);
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.signal.get() == signal; });
  if (it == entries_.end()) return;
  removed = std::move(it->signal);
  *it = std::move(entries_.back());
  entries_.pop_back();
}

size_t Subscribers::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void Subscribers::fire_armed(std::span<const store::EventPtr> batch,
                             std::vector<std::shared_ptr<WakeSignal>>& scratch) {
  scratch.clear();
  {
    std::lock_guard lock(mu_);
    // Copying only the armed ones keeps the per-batch cost for busy watchers at one load.
    // A watcher arming right after this scan has re-read the head and seen this batch.
    for (Entry& e : entries_) {
      if (!e.signal->armed()) {
        e.passed_by = 0;  // awake: it reads this batch itself
        continue;
      }
      const bool for_it =
          e.prefix.empty() || std::any_of(batch.begin(), batch.end(), [&](const store::EventPtr& ev) {
            return ev->key.starts_with(e.prefix);
          });
      e.passed_by += batch.size();
      if (!for_it && e.passed_by < e.catch_up_every) continue;
      e.passed_by = 0;
      scratch.push_back(e.signal);
    }
  }
  for (const auto& signal : scratch) signal->fire();
  scratch.clear();
}

void Subscribers::close_all() {
  std::vector<Entry> entries;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    entries.swap(entries_);
  }
  for (const auto& e : entries) e.signal->close(true);
}

}  // namespace ukube::watch
