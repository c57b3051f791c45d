#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "replica_calculator.h"
#include "scale_normalizer.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

// upstream's horizontal pod autoscaler (pkg/controller/podautoscaler): every sync period
// each autoscaling/v2 HorizontalPodAutoscaler reads its target's scale subresource and its
// pods' usage from metrics.k8s.io, computes the replicas that bring each metric back to
// its target, stabilizes and limits that count, sets it on the scale subresource and
// reports status, conditions and events with upstream's reasons and texts. Resource and
// ContainerResource metrics are served; Pods, Object and External metrics need a custom
// or external metrics API, which this cluster does not serve, and say so.
namespace ukube::controllers::hpa {

struct HpaSettings {
  CalculatorSettings calculator;
  std::chrono::milliseconds sync_period{15000};       // --horizontal-pod-autoscaler-sync-period
  std::chrono::seconds downscale_stabilization{300};  // ...-downscale-stabilization
};

// The resource serving the scale subresource of `kind` in `api_version`; null when none does.
using ScaleTargetResolver = std::function<std::optional<GroupVersionResource>(const std::string& api_version,
                                                                              const std::string& kind)>;

struct HpaSyncerOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> autoscalers;  // autoscaling/v2
  std::shared_ptr<Informer> pods;         // with the namespace index
  ScaleTargetResolver resolve;
  controller::EventRecorder* events = nullptr;
  std::shared_ptr<spdlog::logger> log;                // may be null
  std::function<machinery::Clock::time_point()> now;  // empty: the real clock
  HpaSettings settings;
};

class HpaSyncer {
 public:
  explicit HpaSyncer(HpaSyncerOptions options);

  // Reconciles the autoscaler `key` (namespace/name) once and asks to be called again
  // after the sync period.
  controller::Result sync(const std::string& key);

 private:
  struct Run;  // one reconcile's working state (hpa_controller.cpp)

  void reconcile(Run& run);
  // Sets the target's scale; false (after reporting why) when it could not.
  bool rescale(Run& run, const GroupVersionResource& target, boost::json::object scale, int32_t desired,
               const std::string& reason);
  // The replicas the metrics ask for; null (after reporting why) when they cannot say.
  std::optional<int32_t> replicas_for_metrics(Run& run, const boost::json::object& scale, int32_t current);
  std::optional<int32_t> replicas_for_metric(Run& run, const boost::json::object& metric, size_t index);
  // The selected pods' usage of `resource` from metrics.k8s.io (listed once per run).
  PodMetrics usage_of(Run& run, const std::string& resource, const std::string& container);
  // Writes status when it changed; false on a conflict.
  bool write_status(const Run& run);
  void event(const boost::json::object& hpa, const std::string& type, const std::string& reason,
             const std::string& message);
  machinery::Clock::time_point now() const;

  HpaSyncerOptions options_;
  ScaleNormalizer normalizer_;
};

// The controller while it runs.
class HorizontalPodAutoscalerController final : public controller::RunningController {
 public:
  HorizontalPodAutoscalerController(const controller::ControllerDeps& deps, unsigned workers,
                                    HpaSettings settings, ScaleTargetResolver resolve);
  ~HorizontalPodAutoscalerController() override;
  void start() override;
  void stop() override;

 private:
  std::shared_ptr<Informer> autoscalers_;
  std::shared_ptr<Informer> pods_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::unique_ptr<HpaSyncer> syncer_;
  std::vector<InformerRegistration> registrations_;
};

}  // namespace ukube::controllers::hpa
