#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ukube/machinery/export.h"

// What a controller that creates and deletes objects (ReplicaSet, Job, DaemonSet) waits
// for before it trusts its informer again, as upstream's ControllerExpectations: after
// asking for N creations it ignores its (stale) cache until the informer has shown N new
// objects, or until five minutes passed and a watch event was surely lost. Keys are the
// controller's own (namespace/name). Thread safe.
namespace ukube::controller {

using ExpectationsClock = std::chrono::steady_clock;

// Upstream's ExpectationsTimeout.
inline constexpr std::chrono::minutes kExpectationsTimeout{5};

struct Expected {
  int64_t adds = 0;
  int64_t deletes = 0;
};

class UKUBE_MACHINERY_API ControllerExpectations {
 public:
  using Now = std::function<ExpectationsClock::time_point()>;
  explicit ControllerExpectations(Now now = {}, std::chrono::nanoseconds timeout = kExpectationsTimeout);

  // True when nothing is expected for `key`, everything expected was observed, or the
  // expectations are older than the timeout: the controller may sync from its cache.
  bool satisfied(const std::string& key) const;
  // What is still expected; null when nothing was recorded for `key`.
  std::optional<Expected> get(const std::string& key) const;

  // Replaces the expectations of `key` and restarts their timeout.
  void set(const std::string& key, int64_t adds, int64_t deletes);
  void expect_creations(const std::string& key, int64_t adds) { set(key, adds, 0); }
  void expect_deletions(const std::string& key, int64_t deletes) { set(key, 0, deletes); }
  // Adjust recorded expectations (no effect when none are recorded); the timeout does
  // not restart.
  void raise(const std::string& key, int64_t adds, int64_t deletes);
  void lower(const std::string& key, int64_t adds, int64_t deletes);
  // From the informer's handlers: an object of the controller appeared / went away.
  void creation_observed(const std::string& key) { lower(key, 1, 0); }
  void deletion_observed(const std::string& key) { lower(key, 0, 1); }
  // The controller itself is gone.
  void forget(const std::string& key);

 private:
  struct Record {
    Expected expected;
    ExpectationsClock::time_point set_at;
  };

  Now now_;
  std::chrono::nanoseconds timeout_;
  mutable std::mutex mutex_;
  std::map<std::string, Record> records_;
};

// ControllerExpectations that also remember which objects a controller deletes, as
// upstream's UIDTrackingControllerExpectations: a deletion counts once per object even
// when the informer reports it twice (a graceful delete, then the final one), and
// deletions of objects the controller never asked to delete do not count.
class UKUBE_MACHINERY_API TrackingExpectations {
 public:
  explicit TrackingExpectations(ControllerExpectations::Now now = {},
                                std::chrono::nanoseconds timeout = kExpectationsTimeout);

  ControllerExpectations& counts() { return counts_; }
  const ControllerExpectations& counts() const { return counts_; }
  bool satisfied(const std::string& key) const { return counts_.satisfied(key); }

  // Expects the deletion of each of `objects` (their UIDs or namespace/name keys, as the
  // caller observes them), replacing what `key` expected before.
  void expect_deletions(const std::string& key, const std::vector<std::string>& objects);
  // `object` went away; counts only when `key` was waiting for it, and only once.
  void deletion_observed(const std::string& key, const std::string& object);
  // The objects `key` still waits to see deleted.
  std::set<std::string> pending_deletions(const std::string& key) const;
  void forget(const std::string& key);

 private:
  ControllerExpectations counts_;
  mutable std::mutex mutex_;
  std::map<std::string, std::set<std::string>> deleting_;
};

}  // namespace ukube::controller
