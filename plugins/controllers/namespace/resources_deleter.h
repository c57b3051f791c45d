#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/client.h"
#include "ukube/machinery/time.h"
#include "ukube/types.h"

namespace spdlog {
class logger;
}

// The work of upstream's namespace controller on one namespace being deleted (its
// "namespaced resources deleter"): mark it Terminating, delete every object of every
// namespaced resource the server serves, wait until none is left, then take this
// controller's token out of spec.finalizers through the namespaces/finalize subresource,
// which lets the API server remove the namespace.
namespace ukube::controllers::namespace_ {

// The token in spec.finalizers that this controller owns (upstream's FinalizerKubernetes).
inline constexpr std::string_view kFinalizerToken = "kubernetes";
// How long objects held by finalizers are expected to take when nothing better is known.
inline constexpr int64_t kFinalizerEstimateSeconds = 15;

// The resources the server serves; throws when they cannot be read. Asked on every pass,
// so resources added later (CRDs) are covered.
using Discovery = std::function<std::vector<TypeInfoPtr>()>;
// DELETE on a collection (resource, namespace, options), which Client does not offer.
// Throws ApiError as Client's calls do.
using CollectionDeleter =
    std::function<void(const GroupVersionResource& gvr, std::string_view ns, const DeleteOptions& options)>;

struct DeleterOptions {
  std::shared_ptr<Client> client;  // as the namespace controller
  Discovery discover;
  CollectionDeleter delete_collection;  // null: every resource is listed and deleted object by object
  std::function<machinery::Clock::time_point()> now = [] { return machinery::Clock::now(); };
  std::shared_ptr<spdlog::logger> log;  // may be null
};

// One resource to empty: a namespaced group/resource that can be deleted, at the version
// the server prefers, and whether it can be listed and deleted as a collection.
struct ContentResource {
  GroupVersionResource gvr;
  bool list = false;
  bool delete_collection = false;
};

// Upstream's preferred namespaced resources with the delete verb: one entry per group and
// resource (at its most preferred version), ordered by group and resource.
std::vector<ContentResource> deletable_resources(const std::vector<TypeInfoPtr>& types);

// "apps/v1, Resource=deployments": how upstream prints a resource in its messages.
std::string describe(const GroupVersionResource& gvr);

class ResourcesDeleter {
 public:
  explicit ResourcesDeleter(DeleterOptions options);

  // One pass over namespace `name`, as upstream's deleter makes it. Does nothing to a
  // namespace that is gone, not being deleted, or already finalized (spec.finalizers
  // empty). Returns 0 when there is nothing more to do, else the seconds the content left
  // is expected to take (look again later). Throws when a step failed: ApiError from the
  // API, or std::runtime_error naming every resource that could not be emptied (written
  // into the namespace's conditions first).
  int64_t sync(const std::string& name);

 private:
  struct ResourceOutcome {
    int64_t estimate = 0;  // seconds; 0: no estimate, which does not mean nothing is left
    int remaining = 0;
    std::map<std::string, int> finalizers;  // objects left per finalizer
    std::string error;                      // empty: no error
  };

  // The namespace as the server has it now; null when it is gone.
  ObjectPtr get_namespace(const std::string& name);
  // Runs `write` on `ns`, and again on a fresh copy while it fails with a Conflict.
  ObjectPtr retry_on_conflict(ObjectPtr ns, const std::function<ObjectPtr(const ObjectPtr&)>& write);
  ObjectPtr mark_terminating(const ObjectPtr& ns);
  ObjectPtr finalize(const ObjectPtr& ns);

  // Deletes the content of every resource and writes the conditions; returns the estimate.
  int64_t delete_all_content(ObjectPtr& ns);
  ResourceOutcome empty_resource(const ContentResource& resource, const std::string& ns,
                                 machinery::Clock::time_point deleted_at);
  int64_t estimate_graceful_termination(const GroupVersionResource& gvr, const std::string& ns,
                                        machinery::Clock::time_point deleted_at);
  // False when the collection cannot be deleted at once (the caller deletes each object).
  bool delete_collection(const ContentResource& resource, const std::string& ns);
  void delete_each_item(const ContentResource& resource, const std::string& ns);
  // The objects left; nullopt when the resource cannot be listed.
  std::optional<ObjectList> list_collection(const ContentResource& resource, const std::string& ns);

  DeleterOptions options_;
};

}  // namespace ukube::controllers::namespace_
