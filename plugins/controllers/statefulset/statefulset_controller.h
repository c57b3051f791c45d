#pragma once

#include <chrono>
#include <functional>
#include <memory>
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

// upstream's StatefulSet controller (pkg/controller/statefulset). A sync of a set
//  - claims the pods its selector matches whose names are `<set>-<ordinal>`;
//  - finds or makes the ControllerRevision of its template (the update revision) and
//    knows the current one from status.currentRevision;
//  - for each ordinal in [start, start+replicas): deletes a Failed/Succeeded pod, makes a
//    missing one (claims first, then the pod, at the current revision below the
//    partition and the update revision above it); OrderedReady does one step at a time
//    and waits for each pod to be Running and available before the next;
//  - deletes the pods of ordinals outside that range, highest first (OrderedReady: one
//    at a time, and only when all others are healthy);
//  - RollingUpdate: deletes the highest-ordinal pod at or above the partition that is not
//    at the update revision, once every pod above it is healthy (maxUnavailable 1, as
//    upstream with MaxUnavailableStatefulSet off); OnDelete leaves that to the user;
//  - writes status and trims revisions beyond revisionHistoryLimit that no pod uses.
namespace ukube::controllers::statefulset {

struct SyncerOptions {
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> sets, pods, revisions, claims;
  controller::EventRecorder* events = nullptr;        // may be null
  std::shared_ptr<spdlog::logger> log;                // may be null
  std::function<machinery::Clock::time_point()> now;  // empty: the real clock
};

class StatefulSetSyncer {
 public:
  StatefulSetSyncer(SyncerOptions options, std::function<void(const std::string&)> enqueue);
  ~StatefulSetSyncer();

  // Reconciles the StatefulSet `key` (namespace/name); throws what went wrong.
  controller::Result sync(const std::string& key);

  InformerHandlers set_handlers();
  // Pods and revisions: their controlling set is queued.
  InformerHandlers owned_handlers();

 private:
  struct Ctx;
  void revisions(Ctx& ctx);
  void claim_pods(Ctx& ctx);
  // One pass over replicas and condemned pods; false when it must wait.
  bool manage(Ctx& ctx, controller::Result& result);
  bool rolling_update(Ctx& ctx, controller::Result& result);
  void create_pod(Ctx& ctx, int64_t ordinal);
  void delete_pod(Ctx& ctx, const boost::json::object& pod, bool condemned);
  void create_claims(Ctx& ctx, int64_t ordinal);
  void update_claim_owners(Ctx& ctx, const boost::json::object& pod, bool condemned);
  void write_status(Ctx& ctx);
  void trim_history(Ctx& ctx);
  void enqueue_owner(const boost::json::object& object);
  void event(const boost::json::object& set, const std::string& type, const std::string& reason,
             const std::string& message);
  machinery::Clock::time_point now() const;

  SyncerOptions options_;
  std::function<void(const std::string&)> enqueue_;
  std::vector<InformerRegistration> indexers_;
};

// The StatefulSet controller while it runs.
class StatefulSetController final : public controller::RunningController {
 public:
  StatefulSetController(const controller::ControllerDeps& deps, unsigned workers);
  ~StatefulSetController() override;
  void start() override;
  void stop() override;
  bool idle() const { return loop_->idle(); }

 private:
  std::shared_ptr<Informer> sets_, pods_, revisions_, claims_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::unique_ptr<StatefulSetSyncer> syncer_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::statefulset
