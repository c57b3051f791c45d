#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/export.h"
#include "ukube/scheduler/cycle_state.h"
#include "ukube/scheduler/node_info.h"
#include "ukube/scheduler/pod_info.h"
#include "ukube/scheduler/status.h"

namespace ukube {
class Client;
}

// The scheduling framework's extension points (DESIGN.md §5): one small interface each.
// A framework plugin implements the ones it needs; the profile places it at each of them.
namespace ukube::scheduler {

inline constexpr int64_t kMaxNodeScore = 100;

class UKUBE_API FrameworkPlugin {
 public:
  virtual ~FrameworkPlugin() = default;
  virtual std::string name() const = 0;
};

// A pod waiting in the active queue.
struct QueuedPod {
  const PodInfo* pod = nullptr;
  std::chrono::steady_clock::time_point timestamp;  // when it (re-)entered the queue
  int attempts = 0;
};

class UKUBE_API QueueSortPlugin : public virtual FrameworkPlugin {
 public:
  virtual bool less(const QueuedPod& a, const QueuedPod& b) const = 0;
};

// What PreFilter may narrow the candidate nodes to (e.g. spec.nodeName).
struct PreFilterResult {
  bool all_nodes = true;
  std::vector<std::string> node_names;
};

// Keeps PreFilter state right when preemption simulates removing or adding pods.
class UKUBE_API PreFilterExtensions {
 public:
  virtual ~PreFilterExtensions() = default;
  virtual Status add_pod(CycleState& state, const PodInfo& pod, const PodInfo& added,
                         const NodeInfo& node) = 0;
  virtual Status remove_pod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                            const NodeInfo& node) = 0;
};

class UKUBE_API PreFilterPlugin : public virtual FrameworkPlugin {
 public:
  // Skip leaves this plugin's Filter out for the pod.
  virtual Status pre_filter(CycleState& state, const PodInfo& pod, PreFilterResult& result) = 0;
  virtual PreFilterExtensions* extensions() { return nullptr; }
};

class UKUBE_API FilterPlugin : public virtual FrameworkPlugin {
 public:
  // Called for many nodes per pod: must not allocate on the success path.
  virtual Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) = 0;
};

// Why each node was rejected in one cycle, indexed by NodeInfo::index; Success where the
// node was not evaluated or passed.
using NodeStatuses = std::vector<Status>;

struct PostFilterResult {
  std::string nominated_node;  // empty: nothing to nominate
};

class UKUBE_API PostFilterPlugin : public virtual FrameworkPlugin {
 public:
  virtual Status post_filter(CycleState& state, const PodInfo& pod, const NodeStatuses& statuses,
                             PostFilterResult& result) = 0;
};

class UKUBE_API PreScorePlugin : public virtual FrameworkPlugin {
 public:
  // Skip leaves this plugin's Score out for the pod.
  virtual Status pre_score(CycleState& state, const PodInfo& pod, std::span<const NodeInfo* const> nodes) = 0;
};

struct NodeScore {
  const NodeInfo* node = nullptr;
  int64_t score = 0;
};

class UKUBE_API ScorePlugin : public virtual FrameworkPlugin {
 public:
  virtual Status score(const CycleState& state, const PodInfo& pod, const NodeInfo& node, int64_t& score) = 0;
  // Maps raw scores into [0, kMaxNodeScore]; plugins whose score already is in range
  // keep this default.
  virtual Status normalize(const CycleState& state, const PodInfo& pod, std::span<NodeScore> scores) {
    return {};
  }
};

