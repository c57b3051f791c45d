#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "framework/registry.h"
#include "model/parse.h"
#include "runtime/informer_listers.h"
#include "runtime/scheduler.h"
#include "settings.h"
#include "ukube/controller/leader_election.h"
#include "ukube/informer.h"
#include "ukube/informer_factory.h"

// The scheduler as it runs: shared informers on nodes, pods, namespaces and PriorityClasses
// feeding the Scheduler, and on the workloads plugins look up through listers;
// optionally only while this server holds the leader Lease.
// Independent of the plugin host, so benchmarks run exactly this against a test kernel.
namespace ukube::scheduler {

class SchedulerService {
 public:
  // Reads through `informers` (the daemon's shared informers); without it, through a
  // factory of its own over `client`. Writes always go through `client`.
  SchedulerService(std::shared_ptr<Client> client, const Registry& registry, Settings settings,
                   std::shared_ptr<spdlog::logger> log = nullptr, InformerFactory* informers = nullptr);
  ~SchedulerService();

  void start();
  void stop();
  // Informers have listed everything once (the scheduler has seen the cluster).
  bool wait_for_sync(std::chrono::milliseconds timeout) const;

  Scheduler& scheduler() { return *scheduler_; }
  bool is_leader() const { return !elector_ || elector_->is_leader(); }

 private:
  std::function<bool()> synced() const;  // the Scheduler's start gate
  void add_handlers();                   // feeds the Scheduler until stop()

  std::shared_ptr<Client> client_;
  Settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<SharedInformerFactory> own_informers_;  // only without a shared factory
  std::shared_ptr<Informer> priority_classes_;
  std::shared_ptr<Informer> namespaces_;
  std::shared_ptr<Informer> nodes_;
  std::shared_ptr<Informer> pods_;
  std::vector<InformerRegistration> registrations_;
  std::shared_ptr<InformerListers> listers_;  // shared with the frameworks' Handle
  PriorityResolver priorities_;
  std::unique_ptr<controller::LeaderElector> elector_;
};

}  // namespace ukube::scheduler
