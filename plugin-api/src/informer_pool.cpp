#include "informer_pool.h"

#include <pthread.h>

#include <algorithm>

namespace ukube::detail {

InformerPool::InformerPool(size_t threads, std::string thread_name) {
  threads_.reserve(threads);
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) {
    threads_.emplace_back([this] { work(); });
    // Linux limits thread names to 15 characters; a name makes `top -H` readable.
    pthread_setname_np(threads_.back().native_handle(), thread_name.substr(0, 15).c_str());
  }
}

InformerPool::~InformerPool() {
  shutdown();
}

void InformerPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    ready_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void InformerPool::post_at(Clock::time_point when, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    timed_.emplace(when, std::move(task));
  }
  // Every sleeper re-computes its deadline; one of them may now have to wake earlier.
  wake_.notify_all();
}

void InformerPool::shutdown() {
  std::deque<std::function<void()>> dropped;
  std::multimap<Clock::time_point, std::function<void()>> dropped_timed;
  {
    std::lock_guard lock(mutex_);
    if (closing_ && threads_.empty()) return;
    closing_ = true;
    dropped.swap(ready_);
    dropped_timed.swap(timed_);
  }
  wake_.notify_all();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

bool InformerPool::on_pool_thread() const {
  auto self = std::this_thread::get_id();
  return std::any_of(threads_.begin(), threads_.end(),
                     [&](const std::thread& t) { return t.get_id() == self; });
}

void InformerPool::work() {
  std::unique_lock lock(mutex_);
  while (!closing_) {
    auto now = Clock::now();
    while (!timed_.empty() && timed_.begin()->first <= now) {
      ready_.push_back(std::move(timed_.begin()->second));
      timed_.erase(timed_.begin());
    }
    if (ready_.empty()) {
      if (timed_.empty())
        wake_.wait(lock);
      else
        wake_.wait_until(lock, timed_.begin()->first);
      continue;
    }
    auto task = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // whatever it holds goes before the lock is taken again
    lock.lock();
  }
}

}  // namespace ukube::detail
