#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "expected_pods.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

// Upstream's disruption controller while it runs: keeps every PodDisruptionBudget's status
// (expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed, disruptedPods and the
// DisruptionAllowed condition) in line with the pods it selects, so that the eviction
// subresource can tell whether a pod may go. Pods the eviction subresource recorded in
// disruptedPods count as gone for two minutes, or until they are.
namespace ukube::controllers::disruption {

using Clock = std::chrono::system_clock;

// How long a recorded eviction counts before the pod is assumed to stay (upstream's
// DeletionTimeout).
inline constexpr std::chrono::minutes kDeletionTimeout{2};

class DisruptionController final : public controller::RunningController {
 public:
  DisruptionController(const controller::ControllerDeps& deps, unsigned workers,
                       std::function<Clock::time_point()> now = {});
  ~DisruptionController() override;

  void start() override;
  void stop() override;

  // Brings the status of the budget "namespace/name" in line with the caches. Retries
  // (with back-off) after writing a fail-safe status when the expected pods cannot be
  // known; looks again when a recorded eviction expires.
  controller::Result sync(const std::string& key);

 private:
  bool caches_synced() const;
  std::vector<ObjectPtr> selected_pods(const boost::json::object& budget) const;
  std::optional<ControllerScale> find_scale(const boost::json::object& ref, const std::string& ns) const;
  void enqueue_budgets_of(const ObjectPtr& pod);
  // disruptedPods without the pods that went or whose eviction expired; `recheck` is when
  // the next one kept expires.
  boost::json::object still_disrupted(const boost::json::object& budget, const std::vector<ObjectPtr>& pods,
                                      Clock::time_point now, std::optional<Clock::time_point>& recheck) const;
  void write_status(const boost::json::object& budget, boost::json::object status);
  void fail_safe(const boost::json::object& budget, const std::string& why);
  Clock::time_point now() const { return now_ ? now_() : Clock::now(); }

  std::shared_ptr<Client> client_;
  controller::EventRecorder* events_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<Clock::time_point()> now_;
  std::shared_ptr<Informer> budgets_, pods_, replica_sets_, controllers_, deployments_, stateful_sets_;
  std::vector<InformerRegistration> indexes_;        // for as long as the controller lives
  std::vector<InformerRegistration> registrations_;  // handlers, while it runs
  std::unique_ptr<controller::ReconcileLoop> loop_;
};

}  // namespace ukube::controllers::disruption
