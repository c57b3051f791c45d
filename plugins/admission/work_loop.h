#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "ukube/workqueue.h"

namespace spdlog {
class logger;
}

// One worker thread over a rate-limited work queue of keys (namespaces here): the shape
// of every small controller in this folder.
namespace ukube::admission {

class WorkLoop {
 public:
  // `sync(key)` returns false (or throws) to have the key tried again, with back-off.
  using Sync = std::function<bool(const std::string& key)>;
  WorkLoop(std::string name, Sync sync, std::shared_ptr<spdlog::logger> log);
  ~WorkLoop();
  WorkLoop(const WorkLoop&) = delete;
  WorkLoop& operator=(const WorkLoop&) = delete;

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  void start();
  void stop();
  // Nothing is queued (ready now) and nothing is being worked on.
  bool idle() const;
  uint64_t syncs() const { return syncs_; }

 private:
  void run();

  std::string name_;
  Sync sync_;
  std::shared_ptr<spdlog::logger> log_;
  WorkQueue queue_;
  std::thread thread_;
  std::atomic<int> busy_{0};
  std::atomic<uint64_t> syncs_{0};
};

}  // namespace ukube::admission
