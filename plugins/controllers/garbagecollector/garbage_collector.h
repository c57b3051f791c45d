#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <boost/json/fwd.hpp>

#include "owner_graph.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/informer_factory.h"

namespace spdlog {
class logger;
}

// upstream's garbage collector (pkg/controller/garbagecollector), the second half of
// deletion propagation; the API server does the first, recording the policy in the
// deleted object's finalizers:
//  - Background: the owner is gone; every dependent whose owners are all gone (dangling
//    references) is deleted, and references to gone owners are removed from dependents
//    that keep a live owner.
//  - Foreground: the owner waits, marked, with the `foregroundDeletion` finalizer; its
//    dependents are deleted (those that have dependents of their own, in the foreground
//    too), and the finalizer goes once no dependent with blockOwnerDeletion is left.
//  - Orphan: the owner waits with the `orphan` finalizer while its reference is removed
//    from every dependent, then the finalizer goes.
// Every resource that can be listed, watched and deleted is watched through the shared
// informers (resources served later, such as custom resources, are picked up on the next
// resync); every decision to delete is taken on fresh reads from the API, never on the
// caches alone.
namespace ukube::controllers::gc {

// A resource the collector watches, or the one an owner reference's kind maps to.
struct ResourceMapping {
  GroupVersionResource gvr;
  std::string kind;
  bool namespaced = true;
};

// The resource serving `kind` at `api_version`; nullopt when none does.
using KindResolver =
    std::function<std::optional<ResourceMapping>(std::string_view api_version, std::string_view kind)>;

struct GarbageCollectorOptions {
  std::shared_ptr<Client> client;  // as generic-garbage-collector
  InformerFactory* informers = nullptr;
  KindResolver resolve;
  // The resources to watch; asked at start and on every resync.
  std::function<std::vector<ResourceMapping>()> resources;
  std::shared_ptr<spdlog::logger> log;  // may be null
  unsigned workers = 4;
  std::chrono::milliseconds resync_period{std::chrono::seconds(30)};
};

class GarbageCollector final : public controller::RunningController {
 public:
  explicit GarbageCollector(GarbageCollectorOptions options);
  ~GarbageCollector() override;
  void start() override;
  void stop() override;

  // Nothing queued or under way (tests wait for this).
  bool idle() const;
  const OwnerGraph& graph() const { return graph_; }

  controller::Result attempt_to_delete(const std::string& uid);
  controller::Result attempt_to_orphan(const std::string& uid);

 private:
  enum class OwnerState { Solid, Dangling, WaitingForDependents };

  // Watches the resources not watched yet, and puts what each lists into the graph
  // before any decision is taken on it (a foreground deletion must not find "no
  // dependents" only because their resource was not listed yet).
  controller::Result sync_monitors();
  void queue(const GraphWork& work);
  InformerHandlers handlers_for(const ResourceMapping& resource);

  controller::Result process_deleting_dependents(const NodeView& node);
  OwnerState owner_state(const OwnerLink& owner, const NodeView& dependent);
  // The live object at `id`, null when it is gone or another object (uid) took its name.
  ObjectPtr live(const ResourceMapping& mapping, const ObjectCoordinates& id);
  // Applies `edit` to the live object at `id` and writes it, retrying on conflicts;
  // nothing when the object is gone or `edit` returns false.
  void update_live(const ResourceMapping& mapping, const ObjectCoordinates& id,
                   const std::function<bool(boost::json::object&)>& edit);
  void remove_finalizer(const ResourceMapping& mapping, const ObjectCoordinates& id,
                        const std::string& finalizer);
  void delete_object(const ResourceMapping& mapping, const ObjectCoordinates& id, const std::string& policy);
  std::optional<ResourceMapping> mapping_of(const ObjectCoordinates& id) const;
  std::string describe(const ObjectCoordinates& id) const;
  // Owners found absent, so dependents of a deleted owner do not each read it again
  // (upstream's absentOwnerCache).
  bool known_absent(const std::string& uid) const;
  void remember_absent(const std::string& uid);

  GarbageCollectorOptions options_;
  OwnerGraph graph_;
  std::unique_ptr<controller::ReconcileLoop> delete_loop_;
  std::unique_ptr<controller::ReconcileLoop> orphan_loop_;
  std::unique_ptr<controller::ReconcileLoop> monitor_loop_;

  mutable std::mutex mutex_;
  struct Monitor {
    ResourceMapping resource;
    std::shared_ptr<Informer> informer;
    InformerRegistration registration;  // inactive until the informer's first list
  };
  std::map<std::string, Monitor> monitors_;  // by resource key
  std::atomic<bool> primed_{false};          // every monitor's first list is in the graph
  std::unordered_set<std::string> absent_owners_;
};

}  // namespace ukube::controllers::gc
