#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/machinery/time.h"

namespace spdlog {
class logger;
}

// upstream's TTL-after-finished controller (pkg/controller/ttlafterfinished): a Job that
// finished (a Complete or Failed condition that is True) and sets
// spec.ttlSecondsAfterFinished is deleted once that many seconds passed since the
// condition's lastTransitionTime. Before it deletes, it reads the job again from the API
// (not the cache), since the TTL may have changed meanwhile, and deletes with that job's
// uid as precondition and Foreground propagation, as upstream: the job's pods go first.
namespace ukube::controllers::ttl {

// When the job expires: null when it has no TTL, has not finished, or is being deleted.
std::optional<machinery::Clock::time_point> expire_time(const boost::json::object& job);

struct TtlQueue {
  std::function<void(const std::string& key)> add;
  std::function<void(const std::string& key, std::chrono::milliseconds delay)> add_after;
};

struct TtlSyncerOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> jobs;
  std::shared_ptr<spdlog::logger> log;                // may be null
  std::function<machinery::Clock::time_point()> now;  // empty: the real clock
};

class TtlSyncer {
 public:
  TtlSyncer(TtlSyncerOptions options, TtlQueue queue);

  // Deletes the job `key` (namespace/name) when its TTL expired, else looks again then.
  controller::Result sync(const std::string& key);
  InformerHandlers job_handlers();

 private:
  // Whether `job` expired; when not yet, queues it for then.
  bool expired(const boost::json::object& job, const std::string& key);
  machinery::Clock::time_point now() const;

  TtlSyncerOptions options_;
  TtlQueue queue_;
};

// The controller while it runs.
class TtlAfterFinishedController final : public controller::RunningController {
 public:
  TtlAfterFinishedController(const controller::ControllerDeps& deps, unsigned workers);
  ~TtlAfterFinishedController() override;
  void start() override;
  void stop() override;
  TtlSyncer& syncer() { return *syncer_; }
  bool idle() const { return loop_->idle(); }

 private:
  std::shared_ptr<Informer> jobs_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::unique_ptr<TtlSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::ttl
