#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "image_catalogue.h"
#include "ip_allocator.h"
#include "pod_label_index.h"
#include "scheduler.h"
#include "ukube/runtime/driver.h"

// One simulated node's runtime: sandboxes and containers as records in memory, moved
// between states by the shared Scheduler (no thread per pod or container). A fake runtime
// forgets its pods when the process restarts: there is nothing real to re-read.
namespace ukube::runtime::fake {

// What every node's driver of one plugin shares.
struct SharedParts {
  std::shared_ptr<Scheduler> scheduler;
  std::shared_ptr<ImageCatalogue> images;
  std::shared_ptr<IpAllocator> ips;
};

// Exit codes of a stopped container: a clean exit on SIGTERM (the fake's containers handle
// it, as a well-behaved server does) and death by SIGKILL (128 + 9), as a shell reports it.
inline constexpr int32_t kCleanStopExitCode = 0;
inline constexpr int32_t kKilledExitCode = 137;

class FakeDriver final : public RuntimeDriver, public std::enable_shared_from_this<FakeDriver> {
 public:
  // Always owned by a shared_ptr: scheduled work holds the driver weakly.
  static std::shared_ptr<FakeDriver> create(std::string node_name, SharedParts shared);
  ~FakeDriver() override;

  VersionInfo version() override;
  RuntimeStatus status() override;
  bool simulated() const override { return true; }

  std::string run_pod_sandbox(const PodSandboxConfig& config) override;
  void stop_pod_sandbox(const std::string& sandbox_id) override;
  void remove_pod_sandbox(const std::string& sandbox_id) override;
  PodSandboxStatus pod_sandbox_status(const std::string& sandbox_id) override;
  std::vector<PodSandboxStatus> list_pod_sandboxes(const PodSandboxFilter& filter = {}) override;

  std::string create_container(const std::string& sandbox_id, const ContainerConfig& config,
                               const PodSandboxConfig& sandbox_config) override;
  void start_container(const std::string& container_id) override;
  void stop_container(const std::string& container_id, std::chrono::seconds timeout) override;
  void remove_container(const std::string& container_id) override;
  ContainerStatus container_status(const std::string& container_id) override;
  std::vector<ContainerStatus> list_containers(const ContainerFilter& filter = {}) override;
  std::vector<ContainerStats> list_container_stats(const ContainerFilter& filter = {}) override;

  ExecSyncResult exec_sync(const std::string& container_id, const std::vector<std::string>& cmd,
                           std::chrono::seconds timeout) override;
  std::unique_ptr<StreamSession> exec(const StreamRequest& request, StreamCallbacks callbacks) override;
  std::unique_ptr<StreamSession> attach(const StreamRequest& request, StreamCallbacks callbacks) override;
  // Nothing listens in a simulated pod: refused, saying so (NotFound for an unknown sandbox).
  int port_forward(const std::string& sandbox_id, uint16_t port) override;

  std::string pull_image(const std::string& image, const AuthConfig& auth = {}) override;
  std::vector<Image> list_images() override;
  std::optional<Image> image_status(const std::string& image) override;
  void remove_image(const std::string& image) override;

  uint64_t subscribe(ContainerEventHandler handler) override;
  void unsubscribe(uint64_t subscription) override;

  const std::string& node_name() const { return node_name_; }
  // Wakes every caller waiting for a container to exit (the plugin is stopping, and the
  // scheduler that would have killed it is gone); they return at once from then on.
  void close();
  // The records held, to show the fake stays small (tests, metrics).
  size_t sandbox_count() const;
  size_t container_count() const;

  struct StreamState;  // one exec or attach session's callbacks (fake_driver_streams.cpp)

 private:
  FakeDriver(std::string node_name, SharedParts shared);

  struct Sandbox {
    PodSandboxStatus status;
    std::vector<std::string> containers;  // ids, in creation order
  };
  struct Container {
    ContainerStatus status;
    std::shared_ptr<const ImageBehaviour> behaviour;
    bool start_pending = false;  // started, waiting for its start delay
    std::vector<std::weak_ptr<StreamState>> attached;
  };
  // Work decided under the lock and done after it: a log file to write once Running.
  struct StartedWork {
    std::string container_id;
    std::string log_path;
    std::shared_ptr<const ImageBehaviour> behaviour;
    int64_t started_at = 0;
  };

  // Container transitions, under mutex_.
  StartedWork become_running_locked(Container& container, int64_t now);
  void exit_locked(Container& container, int32_t exit_code, int64_t now);
  void kill_locked(Container& container, int64_t now) { exit_locked(container, kKilledExitCode, now); }
  void erase_container_locked(const std::string& container_id, int64_t now);
  bool running_or_starting(const Container& container) const;
  // After the lock: writes the start's log lines and schedules the exit, in that order, so
  // a container is never seen Exited before its log is complete.
  void finish_start(const StartedWork& work);
  void on_start_delay_elapsed(const std::string& container_id);
  void on_exit_due(const std::string& container_id);
  void on_stop_timeout(const std::string& container_id);

  Container& container_or_throw_locked(const std::string& container_id);
  std::string new_id_locked();

  // Events (fake_driver_events.cpp).
  void post_event_locked(const Container& container, ContainerEventType type, int64_t at);
  void deliver(const ContainerEvent& event);
  // Streams (fake_driver_streams.cpp): posts on_exit to every session attached to it.
  void notify_attached_locked(Container& container);

  // Schedules `handler(this)` on the scheduler, holding the driver weakly.
  template <class Handler>
  bool schedule_at(int64_t due_ns, Handler handler);

  const std::string node_name_;
  const SharedParts shared_;

  mutable std::mutex mutex_;
  std::condition_variable exited_;  // a container exited or was removed, or close()
  bool closed_ = false;
  std::unordered_map<std::string, Sandbox> sandboxes_;
  std::unordered_map<std::string, std::string> sandbox_names_;  // reserved name -> id
  std::unordered_map<std::string, Container> containers_;
  PodLabelIndex sandboxes_by_pod_;
  PodLabelIndex containers_by_pod_;
  std::map<std::string, Image> images_;  // by id
  std::mt19937_64 id_source_;

  // Subscriptions: recursive so a handler may unsubscribe (itself or another) while
  // being called; unsubscribe() waits for a delivery in progress on another thread.
  std::recursive_mutex subscribers_mutex_;
  std::map<uint64_t, ContainerEventHandler> subscribers_;
  uint64_t next_subscription_ = 1;
  std::atomic<size_t> subscriber_count_{0};  // read under mutex_: no events queued for nobody
};

template <class Handler>
bool FakeDriver::schedule_at(int64_t due_ns, Handler handler) {
  return shared_.scheduler->at(due_ns, [weak = weak_from_this(), handler = std::move(handler)]() {
    if (auto self = weak.lock()) handler(*self);
  });
}

}  // namespace ukube::runtime::fake
