#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/informer.h"
#include "ukube/labels.h"
#include "ukube/machinery/export.h"

// How a controller decides which objects are its own (upstream's ControllerRefManager and
// PodControllerRefManager): the objects it controls that still match its selector; the
// orphans that match, which it adopts; and those it controls that no longer match, which
// it releases. Objects another controller controls are never touched, and an owner being
// deleted adopts and releases nothing.
//
// Adoption and release are patches of metadata.ownerReferences computed from the cached
// object (machinery::adopt / machinery::release) and sent with its resourceVersion, so a
// change made meanwhile (another controller adopting first) fails with 409 Conflict
// instead of being overwritten; the controller then syncs again from a fresher cache.
namespace ukube::controller {

// Whether the owner may adopt now; throws why not. A manager asks at most once, just
// before its first adoption.
using CanAdopt = std::function<void()>;

// Upstream's RecheckDeletionTimestamp: an uncached GET of `owner` (of `kind`, served at
// `resource`) that refuses when it is gone, replaced by another object of its name, or
// being deleted, so a controller never adopts for an owner it last saw in a stale cache.
UKUBE_MACHINERY_API CanAdopt recheck_owner(Client& client, const GroupVersionResource& resource,
                                           const std::string& kind, const boost::json::object& owner);

// The owner a controller reference names, from the owners' cache (upstream's
// resolveControllerRef): null unless the reference is to `kind` and the cached object of
// that name in `ns` has the reference's uid.
UKUBE_MACHINERY_API ObjectPtr resolve_controller_ref(const Informer& owners, const std::string& ns,
                                                     const boost::json::object* ref, std::string_view kind);

// An owner's selector, or null when it does not convert (`error`, when given, says why).
using SelectorOf =
    std::function<std::optional<LabelSelector>(const boost::json::object& owner, std::string* error)>;

// The owners in `object`'s namespace whose selector matches its labels: who may adopt an
// orphan. An owner whose selector selects everything, or does not convert, adopts nothing by
// label alone. `owners` must carry the namespace index (cache_indexes.h).
UKUBE_MACHINERY_API std::vector<ObjectPtr> owners_selecting(const Informer& owners,
                                                            const boost::json::object& object,
                                                            const SelectorOf& selector_of);

class UKUBE_MACHINERY_API ControllerRefManager {
 public:
  // Claims objects of `resource` (whose kind, e.g. "Pod", names them in errors) for `owner`
  // of `owner_kind`, by `selector`.
  ControllerRefManager(Client& client, GroupVersionResource resource, std::string object_kind,
                       const boost::json::object& owner, GroupVersionKind owner_kind, LabelSelector selector,
                       CanAdopt can_adopt);

  // More conditions an object must meet to be claimed, beyond the selector.
  using Filter = std::function<bool(const boost::json::object& object)>;

  struct Claimed {
    std::vector<ObjectPtr> objects;   // the owner's, as the caller passed them
    std::vector<std::string> errors;  // adoptions and releases that failed
    // The errors as upstream aggregates them: one message, or "[a, b]"; "" for none.
    std::string error() const;
  };

  // Claims each of `objects`; a failed adoption or release is reported and the rest go on.
  Claimed claim(const std::vector<ObjectPtr>& objects, const Filter& filter = {});
  // Whether `object` is the owner's once claimed (upstream's ClaimObject). Throws when an
  // adoption or release it needed failed (a vanished object is not a failure).
  bool claim(const boost::json::object& object, const Filter& filter = {});

  // The patches themselves: make the owner the object's controller / drop its reference.
  // Adoption first asks CanAdopt and fails with "can't adopt <Kind> <ns>/<name> (<uid>): <why>".
  // A release of an object that is gone or no longer refers to the owner does nothing.
  void adopt(const boost::json::object& object);
  void release(const boost::json::object& object);

 private:
  bool matches(const boost::json::object& object, const Filter& filter) const;

  Client& client_;
  GroupVersionResource resource_;
  std::string object_kind_;
  std::string owner_ns_, owner_uid_;
  bool owner_deleting_;
  boost::json::object owner_ref_;  // the controller reference adoption adds
  LabelSelector selector_;
  CanAdopt can_adopt_;
  std::mutex mutex_;
  std::optional<std::string> adopt_refused_;  // CanAdopt's answer once asked ("" when allowed)
};

}  // namespace ukube::controller
