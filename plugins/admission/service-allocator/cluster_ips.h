#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ip_range.h"
#include "ukube/client.h"
#include "ukube/informer.h"

// Service cluster IPs as upstream's MultiCIDRServiceAllocator hands them out: an address
// is allocated by creating the networking.k8s.io/v1 IPAddress named by it, whose parentRef
// is the Service, so the store's create-if-absent makes every allocation exclusive, in one
// process or many. The ranges are the configured Service CIDRs and every ServiceCIDR
// object that is ready and not being deleted.
namespace ukube::admission::service_allocator {

namespace json = boost::json;

// The informer index of Services by cluster IP.
inline constexpr const char* kServicesByClusterIP = "service-allocator/cluster-ip";
std::vector<std::string> cluster_ip_index(const json::object& service);

// The labels upstream's allocator puts on the IPAddresses it creates.
inline constexpr const char* kIPFamilyLabel = "ipaddress.kubernetes.io/ip-family";
inline constexpr const char* kManagedByLabel = "ipaddress.kubernetes.io/managed-by";
inline constexpr const char* kAllocatorName = "ipallocator.k8s.io";

// The IPAddress upstream's allocator makes for `ip` of `service`.
json::object ip_address_object(const IPAddress& ip, const json::object& service);
// The IPAddress's parentRef names this Service ("namespace/name").
bool refers_to(const json::object& ip_address, const std::string& service);

struct ClusterIPDeps {
  std::shared_ptr<Client> client;  // writes IPAddresses
  std::shared_ptr<Informer> service_cidrs, ip_addresses, services;
  std::vector<IPPrefix> configured;  // primary first
};

class ClusterIPAllocator {
 public:
  explicit ClusterIPAllocator(ClusterIPDeps deps);

  // The families Services may have here: the configured ones, primary first.
  std::vector<IPFamily> families() const;
  // The ranges of `family`: the configured one first, then the ServiceCIDRs'.
  std::vector<ServiceIPRange> ranges(IPFamily family) const;

  // Allocates `requested` to the Service. Throws AllocationError: MismatchedNetwork (in no
  // range), NotInRange (a range's network or broadcast address), Allocated (someone
  // else's). Like upstream, a dry run checks the range only.
  void allocate(const json::object& service, const IPAddress& requested, bool dry_run);
  // Allocates a free address of `family`, the upper part of each range first. Throws
  // AllocationError Full. A dry run allocates nothing and answers the range's network
  // address, as upstream does.
  IPAddress allocate_next(const json::object& service, IPFamily family, bool dry_run);
  // Gives back an address allocated to the Service by a request that then failed: its
  // IPAddress goes if it still names the Service.
  void release(const IPAddress& ip, const json::object& service);

 private:
  // Creates the IPAddress; false when it exists for another Service.
  bool claim(const IPAddress& ip, const json::object& service);
  // The cache shows the address in use: an IPAddress, or a Service holding it.
  bool in_use(const IPAddress& ip) const;

  ClusterIPDeps deps_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
};

}  // namespace ukube::admission::service_allocator
