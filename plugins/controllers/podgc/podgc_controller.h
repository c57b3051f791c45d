#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

// upstream's pod garbage collector (pkg/controller/podgc). Every gc check period it
//  - deletes terminated pods (phase neither Pending, Running nor Unknown) beyond the
//    terminated-pod threshold, evicted ones first, then the oldest;
//  - deletes terminating pods on nodes that are not Ready and carry the
//    node.kubernetes.io/out-of-service taint (non-graceful node shutdown);
//  - deletes pods bound to nodes that no longer exist: a node missing from the informer is
//    quarantined first, and only a GET answering NotFound after the quarantine confirms
//    it, so a node the cache has not seen yet costs nobody their pods;
//  - deletes terminating pods that were never scheduled.
// Each such pod that is not terminal yet is first marked Failed (orphans also get the
// DisruptionTarget condition, reason DeletionByPodGC) — no kubelet will ever do it — and
// then deleted with grace period 0.
namespace ukube::controllers::podgc {

using Clock = std::chrono::system_clock;

struct PodGCOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> pods;
  std::shared_ptr<Informer> nodes;
  std::shared_ptr<spdlog::logger> log;  // may be null
  // upstream's --terminated-pod-gc-threshold; 0 or less never deletes terminated pods by count.
  int64_t terminated_pod_threshold = 12500;
  std::chrono::milliseconds quarantine{40000};  // upstream's quarantineTime
  std::function<Clock::time_point()> now;       // empty: the real clock (tests set it)
};

inline constexpr const char* kDeletionByPodGC = "DeletionByPodGC";
inline constexpr const char* kOutOfServiceTaint = "node.kubernetes.io/out-of-service";

class PodGC {
 public:
  explicit PodGC(PodGCOptions options);

  // One pass over the caches, in upstream's order. Errors on single pods are logged and
  // retried on the next pass.
  void gc();

  void gc_terminated(const std::vector<ObjectPtr>& pods);
  void gc_terminating(const std::vector<ObjectPtr>& pods);
  void gc_orphaned(const std::vector<ObjectPtr>& pods, const std::vector<ObjectPtr>& nodes);
  void gc_unscheduled_terminating(const std::vector<ObjectPtr>& pods);

  // Node names waiting out their quarantine (tests).
  std::set<std::string> quarantined() const;

 private:
  // Marks the pod Failed (with `condition`, if any) unless it is terminal, then deletes it
  // with grace period 0. Returns whether both went through.
  bool mark_failed_and_delete(const boost::json::object& pod, const boost::json::object* condition);
  std::set<std::string> discover_deleted_nodes(const std::set<std::string>& existing);
  Clock::time_point now() const;

  PodGCOptions options_;
  std::map<std::string, Clock::time_point> quarantine_;  // node → when its quarantine ends
};

// Sorting of upstream's byEvictionAndCreationTimestamp: evicted pods first, then by
// creation, then by name.
void sort_for_deletion(std::vector<ObjectPtr>& pods);
// Not Pending, Running or Unknown (upstream's isPodTerminated).
bool is_pod_terminated(const boost::json::object& pod);

// The pod GC while it runs: one pass when the caches have synced, then one per period.
class PodGCController final : public controller::RunningController {
 public:
  PodGCController(const controller::ControllerDeps& deps, PodGCOptions options,
                  std::chrono::milliseconds period);
  ~PodGCController() override;
  void start() override;
  void stop() override;

 private:
  controller::Result run();

  std::shared_ptr<Informer> pods_, nodes_;
  std::chrono::milliseconds period_;
  std::unique_ptr<PodGC> gc_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
};

}  // namespace ukube::controllers::podgc
