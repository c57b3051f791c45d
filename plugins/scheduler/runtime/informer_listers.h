#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "ukube/informer.h"
#include "ukube/informer_factory.h"
#include "ukube/scheduler/object_lister.h"

// The ObjectLister plugins get through Handle::listers(): one shared informer per
// resource, indexed by namespace. A resource the server does not serve (a test kernel without the
// type) leaves its informer retrying quietly and its lookups empty; it never holds up
// the scheduler.
namespace ukube::scheduler {

class InformerListers final : public ObjectLister {
 public:
  // Informers come from `informers` (the daemon's shared ones); without it, from a
  // factory of its own over `client`.
  InformerListers(std::shared_ptr<Client> client, std::vector<GroupVersionResource> resources,
                  InformerFactory* informers = nullptr);
  // The resources PodTopologySpread's default selector reads.
  static std::vector<GroupVersionResource> spread_resources();

  // Shared informers run from their first request: these remain for callers that
  // bracket the listers' use, and do nothing.
  void start() {}
  void stop() {}
  // Every served resource has listed once; unserved or forbidden ones are not waited for.
  bool wait_for_sync(std::chrono::milliseconds timeout) const;

  std::vector<ObjectPtr> list(const GroupVersionResource& resource, std::string_view ns) const override;
  ObjectPtr get(const GroupVersionResource& resource, std::string_view ns,
                std::string_view name) const override;

 private:
  struct Entry {
    GroupVersionResource resource;
    std::shared_ptr<Informer> informer;
    InformerRegistration index;
  };
  const Informer* find(const GroupVersionResource& resource) const;
  bool served(const GroupVersionResource& resource) const;

  std::shared_ptr<Client> client_;
  std::unique_ptr<SharedInformerFactory> own_informers_;  // only without a shared factory
  std::vector<Entry> entries_;
};

}  // namespace ukube::scheduler
