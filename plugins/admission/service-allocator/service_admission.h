#pragma once

#include <functional>
#include <memory>

#include "cluster_ips.h"
#include "node_ports.h"
#include "ukube/admission/plugin_support.h"

// The mutating admission step that gives Services their cluster IPs and node ports, where
// upstream's Service storage does (after mutating admission webhooks, before validation):
// requested or picked values, upstream's messages when a request cannot be met, and what a
// type change or an update that leaves allocated values out means (service_spec.h). It
// allocates nothing for a Service the type's validation or the store will refuse (invalid,
// or already there), and gives back what it took when a later allocation of the same
// request fails. What a request that passed here loses afterwards (a validating webhook, a
// quota, a crash) is collected by the repair loop, its node ports by their reservation
// running out. Nothing is released here: a deleted Service or one that no longer needs an
// address is seen to by the repair loop, which watches Services, and node ports are free
// once the Service cache no longer shows them held.
namespace ukube::admission::service_allocator {

class ServiceAllocation final : public AdmissionPlugin {
 public:
  // `client` reads Services; the allocators write what they allocate. `ready` waits (a
  // while) for the caches the allocators judge by; false: they are not there yet.
  ServiceAllocation(std::shared_ptr<Client> client, std::shared_ptr<ClusterIPAllocator> ips,
                    std::shared_ptr<NodePortAllocator> ports, std::function<bool()> ready);

  void admit(AdmissionRequest& request) override;

 private:
  bool will_be_refused(const AdmissionRequest& request) const;

  std::shared_ptr<Client> client_;
  std::shared_ptr<ClusterIPAllocator> ips_;
  std::shared_ptr<NodePortAllocator> ports_;
  std::function<bool()> ready_;
};

}  // namespace ukube::admission::service_allocator
