#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

#include "cache/cache.h"
#include "framework/framework.h"
#include "queue/scheduling_queue.h"
#include "ukube/client.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/worker_pool.h"

namespace spdlog {
class logger;
}

// The scheduling loop: cluster events in, one pod at a time through its profile's
// framework, bindings out asynchronously. Events arrive from any thread through a small
// inbox; the cache and the queue belong to the scheduling thread alone.
namespace ukube::scheduler {

struct SchedulerSettings {
  std::vector<ProfileSpec> profiles{ProfileSpec{}};
  int32_t percentage_of_nodes_to_score = 0;  // 0: adaptive, as upstream
  QueueSettings queue;
  unsigned write_workers = 8;
  bool scheduled_events = true;  // a Normal "Scheduled" event per bound pod
  // Not configuration: the caches SchedulerService keeps for Handle::listers() (null: none).
  std::shared_ptr<const ObjectLister> listers;
};

class Scheduler {
 public:
  Scheduler(std::shared_ptr<Client> client, const Registry& registry, SchedulerSettings settings,
            std::shared_ptr<spdlog::logger> log = nullptr);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Event intake, from any thread.
  void node_added(ObjectPtr node);
  void node_updated(ObjectPtr old_node, ObjectPtr node);
  void node_deleted(ObjectPtr node);
  void pod_added(PodInfoPtr pod);
  // `changed`: something besides status and bookkeeping metadata differs.
  void pod_updated(PodInfoPtr pod, bool changed);
  void pod_deleted(PodInfoPtr pod);
  void namespace_set(ObjectPtr ns);
  void namespace_deleted(ObjectPtr ns);

  // The scheduling thread.
  // `caches_synced`, when given, holds the first cycle back until it says true, so no
  // pod is placed against a half-filled cache (as upstream waits for its informers).
  void start(std::function<bool()> caches_synced = {});
  void stop();

  // Driving the loop by hand (tests, and only while start() has not been called).
  void process_events();
  bool schedule_one();
  void wait_for_writes();

  bool responsible_for(const PodInfo& pod) const { return profiles_.count(pod.scheduler_name) > 0; }
  const Cache& cache() const { return cache_; }
  SchedulingQueue& queue() { return *queue_; }
  Framework* framework(const std::string& scheduler_name);

  // Counters for benchmarks and introspection.
  std::atomic<uint64_t> bound{0};
  std::atomic<uint64_t> attempts{0};
  std::atomic<uint64_t> failures{0};
  // Time the scheduling thread spent in cycles (not waiting, not writing), to tell the
  // cycle's own cost from the end-to-end rate that includes the store.
  std::atomic<uint64_t> cycle_nanos{0};

 private:
  struct Event;
  struct BindResult;
  void post(Event event);
  void apply(Event& event);
  // Moves the unschedulable pods `event` may help, as their rejecting plugins registered.
  void cluster_event(const ClusterEvent& event, const ClusterEventObjects& objects);
  const NodeInfo* node_of(const ObjectPtr& node) const;
  void loop();
  void schedule(const SchedulingQueue::Popped& popped);
  size_t feasible_to_find(const Framework& fw, size_t all) const;
  void find_feasible(Framework& fw, const CycleState& state, const PodInfo& pod, const PreFilterResult& pre);
  const NodeInfo* select_host(const std::vector<int64_t>& totals);
  std::vector<std::string> rejecting_plugins(const Status& status) const;
  void fail(const SchedulingQueue::Popped& popped, Framework& fw, const Status& status, std::string message,
            const std::string& nominated);
  void bind_async(Framework& fw, std::shared_ptr<CycleState> state, PodInfoPtr assumed, bool waiting,
                  bool was_unschedulable);

  std::shared_ptr<Client> client_;
  SchedulerSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  Cache cache_;
  std::unique_ptr<controller::EventRecorder> events_;  // before the profiles, which use it
  std::map<std::string, std::unique_ptr<Framework>> profiles_;
  std::unique_ptr<SchedulingQueue> queue_;
  std::unique_ptr<controller::WorkerPool> writers_;

  std::mutex inbox_mutex_;
  std::condition_variable inbox_cv_;
  std::vector<Event> inbox_;
  std::vector<Event> draining_;

  std::thread thread_;
  std::function<bool()> caches_synced_;
  std::atomic<bool> running_{false};

  // Per-cycle scratch, reused so a cycle allocates nothing per node.
  NodeStatuses statuses_;
  std::vector<int32_t> touched_;
  std::vector<const NodeInfo*> feasible_;
  std::vector<int64_t> totals_;
  size_t next_start_ = 0;
  std::unordered_set<std::string> deleted_while_binding_;  // uids whose binding may still fail
  std::minstd_rand rng_{12345};
};

}  // namespace ukube::scheduler
