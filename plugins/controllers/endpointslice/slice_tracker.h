#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"

// What this controller last wrote to each Service's EndpointSlices (upstream's
// EndpointSliceTracker): the generation of every slice it created or updated, and the
// slices it deleted. It tells the controller's own writes coming back through the
// informer (no sync needed) from changes by others (sync), and a cache that has not caught
// up with those writes yet (a sync would work from outdated slices and, say, create a
// slice twice).
namespace ukube::controllers::endpointslice {

class SliceTracker {
 public:
  // The tracker knows the slice (written or deleted by this controller).
  bool has(const boost::json::object& slice) const;
  // The slice is not one this controller wrote at this generation or later: someone else
  // changed it.
  bool should_sync(const boost::json::object& slice) const;
  // The cached `slices` of the Service lag behind this controller's writes: one is older
  // than written, one is still there though deleted, or one written is missing. Forgets
  // what was tracked for an earlier Service of the same name (another uid).
  bool stale(const boost::json::object& service, const std::vector<ObjectPtr>& slices);
  // Records the slice as written (its generation).
  void update(const boost::json::object& slice);
  // Records the slice as deleted.
  void expect_deletion(const boost::json::object& slice);
  // A deletion arrived: forgets the slice; false when it was not this controller's doing.
  bool handle_deletion(const boost::json::object& slice);
  void forget_service(const std::string& ns, const std::string& name);

 private:
  static constexpr int64_t kDeletionExpected = -1;
  struct Tracked {
    std::string service_uid;
    std::map<std::string, int64_t> generations;  // by slice uid
  };
  mutable std::mutex mutex_;
  std::map<std::string, Tracked> services_;  // by "namespace/name"
};

}  // namespace ukube::controllers::endpointslice
