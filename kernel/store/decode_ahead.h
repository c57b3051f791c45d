#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

// Recovery splits into decoding (checksums, Protobuf parsing and allocating every value)
// and applying (inserting into the index). DecodeAhead runs the decoding on a second
// thread, a few chunks ahead of the caller, so both cores work — and on a VM, where each
// page fault of a fresh allocation is expensive, the faults are shared between them.
namespace ukube::store {

template <class T>
class DecodeAhead {
 public:
  using Chunk = std::vector<T>;
  using Push = std::function<void(Chunk&&)>;

  // Runs produce(push) on its own thread; push() waits while `depth` chunks are unread.
  explicit DecodeAhead(std::function<void(const Push&)> produce, size_t depth = 4) : depth_(depth) {
    thread_ = std::thread([this, produce = std::move(produce)] {
      try {
        produce([this](Chunk&& chunk) { push(std::move(chunk)); });
      } catch (const Cancelled&) {
      } catch (...) {
        std::lock_guard lock(mu_);
        error_ = std::current_exception();
      }
      std::lock_guard lock(mu_);
      finished_ = true;
      cv_.notify_all();
    });
  }

  DecodeAhead(const DecodeAhead&) = delete;
  DecodeAhead& operator=(const DecodeAhead&) = delete;

  ~DecodeAhead() {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The next chunk in order, or nullopt once everything is read. A failure of the producer
  // is rethrown here, after every chunk it pushed before failing.
  std::optional<Chunk> next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !chunks_.empty() || finished_; });
    if (chunks_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return std::nullopt;
    }
    Chunk chunk = std::move(chunks_.front());
    chunks_.pop_front();
    cv_.notify_all();
    return chunk;
  }

 private:
  struct Cancelled {};

  void push(Chunk&& chunk) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return chunks_.size() < depth_ || cancelled_; });
    if (cancelled_) throw Cancelled{};
    chunks_.push_back(std::move(chunk));
    cv_.notify_all();
  }

  const size_t depth_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> chunks_;
  bool finished_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace ukube::store
