#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "node_health.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

// upstream's node lifecycle controller with its taint eviction: every monitor period,
// each node whose kubelet has not renewed its Lease (or posted its status) within the grace
// period gets Unknown conditions; every node carries the unreachable or not-ready taints
// (NoSchedule and NoExecute) its Ready condition calls for, and loses them when Ready
// again; and pods on nodes with NoExecute taints they do not tolerate are deleted, at once
// or once their tolerationSeconds ran out, marked first with the DisruptionTarget condition.
// Silence is judged by this controller's own clock (when it last saw the Lease or the
// heartbeat change), never by the timestamps a kubelet wrote, as upstream does.
namespace ukube::controllers::nodelifecycle {

struct LifecycleSettings {
  std::chrono::seconds grace_period{40};
  std::chrono::milliseconds period{5000};
};

class NodeLifecycleController final : public controller::RunningController {
 public:
  NodeLifecycleController(const controller::ControllerDeps& deps, LifecycleSettings settings);
  ~NodeLifecycleController() override;
  void start() override;
  void stop() override;

 private:
  controller::Result run();
  void monitor(const ObjectPtr& node, Clock::time_point now);
  void evict_pods_of(const boost::json::object& node, Clock::time_point now,
                     std::optional<Clock::time_point>& next);

  controller::ControllerDeps deps_;
  LifecycleSettings settings_;
  std::shared_ptr<Informer> nodes_, leases_, pods_;
  InformerRegistration pods_by_node_;
  struct Observed {
    std::string heartbeat;  // the Lease's renewTime and the Ready heartbeat, as last seen
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Observed> observed_;  // by node
  std::unique_ptr<controller::ReconcileLoop> loop_;
};

}  // namespace ukube::controllers::nodelifecycle
