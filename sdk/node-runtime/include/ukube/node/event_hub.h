#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ukube/runtime/driver.h"

namespace spdlog {
class logger;
}

// The driver's one event thread. It watches every container's state folder with inotify,
// so the monitor's records become events at once, without polling: started.json a Started
// event, exit.json a Stopped one; the driver's own calls add Created and Deleted. Handlers run on
// this thread, one event at a time, in order.
namespace ukube::runtime::node {

class EventHub {
 public:
  // Throws std::system_error when inotify is unavailable.
  explicit EventHub(std::shared_ptr<spdlog::logger> logger);
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;
  ~EventHub();

  void watch_container(const std::string& container_id, const std::string& sandbox_id,
                       const std::filesystem::path& container_dir);
  void unwatch_container(const std::string& container_id);

  // Queues an event of the driver's own (Created, Deleted) behind those of the records
  // written before this call.
  void publish(const ContainerEvent& event);
  uint64_t subscribe(ContainerEventHandler handler);
  // Returns once no call of that handler is in progress (at once when called from a handler).
  void unsubscribe(uint64_t subscription);

  // Blocks until done() holds or `deadline` passes; done() is re-checked whenever an exit
  // record appears, and every quarter second in case inotify dropped an event (its queue
  // can overflow). Returns done()'s last answer.
  bool wait_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline);

 private:
  struct Watched {
    std::string container_id;
    std::string sandbox_id;
  };
  void run();
  void read_inotify_events();
  void deliver_queued_events();
  void wake();

  std::shared_ptr<spdlog::logger> logger_;
  // Held while inotify events are read and queued, so that events read by two threads
  // (this one, and a caller publishing) are queued in the order the kernel reported them.
  std::mutex inotify_read_mutex_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: new events queued, or stop

  std::mutex mutex_;  // the members below
  std::map<int, Watched> watched_;
  std::map<std::string, int> watch_of_container_;
  std::deque<ContainerEvent> queue_;
  bool stopping_ = false;
  std::condition_variable exit_seen_;
  uint64_t exits_seen_ = 0;

  std::mutex subscribers_mutex_;
  std::map<uint64_t, std::shared_ptr<ContainerEventHandler>> subscribers_;
  uint64_t next_subscription_ = 1;
  std::mutex dispatch_mutex_;  // held while a handler runs

  std::thread thread_;
};

}  // namespace ukube::runtime::node
