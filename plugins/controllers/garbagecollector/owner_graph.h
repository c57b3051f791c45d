#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/json/fwd.hpp>

// The garbage collector's picture of ownership (upstream's GraphBuilder "uidToNode"): a
// node per object the informers reported, linked to the owners its ownerReferences name
// and to its dependents. An owner named by a reference but not reported (yet) is a
// virtual node, to be looked up in the API: it may exist, or be gone for good.
//
// The graph decides nothing by itself: each change returns the objects the collector
// should look at next, in the two queues upstream's collector has (attempt to delete,
// attempt to orphan). Thread-safe: informers of different resources report at once.
namespace ukube::controllers::gc {

// The finalizers the API server sets for the collector (metav1.FinalizerOrphanDependents,
// metav1.FinalizerDeleteDependents).
inline constexpr const char* kOrphanFinalizer = "orphan";
inline constexpr const char* kForegroundFinalizer = "foregroundDeletion";

// Where an object is: enough to reach it through the API.
struct ObjectCoordinates {
  std::string api_version;
  std::string kind;
  std::string ns;  // the dependent's namespace for a virtual owner; unused when cluster-scoped
  std::string name;
  std::string uid;
};

struct OwnerLink {
  std::string uid;
  std::string api_version;
  std::string kind;
  std::string name;
  bool block_owner_deletion = false;
  bool operator==(const OwnerLink&) const = default;
};

// What an informer's event says about one object.
struct ObservedObject {
  ObjectCoordinates id;
  std::vector<OwnerLink> owners;
  bool being_deleted = false;        // deletionTimestamp set
  bool deleting_dependents = false;  // being deleted with the foregroundDeletion finalizer
  bool orphaning = false;            // being deleted with the orphan finalizer
};

// Reads an object's coordinates, owner references and deletion state. `api_version`
// and `kind` fill in what the object does not carry.
ObservedObject observe_object(const boost::json::object& object, const std::string& api_version,
                              const std::string& kind);

// The owner references of an object as links.
std::vector<OwnerLink> owner_links(const boost::json::object& object);

// Objects (uids) to look at next.
struct GraphWork {
  std::vector<std::string> attempt_to_delete;
  std::vector<std::string> attempt_to_orphan;
};

// A copy of one node.
struct NodeView {
  ObjectCoordinates id;
  bool observed = false;  // false: a virtual node, known only from references to it
  bool being_deleted = false;
  bool deleting_dependents = false;
  std::vector<OwnerLink> owners;
  std::vector<std::string> dependents;  // uids
};

class OwnerGraph {
 public:
  // An object was added or changed.
  GraphWork observe(ObservedObject object);
  // An object is gone: deleted, or a virtual node found absent.
  GraphWork forget(const std::string& uid);

  std::optional<NodeView> node(const std::string& uid) const;
  // The dependents of `uid` whose reference to it has blockOwnerDeletion: a foreground
  // deletion of `uid` waits for them.
  std::vector<std::string> blocking_dependents(const std::string& uid) const;
  size_t size() const;

 private:
  struct Node {
    ObjectCoordinates id;
    bool observed = false;
    bool being_deleted = false;
    bool deleting_dependents = false;
    bool orphaning = false;
    std::vector<OwnerLink> owners;
    std::unordered_set<std::string> dependents;
  };
  // Links `dependent` to the owner `link` names, making a virtual owner when it is unknown.
  void link(const Node& dependent, const OwnerLink& link, GraphWork& work);
  void unlink(const std::string& dependent_uid, const OwnerLink& link, GraphWork& work);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Node> nodes_;
};

}  // namespace ukube::controllers::gc
