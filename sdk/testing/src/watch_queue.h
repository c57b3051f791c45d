#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "ukube/client.h"

// The events of one watch of the in-memory client: the client pushes under its own lock,
// the test's thread pops through the WatchStream. A stream ends when stopped, dropped,
// or when the watch's timeout passes.
namespace ukube::testing::detail {

class WatchQueue {
 public:
  explicit WatchQueue(std::optional<std::chrono::steady_clock::time_point> deadline) : deadline_(deadline) {}

  void push(WatchEvent event);
  std::optional<WatchEvent> pop(std::chrono::milliseconds timeout);
  bool done() const;
  void stop();

 private:
  bool expired() const { return deadline_ && std::chrono::steady_clock::now() >= *deadline_; }

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<WatchEvent> events_;
  bool stopped_ = false;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

// The stream handed to the caller; dropping it stops the watch.
class QueueWatchStream final : public WatchStream {
 public:
  explicit QueueWatchStream(std::shared_ptr<WatchQueue> queue) : queue_(std::move(queue)) {}
  ~QueueWatchStream() override { queue_->stop(); }
  std::optional<WatchEvent> next(std::chrono::milliseconds timeout) override { return queue_->pop(timeout); }
  bool done() const override { return queue_->done(); }
  void stop() override { queue_->stop(); }

 private:
  std::shared_ptr<WatchQueue> queue_;
};

}  // namespace ukube::testing::detail
