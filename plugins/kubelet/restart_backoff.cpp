#include "restart_backoff.h"

#include <algorithm>

namespace ukube::kubelet {

std::optional<std::chrono::milliseconds> RestartBackoff::remaining(const std::string& key,
                                                                   Clock::time_point failed,
                                                                   Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  const auto due = failed + it->second.delay;
  if (now >= due) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(due - now);
}

std::optional<std::chrono::milliseconds> RestartBackoff::remaining_since_last(const std::string& key,
                                                                              Clock::time_point now) const {
  Clock::time_point last;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    last = it->second.last_failure;
  }
  return remaining(key, last, now);
}

void RestartBackoff::next(const std::string& key, Clock::time_point failed) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (fresh || failed - e.last_failure > 2 * max_)
    e.delay = initial_;
  else
    e.delay = std::min(max_, e.delay * 2);
  e.last_failure = failed;
}

std::chrono::seconds RestartBackoff::delay(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? std::chrono::seconds(0) : it->second.delay;
}

void RestartBackoff::forget_prefix(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix);)
    it = entries_.erase(it);
}

}  // namespace ukube::kubelet
