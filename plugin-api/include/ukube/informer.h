#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/client.h"
#include "ukube/export.h"

// A list + watch cache of one resource (DESIGN.md §4), shared by the handlers and
// lookups of one component. Re-lists when its watch expires or falls behind.
namespace ukube {

struct InformerHandlers {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  std::function<void(const ObjectPtr& object)> on_delete;
};

// Maps an object to the index values it is filed under (e.g. its spec.nodeName).
using IndexFunc = std::function<std::vector<std::string>(const boost::json::object& object)>;

// "namespace/name", or "name" for cluster-scoped objects: client-go's cache key.
UKUBE_API std::string object_key(const boost::json::object& object);

class UKUBE_API Informer {
 public:
  Informer(std::shared_ptr<Client> client, GroupVersionResource gvr, std::string ns = {},
           ListOptions selectors = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Handlers added after start() first receive on_add for every cached object.
  void add_handlers(InformerHandlers handlers);
  // Indexers must be added before start().
  void add_indexer(const std::string& name, IndexFunc index);

  void start();  // runs list + watch on its own thread
  void stop();
  bool wait_for_sync(std::chrono::milliseconds timeout) const;
  bool has_synced() const;

  ObjectPtr get(std::string_view key) const;
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> by_index(std::string_view index, std::string_view value) const;
  std::string resource_version() const;  // the last revision the cache reflects
  uint64_t relist_count() const;         // full lists done so far (1 after the first sync)

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ukube