class UKUBE_API ReservePlugin : public virtual FrameworkPlugin {
 public:
  virtual Status reserve(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
  // Must undo reserve() and be idempotent: it also runs when a later step fails.
  virtual void unreserve(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
};

class UKUBE_API PermitPlugin : public virtual FrameworkPlugin {
 public:
  // Wait holds the pod for at most `timeout`, until Handle::allow / reject.
  virtual Status permit(CycleState& state, const PodInfo& pod, const std::string& node,
                        std::chrono::milliseconds& timeout) = 0;
};

class UKUBE_API PreBindPlugin : public virtual FrameworkPlugin {
 public:
  virtual Status pre_bind(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
};

class UKUBE_API BindPlugin : public virtual FrameworkPlugin {
 public:
  // Skip passes the pod to the next Bind plugin.
  virtual Status bind(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
};

class UKUBE_API PostBindPlugin : public virtual FrameworkPlugin {
 public:
  virtual void post_bind(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
};

class ObjectLister;  // ukube/scheduler/object_lister.h

// What a framework plugin may use from the scheduler that runs it.
class UKUBE_API Handle {
 public:
  virtual ~Handle() = default;
  virtual const Snapshot& snapshot() const = 0;
  virtual Client& client() = 0;
  // Runs the profile's Filter plugins (PreFilter already run into `state`), for plugins
  // that simulate, like preemption.
  virtual Status run_filters(const CycleState& state, const PodInfo& pod, const NodeInfo& node) = 0;
  // The same, as the scheduling cycle filters when preemption has nominated pods: those
  // nominated to `node` with at least this pod's priority hold their place, so the pod
  // must fit beside them too.
  virtual Status run_filters_with_nominated(const CycleState& state, const PodInfo& pod,
                                            const NodeInfo& node) = 0;
  // Runs the PreFilter extensions of the profile after a simulated change of `node`.
  virtual Status run_remove_pod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                                const NodeInfo& node) = 0;
  virtual Status run_add_pod(CycleState& state, const PodInfo& pod, const PodInfo& added,
                             const NodeInfo& node) = 0;
  // Ends a Permit wait of the pod with `uid` (allow once every waiting plugin allowed).
  virtual void allow(const std::string& uid, const std::string& plugin) = 0;
  virtual void reject(const std::string& uid, const std::string& plugin, const std::string& message) = 0;
  // Pods nominated to a node by preemption and not yet bound, for filters that must
  // account for them.
  virtual std::vector<PodInfoPtr> nominated_pods(const std::string& node) const = 0;
  // Forgets the node the pod with `uid` was nominated to, so nominated_pods() stops
  // listing it (preemption taking that room from a lower-priority pod). Scheduling
  // thread only, as PostFilter runs; the pod's status.nominatedNodeName is the caller's
  // to clear. Default: nothing is nominated, nothing to forget.
  virtual void clear_nomination(const std::string& uid) {}
  // Runs `task` later on one of the scheduler's writer threads, so the API writes a
  // plugin decides on in a cycle (evictions, status patches, events) never hold up the
  // scheduling thread. Tasks run concurrently and in no set order; each handles its own
  // errors. Default: runs it at once, on the caller's thread.
  virtual void run_async(std::function<void()> task) { task(); }
  // Records a core/v1 Event about `pod` from this profile (upstream's Handle offers its
  // EventRecorder), in the background, counted and rate limited as client-go's recorder
  // does. `type` is Normal or Warning. Default: dropped.
  virtual void record_event(const PodInfo& pod, const std::string& type, const std::string& reason,
                            const std::string& message) {}
  // Cached Services, ReplicationControllers, ReplicaSets, StatefulSets and
  // PodDisruptionBudgets (see object_lister.h); null when the scheduler keeps none
  // (embedders, unit tests).
  virtual const ObjectLister* listers() const { return nullptr; }
};

// Creates a framework plugin from its args (the profile's pluginConfig entry, {} when
// none). Throws std::invalid_argument naming the bad arg.
using FrameworkPluginCreate =
    std::function<std::unique_ptr<FrameworkPlugin>(const boost::json::object& args, Handle& handle)>;

struct FrameworkPluginFactory {
  std::string name;  // what profiles enable it by
  FrameworkPluginCreate create;
};

// A ukube plugin capability: a library that adds framework plugins derives its ukube
// plugin from this too, and profiles then enable its plugins by name.
class UKUBE_API FrameworkPluginProvider {
 public:
  virtual ~FrameworkPluginProvider() = default;
  virtual std::vector<FrameworkPluginFactory> framework_plugins() const = 0;
};

}  // namespace ukube::scheduler
