#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "framework/event_interest.h"
#include "framework/profile_spec.h"
#include "framework/registry.h"
#include "ukube/scheduler/framework.h"

namespace ukube::controller {
class EventRecorder;
}

// One profile's plugins in execution order per extension point, and the runners that
// call them with upstream's semantics (first rejection wins, Skip leaves a plugin out,
// weighted score sums). It is also the Handle its plugins are created with.
namespace ukube::scheduler {

class Framework final : public Handle {
 public:
  struct Services {
    const Snapshot* snapshot = nullptr;
    Client* client = nullptr;
    std::function<std::vector<PodInfoPtr>(const std::string& node)> nominated_pods;
    std::function<void(const std::string& uid)> clear_nomination;
    // Unset: tasks run at once, on the caller's thread (frameworks built without a loop).
    std::function<void(std::function<void()> task)> run_async;
    const ObjectLister* listers = nullptr;        // outlives the framework; null: none kept
    controller::EventRecorder* events = nullptr;  // outlives the framework; null: events dropped
  };

  // Throws std::invalid_argument naming the profile and the plugin that is unknown,
  // misplaced or refused its args.
  Framework(const ProfileSpec& spec, const Registry& registry, Services services);
  ~Framework() override;

  const std::string& scheduler_name() const { return name_; }
  int32_t percentage_of_nodes_to_score() const { return percentage_; }
  const QueueSortPlugin* queue_sort() const { return queue_sort_; }
  bool has_post_filter() const { return !post_filter_.empty(); }
  // Which cluster events may help the pods this profile's plugins reject.
  const EventInterest& event_interest() const { return event_interest_; }
  // Every plugin at `point`, by name, for introspection and tests.
  std::vector<std::string> plugins_at(Point point) const;

  Status run_pre_filter(CycleState& state, const PodInfo& pod, PreFilterResult& result);
  // Stops at the first plugin that rejects the node.
  Status run_filters(const CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  Status run_filters_with_nominated(const CycleState& state, const PodInfo& pod,
                                    const NodeInfo& node) override;
  Status run_post_filter(CycleState& state, const PodInfo& pod, const NodeStatuses& statuses,
                         PostFilterResult& result);
  Status run_pre_score(CycleState& state, const PodInfo& pod, std::span<const NodeInfo* const> nodes);
  // Fills `totals` (one per node, same order) with the weighted, normalized sum.
  Status run_score(const CycleState& state, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                   std::vector<int64_t>& totals);
  Status run_reserve(CycleState& state, const PodInfo& pod, const std::string& node);
  void run_unreserve(CycleState& state, const PodInfo& pod, const std::string& node);
  // Wait: the pod is registered as waiting; wait_on_permit() blocks until it is decided.
  Status run_permit(CycleState& state, const PodInfo& pod, const std::string& node);
  Status wait_on_permit(const PodInfo& pod);
  Status run_pre_bind(CycleState& state, const PodInfo& pod, const std::string& node);
  Status run_bind(CycleState& state, const PodInfo& pod, const std::string& node);
  void run_post_bind(CycleState& state, const PodInfo& pod, const std::string& node);

  // Handle
  const Snapshot& snapshot() const override { return *services_.snapshot; }
  Client& client() override { return *services_.client; }
  Status run_remove_pod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                        const NodeInfo& node) override;
  Status run_add_pod(CycleState& state, const PodInfo& pod, const PodInfo& added,
                     const NodeInfo& node) override;
  void allow(const std::string& uid, const std::string& plugin) override;
  void reject(const std::string& uid, const std::string& plugin, const std::string& message) override;
  std::vector<PodInfoPtr> nominated_pods(const std::string& node) const override;
  void clear_nomination(const std::string& uid) override;
  void run_async(std::function<void()> task) override;
  const ObjectLister* listers() const override { return services_.listers; }
  void record_event(const PodInfo& pod, const std::string& type, const std::string& reason,
                    const std::string& message) override;

 private:
  struct Waiting {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> pending;  // plugins that have not allowed yet
    std::chrono::steady_clock::time_point deadline;
    std::string rejected_by;
    std::string message;
    bool rejected = false;
  };

  std::string name_;
  int32_t percentage_ = -1;
  Services services_;
  std::vector<std::unique_ptr<FrameworkPlugin>> owned_;
  EventInterest event_interest_;
  const QueueSortPlugin* queue_sort_ = nullptr;
  std::vector<PreFilterPlugin*> pre_filter_;
  std::vector<int> pre_filter_to_filter_;  // index in filter_, or -1
  std::vector<FilterPlugin*> filter_;
  std::vector<std::string> filter_names_;
  std::vector<PostFilterPlugin*> post_filter_;
  std::vector<PreScorePlugin*> pre_score_;
  std::vector<int> pre_score_to_score_;
  std::vector<ScorePlugin*> score_;
  std::vector<std::string> score_names_;
  std::vector<int64_t> score_weights_;
  std::vector<ReservePlugin*> reserve_;
  std::vector<PermitPlugin*> permit_;
  std::vector<PreBindPlugin*> pre_bind_;
  std::vector<BindPlugin*> bind_;
  std::vector<PostBindPlugin*> post_bind_;
  std::vector<NodeScore> scratch_;  // reused per score plugin: no allocation per cycle

  mutable std::mutex waiting_mutex_;
  std::map<std::string, std::shared_ptr<Waiting>> waiting_;
};

}  // namespace ukube::scheduler
