#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fake_driver.h"
#include "runtime-fake/config.pb.h"
#include "timer_thread.h"

// The fake runtime without the plugin shell: one driver per simulated node, all sharing one
// scheduler, one image catalogue and one pod IP pool. Tests build it directly (with a manual
// scheduler when they drive time themselves); the plugin wraps one.
namespace ukube::runtime::fake {

class FakeRuntime final : public RuntimeProvider {
 public:
  // With its own TimerThread. Throws std::invalid_argument for an invalid config.
  explicit FakeRuntime(const FakeRuntimeConfig& config);
  // On `scheduler`, which must outlive every task it is given (tests' manual clocks).
  FakeRuntime(const FakeRuntimeConfig& config, std::shared_ptr<Scheduler> scheduler);
  ~FakeRuntime() override;  // shutdown()
  FakeRuntime(const FakeRuntime&) = delete;
  FakeRuntime& operator=(const FakeRuntime&) = delete;

  std::shared_ptr<RuntimeDriver> driver_for_node(const std::string& node_name) override;
  std::shared_ptr<FakeDriver> fake_driver_for_node(const std::string& node_name);

  // Applies a changed config in place when it can: new image behaviours apply to containers
  // created from now on. False (nothing changed) when the pod CIDR differs: addresses in use
  // cannot move to another range.
  bool reconfigure(const FakeRuntimeConfig& config);

  // Stops its timer thread (pending starts, exits and events are dropped) and wakes every
  // caller waiting for a container. Idempotent.
  void shutdown();

  ImageCatalogue& images() { return *shared_.images; }
  IpAllocator& ips() { return *shared_.ips; }
  size_t node_count() const;

 private:
  std::string pod_cidr_;
  std::shared_ptr<TimerThread> own_timer_;  // null when given a scheduler
  SharedParts shared_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FakeDriver>> drivers_;
};

}  // namespace ukube::runtime::fake
