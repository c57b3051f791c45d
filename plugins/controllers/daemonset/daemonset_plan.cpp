// What a sync of a DaemonSet does to its pods: upstream's manage (podsShouldBeOnNode per
// node) and rollingUpdate, as plans of pods to create and delete that execute() carries out.
#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "daemonset_controller.h"
#include "daemonset_util.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/pod.h"

namespace ukube::controllers::daemonset {
namespace json = boost::json;
using machinery::int_or;
using machinery::string_at;

namespace {

// Upstream's failed-pod back-off: 1s, doubling, at most 15 minutes.
constexpr std::chrono::milliseconds kFailedBackoffInitial{1000};
constexpr std::chrono::milliseconds kFailedBackoffMax{15 * 60 * 1000};

}  // namespace

DaemonSetSyncer::Plan DaemonSetSyncer::plan_manage(const json::object& ds, const NodePods& node_pods,
                                                   const std::string& hash, controller::Result& result) {
  Plan plan;
  const json::object spec = daemon_pod_spec(ds);
  const auto budget = update_budget(ds, 1);
  const bool surge =
      string_at(ds, {"spec", "updateStrategy", "type"}) == "RollingUpdate" && budget.max_surge > 0;
  std::set<std::string> known_nodes;
  for (const auto& node : options_.nodes->list()) {
    const std::string name = machinery::name_of(*node);
    known_nodes.insert(name);
    const NodeFit fit = node_should_run(spec, *node);
    std::vector<ObjectPtr> running;
    if (auto it = node_pods.find(name); it != node_pods.end())
      for (const auto& pod : it->second) {
        if (machinery::has_deletion_timestamp(*pod)) continue;
        if (machinery::pod_phase(*pod) == "Failed") {
          if (!fit.should_continue_running) continue;  // removed with the rest below
          const std::string backoff_key = machinery::uid_of(ds) + "/" + name;
          std::lock_guard lock(mutex_);
          auto& backoff = failed_backoff_[backoff_key];
          const auto at = now();
          if (at < backoff.until) {
            result = controller::Result::requeue_after(
                std::chrono::duration_cast<std::chrono::milliseconds>(backoff.until - at) +
                std::chrono::milliseconds(1));
            continue;  // still counts as there: no replacement until it goes
          }
          backoff.delay = backoff.delay.count() == 0 ? kFailedBackoffInitial
                                                     : std::min(backoff.delay * 2, kFailedBackoffMax);
          backoff.until = at + backoff.delay;
          event(ds, "Warning", kFailedDaemonPodReason,
                "Found failed daemon pod " + machinery::namespace_of(*pod) + "/" + machinery::name_of(*pod) +
                    " on node " + name + ", will try to kill it");
          plan.remove.push_back(pod);
          continue;
        }
        running.push_back(pod);
      }
    if (!fit.should_continue_running) {
      for (const auto& pod : running) plan.remove.push_back(pod);
      continue;
    }
    if (running.empty()) {
      // A failed pod waiting out its back-off blocks the replacement.
      bool waiting = false;
      if (auto it = node_pods.find(name); it != node_pods.end())
        for (const auto& pod : it->second)
          if (!machinery::has_deletion_timestamp(*pod) && machinery::pod_phase(*pod) == "Failed" &&
              std::find(plan.remove.begin(), plan.remove.end(), pod) == plan.remove.end())
            waiting = true;
      if (fit.should_run && !waiting) plan.create_on.push_back(name);
      continue;
    }
    // Keep the oldest pod; during a surge update the oldest of the current revision and
    // the oldest of the others, since the new one replaces the old once available.
    // (Creation times have whole seconds: the revision, not the order, tells them apart.)
    ObjectPtr keep_new, keep_old;
    if (surge) {
      for (const auto& pod : running) {
        auto& slot =
            string_at(*pod, {"metadata", "labels", kRevisionHashLabel}) == hash ? keep_new : keep_old;
        if (!slot) slot = pod;
      }
    } else {
      keep_old = running.front();
    }
    for (const auto& pod : running)
      if (pod != keep_new && pod != keep_old) plan.remove.push_back(pod);
  }
  // Pods for nodes that are gone have nowhere to run. A pod that names no node at all
  // (adopted, never bound) is left alone, as upstream does.
  for (const auto& [node, pods] : node_pods) {
    if (node.empty() || known_nodes.count(node)) continue;
    for (const auto& pod : pods)
      if (!machinery::has_deletion_timestamp(*pod)) plan.remove.push_back(pod);
  }
  return plan;
}

DaemonSetSyncer::Plan DaemonSetSyncer::plan_rolling_update(const json::object& ds, const NodePods& node_pods,
                                                           const std::string& hash) {
  Plan plan;
  const json::object spec = daemon_pod_spec(ds);
  const int32_t min_ready = static_cast<int32_t>(int_or(ds, {"spec", "minReadySeconds"}, 0));
  const auto at = now();
  // Nodes that should run the pod, with what each has.
  struct NodeState {
    std::string name;
    ObjectPtr old_pod, new_pod;
    bool ambiguous = false;  // more than one pod of a kind: manage's business
  };
  std::vector<NodeState> nodes;
  for (const auto& node : options_.nodes->list()) {
    if (!node_should_run(spec, *node).should_run) continue;
    NodeState state{machinery::name_of(*node), nullptr, nullptr, false};
    if (auto it = node_pods.find(state.name); it != node_pods.end())
      for (const auto& pod : it->second) {
        if (machinery::has_deletion_timestamp(*pod)) continue;
        auto& slot = string_at(*pod, {"metadata", "labels", kRevisionHashLabel}) == hash ? state.new_pod
                                                                                         : state.old_pod;
        if (slot) state.ambiguous = true;
        slot = pod;
      }
    nodes.push_back(std::move(state));
  }
  const auto budget = update_budget(ds, static_cast<int64_t>(nodes.size()));
  auto available = [&](const ObjectPtr& pod) { return machinery::is_pod_available(*pod, min_ready, at); };

  if (budget.max_surge == 0) {
    int64_t unavailable = 0;
    std::vector<ObjectPtr> free_to_delete, candidates;
    for (const auto& n : nodes) {
      if (n.ambiguous || (!n.old_pod && !n.new_pod) || (n.old_pod && n.new_pod)) {
        ++unavailable;
      } else if (n.new_pod) {
        if (!available(n.new_pod)) ++unavailable;
      } else if (!available(n.old_pod)) {
        free_to_delete.push_back(n.old_pod);  // already unavailable: replacing costs nothing
      } else {
        candidates.push_back(n.old_pod);
      }
    }
    const int64_t room = std::max<int64_t>(0, budget.max_unavailable - unavailable);
    plan.remove = std::move(free_to_delete);
    for (int64_t i = 0; i < room && i < static_cast<int64_t>(candidates.size()); ++i)
      plan.remove.push_back(candidates[i]);
    return plan;
  }

  // Surge: a new pod starts beside the old one, which goes once the new one is available.
  int64_t surging = 0;
  std::vector<std::string> must_create, may_create;
  for (const auto& n : nodes) {
    if (n.ambiguous) continue;
    if (n.old_pod && n.new_pod) {
      if (available(n.new_pod))
        plan.remove.push_back(n.old_pod);
      else
        ++surging;
    } else if (n.old_pod) {
      if (!available(n.old_pod))
        must_create.push_back(n.name);
      else
        may_create.push_back(n.name);
    }
  }
  plan.create_on = std::move(must_create);
  const int64_t room = std::max<int64_t>(0, budget.max_surge - surging);
  for (int64_t i = 0; i < room && i < static_cast<int64_t>(may_create.size()); ++i)
    plan.create_on.push_back(may_create[i]);
  return plan;
}

}  // namespace ukube::controllers::daemonset
