#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "ukube/export.h"

// A rate-limited work queue of keys, with client-go's guarantees: an item is queued at
// most once, never handed to two workers at once, and an item added while it is being
// processed is handed out again after done().
namespace ukube {

struct RateLimits {
  std::chrono::milliseconds base_delay{5};  // per-item exponential back-off start
  std::chrono::milliseconds max_delay{1000 * 1000};
  double qps = 10;  // overall token bucket shared by every item
  int burst = 100;
};

class UKUBE_API WorkQueue {
 public:
  explicit WorkQueue(RateLimits limits = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& item);
  void add_after(const std::string& item, std::chrono::milliseconds delay);
  // Re-queues after max(per-item back-off, overall bucket delay); the back-off doubles
  // with every call until forget().
  void add_rate_limited(const std::string& item);
  void forget(const std::string& item);
  int requeues(const std::string& item) const;

  // Blocks for the next item; nullopt once shut down or when `timeout` passes.
  std::optional<std::string> get();
  std::optional<std::string> get(std::chrono::milliseconds timeout);
  void done(const std::string& item);

  void shut_down();
  bool shutting_down() const;
  size_t size() const;  // items ready now
  // Items waiting for their time (add_after, add_rate_limited): a worker must stay to
  // hand them out, as only get() moves them to the ready queue.
  bool has_delayed() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ukube
