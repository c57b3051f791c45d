#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/client.h"
#include "ukube/export.h"

// A list + watch cache of one resource (DESIGN.md §4), shared by the handlers and
// lookups of every component that asks for it. Re-lists when its watch expires or falls
// behind. Informers from an InformerFactory (ukube/informer_factory.h) share one small
// pool of threads; a stand-alone informer (over any Client, e.g. a remote one) runs on one
// thread of its own.
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

// What add_handlers() and add_indexer() return: while it lives, the informer calls the
// code it registered. Destroying it (or reset()) removes that code and, unless called from
// within one of the informer's own handlers, waits for a call in progress to finish, so a
// plugin library can be unloaded right after its registrations are gone.
class UKUBE_API InformerRegistration {
 public:
  InformerRegistration() = default;
  explicit InformerRegistration(std::function<void()> remove) : remove_(std::move(remove)) {}
  ~InformerRegistration();
  InformerRegistration(InformerRegistration&& other) noexcept;
  InformerRegistration& operator=(InformerRegistration&& other) noexcept;
  InformerRegistration(const InformerRegistration&) = delete;
  InformerRegistration& operator=(const InformerRegistration&) = delete;

  void reset();
  bool active() const { return static_cast<bool>(remove_); }

 private:
  std::function<void()> remove_;
};

namespace detail {
class InformerPool;
}

class UKUBE_API Informer {
 public:
  // A stand-alone informer: start() gives it a thread of its own.
  Informer(std::shared_ptr<Client> client, GroupVersionResource gvr, std::string ns = {},
           ListOptions selectors = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Handlers are called one event at a time, in order, never two at once. Handlers added
  // after the first list first receive on_add for every cached object, then only changes
  // made after that.
  [[nodiscard]] InformerRegistration add_handlers(InformerHandlers handlers);
  // Files every cached object (and every later one) under `name`. Indexers of one name on
  // a shared informer must mean the same thing, as client-go's shared indexers do: the
  // first one registered computes the index, the next takes over when it is removed, and
  // the index goes with the last.
  [[nodiscard]] InformerRegistration add_indexer(const std::string& name, IndexFunc index);

  // Start and stop a stand-alone informer. A shared informer runs from its first request
  // until its factory shuts down: these do nothing on it, so one user cannot stop it for
  // the others.
  void start();
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
  friend class SharedInformerFactory;
  // A shared informer on a factory's pool.
  Informer(std::shared_ptr<Client> client, GroupVersionResource gvr, std::string ns, ListOptions selectors,
           detail::InformerPool& pool);

  std::shared_ptr<State> state_;
  std::unique_ptr<detail::InformerPool> own_pool_;  // a stand-alone informer's one thread
};

}  // namespace ukube
