#include "work_loop.h"

#include <spdlog/logger.h>

namespace ukube::admission {

WorkLoop::WorkLoop(std::string name, Sync sync, std::shared_ptr<spdlog::logger> log)
    : name_(std::move(name)),
      sync_(std::move(sync)),
      log_(std::move(log)),
      queue_(RateLimits{std::chrono::milliseconds(50), std::chrono::milliseconds(30000), 50, 200}) {}

WorkLoop::~WorkLoop() {
  stop();
}

void WorkLoop::add(const std::string& key) {
  queue_.add(key);
}

void WorkLoop::add_after(const std::string& key, std::chrono::milliseconds delay) {
  queue_.add_after(key, delay);
}

void WorkLoop::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void WorkLoop::stop() {
  queue_.shut_down();
  if (thread_.joinable()) thread_.join();
}

bool WorkLoop::idle() const {
  return queue_.size() == 0 && busy_ == 0;
}

void WorkLoop::run() {
  while (true) {
    auto key = queue_.get();
    if (!key) return;
    ++busy_;
    bool ok = false;
    try {
      ok = sync_(*key);
    } catch (const std::exception& e) {
      if (log_) log_->warn("{}: syncing {} failed: {}", name_, *key, e.what());
    }
    if (ok)
      queue_.forget(*key);
    else
      queue_.add_rate_limited(*key);
    ++syncs_;
    queue_.done(*key);
    --busy_;
  }
}

}  // namespace ukube::admission
