#include "ukube/workqueue.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace ukube {

using Clock = std::chrono::steady_clock;

struct WorkQueue::State {
  RateLimits limits;
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::string> ready;
  std::unordered_set<std::string> dirty;       // queued or waiting to be re-queued after done()
  std::unordered_set<std::string> processing;  // handed out, not yet done()
  std::unordered_map<std::string, int> failures;
  std::multimap<Clock::time_point, std::string> delayed;
  bool shutdown = false;
  double tokens = 0;
  Clock::time_point refilled = Clock::now();

  void add_locked(const std::string& item) {
    if (shutdown || !dirty.insert(item).second) return;
    if (processing.count(item)) return;  // re-queued by done()
    ready.push_back(item);
    wake.notify_one();
  }

  // Moves delayed items whose time has come into the ready queue.
  void promote_locked(Clock::time_point now) {
    while (!delayed.empty() && delayed.begin()->first <= now) {
      std::string item = std::move(delayed.begin()->second);
      delayed.erase(delayed.begin());
      add_locked(item);
    }
  }

  // Token bucket shared by every item: reserve one token, return how long until it exists.
  Clock::duration bucket_delay_locked() {
    auto now = Clock::now();
    double elapsed = std::chrono::duration<double>(now - refilled).count();
    refilled = now;
    tokens = std::min<double>(limits.burst, tokens + elapsed * limits.qps);
    tokens -= 1;
    if (tokens >= 0 || limits.qps <= 0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens / limits.qps));
  }
};

WorkQueue::WorkQueue(RateLimits limits) : state_(std::make_unique<State>()) {
  state_->limits = limits;
  state_->tokens = limits.burst;
}

WorkQueue::~WorkQueue() {
  shut_down();
}

void WorkQueue::add(const std::string& item) {
  std::lock_guard lock(state_->mutex);
  state_->add_locked(item);
}

void WorkQueue::add_after(const std::string& item, std::chrono::milliseconds delay) {
  std::lock_guard lock(state_->mutex);
  if (state_->shutdown) return;
  if (delay.count() <= 0) return state_->add_locked(item);
  state_->delayed.emplace(Clock::now() + delay, item);
  state_->wake.notify_all();
}

void WorkQueue::add_rate_limited(const std::string& item) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(state_->mutex);
    int n = state_->failures[item]++;
    double backoff = state_->limits.base_delay.count() * std::pow(2.0, std::min(n, 62));
    auto item_delay = std::chrono::milliseconds(
        static_cast<int64_t>(std::min<double>(backoff, state_->limits.max_delay.count())));
    auto bucket = std::chrono::ceil<std::chrono::milliseconds>(state_->bucket_delay_locked());
    delay = std::max(item_delay, bucket);
  }
  add_after(item, delay);
}

void WorkQueue::forget(const std::string& item) {
  std::lock_guard lock(state_->mutex);
  state_->failures.erase(item);
}

int WorkQueue::requeues(const std::string& item) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->failures.find(item);
  return it == state_->failures.end() ? 0 : it->second;
}

std::optional<std::string> WorkQueue::get() {
  return get(std::chrono::milliseconds::max());
}

std::optional<std::string> WorkQueue::get(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  auto now = Clock::now();
  auto deadline = timeout == std::chrono::milliseconds::max() ? Clock::time_point::max() : now + timeout;
  while (true) {
    if (state_->shutdown) return std::nullopt;
    now = Clock::now();
    state_->promote_locked(now);
    if (!state_->ready.empty()) break;
    if (now >= deadline) return std::nullopt;
    auto until = deadline;
    if (!state_->delayed.empty()) until = std::min(until, state_->delayed.begin()->first);
    if (until == Clock::time_point::max())
      state_->wake.wait(lock);
    else
      state_->wake.wait_until(lock, until);
  }
  std::string item = std::move(state_->ready.front());
  state_->ready.pop_front();
  state_->dirty.erase(item);
  state_->processing.insert(item);
  return item;
}

void WorkQueue::done(const std::string& item) {
  std::lock_guard lock(state_->mutex);
  state_->processing.erase(item);
  if (state_->dirty.count(item) && !state_->shutdown) {
    state_->ready.push_back(item);
    state_->wake.notify_one();
  }
}

void WorkQueue::shut_down() {
  std::lock_guard lock(state_->mutex);
  state_->shutdown = true;
  state_->wake.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(state_->mutex);
  return state_->shutdown;
}

size_t WorkQueue::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->ready.size();
}

bool WorkQueue::has_delayed() const {
  std::lock_guard lock(state_->mutex);
  return !state_->delayed.empty();
}

}  // namespace ukube
