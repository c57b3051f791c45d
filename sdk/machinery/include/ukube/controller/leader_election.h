#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ukube/client.h"
#include "ukube/machinery/export.h"

// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection
// does it, for every component that must run once per cluster (the scheduler, each
// controller): acquire when the lease is free or its holder stopped renewing, renew every
// retry period, give up when renewals fail for the renew deadline. Expiry is judged by
// this process's clock from when the record last changed, so servers' clocks need not
// agree.
namespace ukube::controller {

struct LeaderCallbacks {
  std::function<void()> started_leading;
  std::function<void()> stopped_leading;
};

struct LeaseSettings {
  std::string ns = "kube-system";
  std::string name;  // the component: kube-scheduler, kube-controller-manager, ...
  std::string identity;
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

// "<hostname>_<random>", unique per process as upstream's default identity is.
UKUBE_MACHINERY_API std::string default_identity();

class UKUBE_MACHINERY_API LeaderElector {
 public:
  LeaderElector(std::shared_ptr<Client> client, LeaseSettings settings, LeaderCallbacks callbacks);
  ~LeaderElector();
  void start();
  // Stops renewing; a leader releases the lease so another server takes over at once.
  void stop();
  bool is_leader() const { return leader_; }

  // One acquire-or-renew attempt; true when this process holds the lease afterwards.
  bool try_acquire_or_renew();

 private:
  void run();
  void release();

  std::shared_ptr<Client> client_;
  LeaseSettings settings_;
  LeaderCallbacks callbacks_;
  std::atomic<bool> leader_{false};
  std::atomic<bool> running_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
  std::string observed_record_;  // holder + renewTime last seen
  std::chrono::steady_clock::time_point observed_at_{};
  std::chrono::steady_clock::time_point last_renewed_{};
};

}  // namespace ukube::controller
