#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A fixed set of threads that run the short steps of many informers (a list, a batch of
// watch events), now or at a time, so the threads a process spends on informers do not
// grow with their number (DESIGN.md §10).
namespace ukube::detail {

class InformerPool {
 public:
  using Clock = std::chrono::steady_clock;

  InformerPool(size_t threads, std::string thread_name);
  ~InformerPool();  // shutdown()
  InformerPool(const InformerPool&) = delete;
  InformerPool& operator=(const InformerPool&) = delete;

  void post(std::function<void()> task);
  void post_at(Clock::time_point when, std::function<void()> task);
  // Drops what has not run yet and joins the threads. Not from one of its own tasks.
  void shutdown();
  size_t thread_count() const { return threads_.size(); }
  bool on_pool_thread() const;

 private:
  void work();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> ready_;
  std::multimap<Clock::time_point, std::function<void()>> timed_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ukube::detail
