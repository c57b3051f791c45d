#include "fake_runtime.h"

#include <stdexcept>

#include "config_defaults.h"

namespace ukube::runtime::fake {

FakeRuntime::FakeRuntime(const FakeRuntimeConfig& config) : FakeRuntime(config, nullptr) {}

FakeRuntime::FakeRuntime(const FakeRuntimeConfig& config, std::shared_ptr<Scheduler> scheduler) {
  const FakeRuntimeConfig effective = with_defaults(config);
  // Checked before the thread starts: a bad CIDR throws with nothing to undo.
  pod_cidr_ = effective.pod_cidr();
  shared_.ips = std::make_shared<IpAllocator>(pod_cidr_);
  shared_.images = std::make_shared<ImageCatalogue>(effective);
  if (!scheduler) {
    own_timer_ = std::make_shared<TimerThread>();
    scheduler = own_timer_;
  }
  shared_.scheduler = std::move(scheduler);
}

FakeRuntime::~FakeRuntime() {
  // Joined here, not by whichever thread drops the last reference to the timer: that could
  // be the timer's own thread, finishing a task for a driver nobody else holds.
  shutdown();
}

bool FakeRuntime::reconfigure(const FakeRuntimeConfig& config) {
  const FakeRuntimeConfig effective = with_defaults(config);
  if (effective.pod_cidr() != pod_cidr_) return false;
  shared_.images->replace(effective);
  return true;
}

void FakeRuntime::shutdown() {
  if (own_timer_) own_timer_->shutdown();
  std::lock_guard lock(mutex_);
  for (const auto& [node, driver] : drivers_) driver->close();
}

std::shared_ptr<RuntimeDriver> FakeRuntime::driver_for_node(const std::string& node_name) {
  return fake_driver_for_node(node_name);
}

std::shared_ptr<FakeDriver> FakeRuntime::fake_driver_for_node(const std::string& node_name) {
  if (node_name.empty()) throw std::invalid_argument("the fake runtime needs a node name to simulate a node");
  std::lock_guard lock(mutex_);
  auto& driver = drivers_[node_name];
  if (!driver) driver = FakeDriver::create(node_name, shared_);
  return driver;
}

size_t FakeRuntime::node_count() const {
  std::lock_guard lock(mutex_);
  return drivers_.size();
}

}  // namespace ukube::runtime::fake
