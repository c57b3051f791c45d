#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "object_filter.h"
#include "ukube/client.h"
#include "watch_queue.h"

// The in-memory client's objects, its revision counter, the history of every change and
// the watches fed from it. Not locked: the client serialises every call.
namespace ukube::testing::detail {

// Objects of one resource by (namespace, name): the order lists answer in.
using ObjectKey = std::pair<std::string, std::string>;
using ObjectMap = std::map<ObjectKey, ObjectPtr>;

class MemoryStore {
 public:
  // "apps/deployments", "/pods": one resource whatever its version.
  static std::string resource_key(const GroupVersionResource& gvr);

  ObjectPtr find(const std::string& resource, const ObjectKey& key) const;
  const ObjectMap& objects(const std::string& resource) const;
  int64_t revision() const { return revision_; }
  int64_t next_revision() { return ++revision_; }

  // Stores `object` (whose resourceVersion the caller set from next_revision()) and tells
  // the watches: Added without `previous`, Modified with it.
  void put(const std::string& resource, const ObjectKey& key, ObjectPtr object, ObjectPtr previous);
  // Removes the object; `last_state` is what watches receive as Deleted.
  void erase(const std::string& resource, const ObjectKey& key, ObjectPtr last_state);

  // Starts feeding `queue`: from `after_revision` replays the changes after it; without
  // one sends the current objects as Added first.
  void watch(const std::string& resource, ObjectFilter filter, std::shared_ptr<WatchQueue> queue,
             std::optional<int64_t> after_revision);

 private:
  struct Change {
    int64_t revision;
    WatchEventType type;
    std::string resource;
    ObjectPtr object;
    ObjectPtr previous;  // Modified only
  };
  struct Watch {
    std::string resource;
    ObjectFilter filter;
    std::shared_ptr<WatchQueue> queue;
  };
  // The change as `watch` sees it through its selectors, if at all.
  static std::optional<WatchEvent> seen_by(const Watch& watch, const Change& change);
  void publish(Change change);

  int64_t revision_ = 0;
  std::map<std::string, ObjectMap> objects_;
  std::vector<Change> history_;
  std::vector<Watch> watches_;
};

}  // namespace ukube::testing::detail
